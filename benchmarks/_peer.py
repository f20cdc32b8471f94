"""Run one peer (seminr or plspm) on an .npy data file; print JSON (time, paths).

Executed with the benchmark env's Python (``.bench-venv``), never imported by csi.
Usage: python _peer.py TOOL TASK DATA.npy [N_BOOT]
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ecsi import BLOCKS, ITEMS, PATHS  # noqa: E402


def _reps(n: int) -> int:
    """Best-of repeats, as for csi (20 up to 1k respondents, 5 up to 10k, 3 up to 100k, 1 above)."""
    return 20 if n <= 1_000 else 5 if n <= 10_000 else (3 if n <= 100_000 else 1)


def run_seminr(df, task, n_boot, boot_repeats=1):
    import seminr as s

    mm = s.constructs(*[s.composite(c, its, weights=s.mode_A) for c, its in BLOCKS.items()])
    sm = s.relationships(*[s.paths(a, b) for a, b in PATHS])
    best = best_cpu = float("inf")
    m = None
    for _ in range(_reps(len(df))):
        m = None  # the previous repeat's model is freed first (as in _csi_worker._best)
        t0, c0 = time.perf_counter(), time.process_time()
        m = s.estimate_pls(df, mm, sm)
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    out = {"fit_time": best, "fit_cpu": best_cpu}
    pc = m.path_coef
    out["paths"] = {f"{a}->{b}": float(pc.values[pc.rows.index(a), pc.cols.index(b)]) for a, b in PATHS}
    if task == "boot":
        best = float("inf")
        for _ in range(boot_repeats):
            t0 = time.perf_counter()
            b = s.bootstrap_model(m, nboot=n_boot, seed=1, cores=2)
            best = min(best, time.perf_counter() - t0)
        out["boot_time"] = best
        out["boot_fails"] = int(b.fails)
    return out


def run_plspm(df, task, n_boot, boot_repeats=1):
    import plspm.config as c
    from plspm.mode import Mode
    from plspm.plspm import Plspm
    from plspm.scheme import Scheme

    names = list(BLOCKS)
    path = pd.DataFrame(0, index=names, columns=names)
    for a, b in PATHS:
        path.loc[b, a] = 1
    z = (df - df.mean()) / df.std(ddof=1)  # per-column standardization (see module notes)
    best = float("inf")
    for _ in range(_reps(len(df))):
        t0 = time.perf_counter()
        cfg = c.Config(path, scaled=False)
        for name, its in BLOCKS.items():
            cfg.add_lv(name, Mode.A, *[c.MV(i) for i in its])
        m = Plspm(z, cfg, Scheme.PATH, iterations=300, tolerance=1e-7)
        pc = m.path_coefficients()
        best = min(best, time.perf_counter() - t0)
    return {"fit_time": best,
            "paths": {f"{a}->{b}": float(pc.loc[b, a]) for a, b in PATHS}}


def main():
    tool, task, path = sys.argv[1:4]
    n_boot = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    boot_repeats = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    x = np.load(path)
    df = pd.DataFrame(x, columns=ITEMS)
    out = (run_seminr if tool == "seminr" else run_plspm)(df, task, n_boot, boot_repeats)
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


if __name__ == "__main__":
    main()
