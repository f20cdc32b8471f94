"""Compile the bootstrap kernels ahead of their first use: ``python -m csi.estimate.pls.jit_warmup``.

numba compiles :mod:`csi.estimate.pls.kernel` on first use (a few seconds) and caches the machine
code on disk; ``make setup`` runs this once so that neither the first dashboard visit nor the
first ``csi estimate --boot`` pays the compilation. A tiny bootstrap goes through the real
code paths, so every argument layout the kernels meet is compiled.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

__all__ = ["warm_up"]

_MODEL = """
A =~ a1 + a2 + a3
B <~ b1 + b2
C =~ c1 + c2
B ~ A
C ~ A + B
"""


def warm_up() -> bool:
    """Run a small bootstrap through the kernels; False when they are not in use (no numba,
    or ``CSI_JIT=0``)."""
    from csi.estimate.pls import kernel

    if not kernel.available():
        return False
    from csi.estimate.fit import fit

    rng = np.random.default_rng(0)
    z = rng.normal(size=(80, 1))
    x = np.clip(np.round(4 + 1.5 * (z + rng.normal(size=(80, 7)))), 1, 7)
    data = pd.DataFrame(x, columns=["a1", "a2", "a3", "b1", "b2", "c1", "c2"])
    fit(_MODEL, data, scale=(1, 7), n_boot=50, seed=0)
    holes = data.copy()  # missing answers: the EM kernels (missing.em_kernel, missing.em_lockstep)
    holes.loc[::4, "a2"] = np.nan
    holes.loc[1::5, "c1"] = np.nan
    fit(_MODEL, holes, scale=(1, 7), n_boot=50, seed=0)
    bs = np.array([0, 3, 5, 7], dtype=np.int64)  # the scores of large frames, both layouts
    for arr in (x, np.asfortranarray(x)):
        kernel.block_scores(arr, bs, np.ones(7), np.ones(7), np.zeros(3), np.zeros(3), 256,
                            np.empty((6, len(arr))))
    from csi.estimate.missing import em_kernel  # the row pass of large frames' pattern sums

    for arr in (holes.to_numpy(), np.asfortranarray(holes.to_numpy())):
        em_kernel.pattern_sums(arr, np.zeros(len(arr), dtype=np.int64), np.zeros(arr.shape[1]), None, 1)
        em_kernel.pattern_sums(arr, np.zeros(len(arr), dtype=np.int64), np.zeros(arr.shape[1]), np.ones(len(arr)), 1)
        em_kernel.row_keys(arr)
        em_kernel.keyed_pattern_sums(arr, np.zeros(arr.shape[1]), None)  # one pass, large frames
        em_kernel.keyed_pattern_sums(arr, np.zeros(arr.shape[1]), np.ones(len(arr)))
    return True


if __name__ == "__main__":
    t0 = time.perf_counter()
    used = warm_up()
    print(f"csi: bootstrap kernels {'ready' if used else 'not in use (numba missing or CSI_JIT=0)'}"
          f" ({time.perf_counter() - t0:.1f} s)")
