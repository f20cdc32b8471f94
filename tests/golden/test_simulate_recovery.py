"""Recovery of the true structural paths from `csi simulate` data (issue 3).

Data: the flagship survey simulated at N = 5,000 (seeds 3-10) by ``csi.simulate`` from its
population model (1-10 items discretised from loadings x latent + noise, don't-know and
skipped answers, segment and wave effects, a binary complaint item). Estimator: consistent
PLS (PLSc), which corrects the attenuation of classic PLS on common-factor data. The truth is
``truth["paths"]``; for the binary complaint construct the path *into* it is compared with
``truth["paths_on_binary_indicator"]`` (the correlation-scale value of the 0/1 indicator).
Criterion: |mean estimate - truth| < 0.02 for every path. The fits are listwise, as they were
written (the data's don't-know and skipped answers are MCAR here; the missing-data policies
have their own recovery tests in ``test_missing_recovery.py``).
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import csi
from csi.simulate import simulate_responses

SEEDS = range(3, 11)


@pytest.mark.slow
def test_plsc_recovers_simulated_paths(flagship):
    estimates, truth = [], None
    for seed in SEEDS:
        frame, truth = simulate_responses(flagship, n=5000, seed=seed)
        with warnings.catch_warnings():
            # single-item complaint construct: rho_A = 1 is expected and reported, not an error here
            warnings.simplefilter("ignore")
            res = csi.fit(flagship, frame, n_boot=0, consistent=True, missing="listwise")
        estimates.append(res.path_coefficients.set_index(["source", "target"])["estimate"])
    true = {(p["source"], p["target"]): p["coefficient"] for p in truth["paths"]}
    true |= {(p["source"], p["target"]): p["coefficient"] for p in truth["paths_on_binary_indicator"]}
    table = pd.concat(estimates, axis=1).mean(axis=1).rename("mean").to_frame()
    table["truth"] = pd.Series(true)
    table["bias"] = table["mean"] - table["truth"]
    print("\n" + table.round(4).to_string())
    assert table["truth"].notna().all()
    assert (table["bias"].abs() < 0.02).all(), table
