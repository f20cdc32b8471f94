"""Benchmark missing-data estimation (issue 14): EM against the same work on complete data.

One process, same model (the ECSI-sized model of ``benchmarks/ecsi.py``: 7 constructs, 24
items, 1-10 scale), both sides timed in the same run:

- bootstrap of 5,000 resamples at N = 3,000: ``csi.fit(..., n_boot=5000)`` with 10% of the
  answers missing in 40 patterns (``missing="em"``: EM re-run warm-started in every resample)
  vs the same call on the complete data (target: within 3x);
- single fit at N = 1,000,000: ``PLSPathModel().fit`` with 10% missing in 40 patterns
  (pattern moments + EM) vs the complete-data fit (target: within 3x).

Timings are the best wall-clock and the best CPU time (all threads of the process) of
``--repeats`` runs (default 2 for the bootstrap, 3 for the fit) after one untimed warm-up (imports, compiled kernels). Single-threaded BLAS, as in
``bench_pls.py`` (the bootstraps use csi's two worker threads).

Usage: ``python benchmarks/bench_missing.py [--n-boot 5000] [--n 3000] [--n-big 1000000]``.
Benchmarks are not tests: nothing here runs under pytest.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from ecsi import BLOCKS, ITEMS, PATHS, simulate  # noqa: E402


def with_patterns(x: np.ndarray, n_patterns: int = 40, share: float = 0.10, seed: int = 0) -> np.ndarray:
    """``x`` with ``share`` of the cells missing in exactly ``n_patterns`` patterns (the
    complete one included): 39 random sets of 3 items, each given to the same number of rows."""
    rng = np.random.default_rng(seed)
    n, p = x.shape
    k = 3
    sets: list[tuple[int, ...]] = []
    while len(sets) < n_patterns - 1:
        s = tuple(sorted(rng.choice(p, size=k, replace=False).tolist()))
        if s not in sets:
            sets.append(s)
    n_inc = int(round(share * n * p / k))
    rows = rng.permutation(n)[:n_inc]
    out = x.copy()
    for j, r in enumerate(rows):
        out[r, list(sets[j % len(sets)])] = np.nan
    return out


def best(fn, repeats: int) -> tuple[float, float]:
    """Best wall-clock and best process CPU time (s) of ``repeats`` calls. On a shared machine
    the CPU time (all of the process's threads) is the steadier measure of the work done."""
    wall, cpu = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return min(wall), min(cpu)


def line(label, t, ref=None):
    out = f"  {label:<24}{t[0]:8.3f} s wall {t[1]:8.3f} s CPU"
    if ref is not None:
        out += f"   ratio {t[0] / ref[0]:.2f}x wall, {t[1] / ref[1]:.2f}x CPU (target <= 3x)"
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--n-boot", type=int, default=5000)
    ap.add_argument("--n-big", type=int, default=1_000_000)
    ap.add_argument("--boot-repeats", type=int, default=2)
    ap.add_argument("--fit-repeats", type=int, default=3)
    args = ap.parse_args()

    import csi
    from csi.estimate.pls.model import PLSPathModel
    from csi.survey.model import ModelSpec

    warnings.simplefilter("ignore")
    model = ModelSpec.from_blocks(BLOCKS, PATHS, scale=(1, 10))
    x = simulate(args.n, seed=1)
    xm = with_patterns(x)
    full, miss = pd.DataFrame(x, columns=ITEMS), pd.DataFrame(xm, columns=ITEMS)
    n_pat = len(np.unique(~np.isnan(xm), axis=0))
    print(f"data: N = {args.n}, {np.isnan(xm).mean():.1%} of answers missing, {n_pat} patterns")
    csi.fit(model, full, n_boot=200, seed=0)  # warm-up: imports, compiled kernels
    csi.fit(model, miss, n_boot=200, seed=0)
    t_c = best(lambda: csi.fit(model, full, n_boot=args.n_boot, seed=1), args.boot_repeats)
    t_m = best(lambda: csi.fit(model, miss, n_boot=args.n_boot, seed=1), args.boot_repeats)
    res = csi.fit(model, miss, n_boot=0)
    print(f"bootstrap {args.n_boot} resamples, N = {args.n} (EM {res.missing['em']['iterations']} "
          "iterations at the point estimate):")
    print(line("complete data", t_c))
    print(line("em (10% missing)", t_m, t_c))

    xb = simulate(args.n_big, seed=2)
    xbm = with_patterns(xb, seed=3)
    fb, fbm = pd.DataFrame(xb, columns=ITEMS), pd.DataFrame(xbm, columns=ITEMS)
    del xb, xbm
    PLSPathModel().fit(model, fb.iloc[:30000])  # warm-up: above 20,000 rows the compiled row pass
    PLSPathModel().fit(model, fbm.iloc[:30000])
    f_c = best(lambda: PLSPathModel().fit(model, fb, missing="listwise"), args.fit_repeats)
    f_m = best(lambda: PLSPathModel().fit(model, fbm), args.fit_repeats)
    print(f"single fit, N = {args.n_big:,}:")
    print(line("complete data", f_c))
    print(line("em (10% missing)", f_m, f_c))
    print(f"load average (1, 5, 15 min): {' '.join(Path('/proc/loadavg').read_text().split()[:3])}"
          if Path("/proc/loadavg").exists() else "")


if __name__ == "__main__":
    main()
