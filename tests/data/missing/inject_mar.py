"""Inject MAR missingness into the two complete reference data sets (deterministic).

Run from the repository root: ``python tests/data/missing/inject_mar.py`` (numpy 2.x
``default_rng``; ``tests/golden/test_missing_lavaan.py`` checks the CSVs are reproduced).

MAR: the probability that an item is missing depends only on an item that is always answered
(``x1`` for Political Democracy, ``sat1`` for the ACSI data), through a logistic curve, so
missingness is related to the values but ignorable for likelihood methods.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def _read(name):
    with open(HERE / name, newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], np.array([[float(v) for v in r] for r in rows[1:]])


def _write(name, header, x, out_dir=HERE):
    with open(Path(out_dir) / name, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for r in x:
            w.writerow(["NA" if np.isnan(v) else f"{v:.10g}" for v in r])


def inject(name_in, name_out, driver, targets, base, slope, seed, out_dir=HERE):
    header, x = _read(name_in)
    rng = np.random.default_rng(seed)
    z = x[:, header.index(driver)]
    z = (z - z.mean()) / z.std()
    out = x.copy()
    for t in targets:
        prob = 1.0 / (1.0 + np.exp(-(base + slope * z)))
        out[rng.random(len(z)) < prob, header.index(t)] = np.nan
    _write(name_out, header, out, out_dir)


def main(out_dir=HERE):
    inject("pd_complete.csv", "pd_mar.csv", "x1", ["x3", "y2", "y3", "y6", "y7", "y8"],
           base=-1.6, slope=1.2, seed=20261202, out_dir=out_dir)
    inject("acsi_complete.csv", "acsi_mar.csv", "sat1",
           ["ex2", "ex3", "pq2", "pq3", "pv2", "sat3", "loy2"], base=-2.0, slope=-1.0, seed=20261203,
           out_dir=out_dir)


if __name__ == "__main__":
    main()
