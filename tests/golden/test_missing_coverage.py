"""Bootstrap-CI coverage with missing data under MAR (recovery test on simulated data; slow).

200 data sets of 250 respondents from a two-construct model (population values: the PLS
path and 0-100 index of a complete-data fit at N = 400,000 from the same population); in
each, a2, b1 and b2 are deleted with a logistic probability in the always-answered a1 (MAR,
~18% of the answers). ``csi.fit`` (missing="em", EM re-run in every resample) with 200
resamples: the 95% percentile intervals must cover the population values in 93-97% of the
data sets.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi.estimate.fit import fit

LAV = "A =~ a1 + a2 + a3\nB =~ b1 + b2\nB ~ A\n"
SCALE = (-50, 58)  # theoretical bounds wide enough that no value is clipped


def draw(n, rng):
    z = rng.normal(size=n)
    w = 0.6 * z + 0.8 * rng.normal(size=n)
    cols = {f"a{i}": 4 + z + 0.8 * rng.normal(size=n) for i in (1, 2, 3)}
    cols |= {f"b{i}": 4 + w + 0.8 * rng.normal(size=n) for i in (1, 2)}
    return pd.DataFrame(cols)


@pytest.mark.slow
def test_em_bootstrap_coverage_under_mar():
    rng = np.random.default_rng(20261202)
    big = fit(LAV, draw(400_000, rng), scale=SCALE, n_boot=0, missing="listwise")
    truth_path = big.path_coefficients["estimate"].iloc[0]
    truth_index = big.index.set_index("construct").loc["B", "score"]
    hits_path, hits_index, share = [], [], []
    for rep in range(200):
        d = draw(250, rng)
        p = 1 / (1 + np.exp(-(-1.4 + 1.2 * (d["a1"] - 4))))
        for c in ("a2", "b1", "b2"):
            d.loc[rng.random(len(d)) < p, c] = np.nan
        share.append(d.isna().to_numpy().mean())
        r = fit(LAV, d, scale=SCALE, n_boot=200, seed=rep)
        path = r.path_coefficients.iloc[0]
        idx = r.index.set_index("construct").loc["B"]
        hits_path.append(path["ci_low"] <= truth_path <= path["ci_high"])
        hits_index.append(idx["ci_low"] <= truth_index <= idx["ci_high"])
    assert 0.15 < np.mean(share) < 0.22
    assert 0.93 <= np.mean(hits_path) <= 0.97, np.mean(hits_path)
    assert 0.93 <= np.mean(hits_index) <= 0.97, np.mean(hits_index)
