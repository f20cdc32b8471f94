"""Simulate the ACSI-shaped reference data set ``acsi_sim.csv`` (fixed seed, numpy only).

Run from the repository root::

    python tests/data/lavaan/simulate_acsi.py

The structural model is the ACSI model (Fornell et al. 1996) with a single binary complaint
item (1 = complained), plus two effects the estimated model leaves out (a quality -> loyalty
path and a cross-loading of pv2 on satisfaction), so chi-square, CFI, TLI and RMSEA are not
at their bounds. Likert items are on a 1-10 scale (rounded and clipped), so the data look
like survey answers. ``tests/golden/test_cbsem_lavaan.py`` checks that this script reproduces
the stored CSV byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
SEED = 20261123
N = 500

#: construct -> (item ids, standardized loadings)
BLOCKS = {
    "expectation": (("ex1", "ex2", "ex3"), (0.80, 0.75, 0.70)),
    "quality": (("pq1", "pq2", "pq3"), (0.85, 0.80, 0.80)),
    "value": (("pv1", "pv2"), (0.85, 0.80)),
    "satisfaction": (("sat1", "sat2", "sat3"), (0.90, 0.85, 0.80)),
    "loyalty": (("loy1", "loy2"), (0.85, 0.75)),
}


def simulate(seed: int = SEED, n: int = N) -> pd.DataFrame:
    """Return the simulated survey answers (one row per respondent)."""
    rng = np.random.default_rng(seed)

    def resid(r2: float) -> np.ndarray:
        return np.sqrt(1.0 - r2) * rng.standard_normal(n)

    eta = {"expectation": rng.standard_normal(n)}
    eta["quality"] = 0.6 * eta["expectation"] + resid(0.36)
    eta["value"] = 0.2 * eta["expectation"] + 0.5 * eta["quality"] + resid(0.45)
    eta["satisfaction"] = (
        0.1 * eta["expectation"] + 0.5 * eta["quality"] + 0.3 * eta["value"] + resid(0.6)
    )
    complaint_star = -0.6 * eta["satisfaction"] + resid(0.36)
    complaint = (complaint_star > 0.9).astype(float)
    # misspecified on purpose (so the fit indices are informative): the csi/lavaan model has no
    # quality -> loyalty path and no cross-loading of pv2 on satisfaction.
    eta["loyalty"] = (
        0.35 * eta["satisfaction"] + 0.45 * eta["quality"] - 0.4 * (complaint - complaint.mean())
        + resid(0.45)
    )
    cols: dict[str, np.ndarray] = {}
    for cid, (items, lams) in BLOCKS.items():
        for it, lam in zip(items, lams, strict=True):
            z = lam * eta[cid] + np.sqrt(1.0 - lam**2) * rng.standard_normal(n)
            if it == "pv2":
                z = z + 0.5 * eta["satisfaction"]
            cols[it] = np.clip(np.round(6.5 + 1.6 * z), 1, 10)
    cols["cmp1"] = complaint
    order = ["ex1", "ex2", "ex3", "pq1", "pq2", "pq3", "pv1", "pv2", "sat1", "sat2", "sat3",
             "cmp1", "loy1", "loy2"]
    df = pd.DataFrame({k: cols[k] for k in order}).astype("int64")
    df.insert(0, "respondent", np.arange(1, n + 1))
    return df


if __name__ == "__main__":
    simulate().to_csv(HERE / "acsi_sim.csv", index=False, lineterminator="\n")
