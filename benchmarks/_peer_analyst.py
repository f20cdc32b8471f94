"""seminr-py side of bench_analyst.py (run with .bench-venv's Python; never imported by csi).

Usage: python _peer_analyst.py SPEC.json DATA.csv N_PERM_MEASURED
Prints one JSON line: predict_time (10 folds x 10 repetitions of seminr.predict_pls) and
micom_perm_time (per permutation: the two group re-estimations a MICOM permutation needs;
seminr-py has no MICOM).
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
import pandas as pd
import seminr as s


def main():
    with open(sys.argv[1]) as fh:
        spec = json.load(fh)
    df = pd.read_csv(sys.argv[2])
    n_perm = int(sys.argv[3])
    mm = s.constructs(*[s.composite(c, its, weights=s.mode_B if c in spec["formative"] else s.mode_A)
                        for c, its in spec["blocks"].items()])
    sm = s.relationships(*[s.paths(a, b) for a, b in spec["paths"]])
    items = df[[i for its in spec["blocks"].values() for i in its]]
    m = s.estimate_pls(items, mm, sm)
    t0 = time.perf_counter()
    for r in range(10):
        s.predict_pls(m, no_folds=10, seed=r)
    t_pred = time.perf_counter() - t0
    g = df["group"].to_numpy()
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    for _ in range(n_perm):
        pg = rng.permutation(g)
        s.estimate_pls(items[pg == 0].reset_index(drop=True), mm, sm)
        s.estimate_pls(items[pg == 1].reset_index(drop=True), mm, sm)
    t_perm = (time.perf_counter() - t0) / n_perm
    print(json.dumps({"predict_time": t_pred, "micom_perm_time": t_perm}))


if __name__ == "__main__":
    main()
