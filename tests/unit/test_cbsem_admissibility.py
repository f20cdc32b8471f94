"""Admissibility of CB-SEM solutions: collinear constructs, Heywood cases, non-convergence."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from csi.errors import ConvergenceWarning, InadmissibleSolutionWarning
from csi.estimate.cbsem import engine as cbsem_engine
from csi.estimate.cbsem.admissibility import check_admissibility
from csi.estimate.cbsem.engine import fit_sem
from csi.estimate.cbsem.fit import fit_cbsem
from csi.survey.model import ModelSpec


def simulate(n=300, noise=0.08, seed=7) -> pd.DataFrame:
    """Constructs a, b, c = g + noise (correlations ~0.99 for noise 0.08); d depends on g."""
    rng = np.random.default_rng(seed)
    g = rng.normal(size=n)
    lat = {k: g + noise * rng.normal(size=n) for k in "abc"}
    lat["d"] = 0.7 * g + 0.7 * rng.normal(size=n)
    cols = {}
    for k, v in lat.items():
        for i in (1, 2, 3):
            z = 0.8 * v / v.std() + 0.6 * rng.normal(size=n)
            cols[f"{k}{i}"] = np.clip(np.round(5.5 + 1.5 * z), 1, 10)
    return pd.DataFrame(cols)


MODEL = ModelSpec.from_blocks({k: [f"{k}{i}" for i in (1, 2, 3)] for k in "abcd"},
                              [("a", "d"), ("b", "d"), ("c", "d")], scale=(1, 10))


def status(res, check):
    return res.admissibility.set_index("check").loc[check, "status"]


def test_nearly_collinear_constructs_are_flagged_not_silent():
    with pytest.warns(InadmissibleSolutionWarning, match="inadmissible CB-SEM solution"):
        res = fit_cbsem(MODEL, simulate())
    assert (res.admissibility["status"] != "ok").any()
    assert status(res, "construct_condition") == "fail"
    assert status(res, "construct_covariance") == "fail"
    assert any("inadmissible" in w for w in res.warnings)


def test_well_separated_constructs_are_ok():
    res = fit_cbsem(MODEL, simulate(noise=1.0))
    assert (res.admissibility["status"] == "ok").all(), res.admissibility
    assert res.warnings == ()


def _fit():
    return fit_sem("a =~ a1 + a2 + a3\nd =~ d1 + d2 + d3\nd ~ a", simulate(noise=1.0))


def test_heywood_case_negative_variance():
    sf = _fit()
    p = sf.params.copy()
    row = p.index[(p["lhs"] == "a2") & (p["op"] == "~~") & (p["rhs"] == "a2")][0]
    p.loc[row, "estimate"] = -0.1
    adm = check_admissibility(dataclasses.replace(sf, params=p)).set_index("check")
    assert adm.loc["heywood", "status"] == "fail"
    assert "a2 (-0.1)" in adm.loc["heywood", "detail"]


def test_standardized_loading_beyond_one():
    sf = _fit()
    p = sf.params.copy()
    row = p.index[(p["lhs"] == "a") & (p["op"] == "=~") & (p["rhs"] == "a3")][0]
    p.loc[row, "estimate_std"] = 1.2
    adm = check_admissibility(dataclasses.replace(sf, params=p)).set_index("check")
    assert adm.loc["standardized_estimates", "status"] == "fail"
    assert "a =~ a3 = 1.2" in adm.loc["standardized_estimates", "detail"]


def test_singular_information_matrix():
    adm = check_admissibility(dataclasses.replace(_fit(), info_cond=np.inf)).set_index("check")
    assert adm.loc["identification", "status"] == "fail"


def test_non_convergence_warns(monkeypatch):
    real = cbsem_engine._minimize

    def stuck(prob, x0):
        x, fx, mg, nit = real(prob, x0)
        return x, fx, 1.0, nit  # pretend the gradient never vanished

    monkeypatch.setattr(cbsem_engine, "_minimize", stuck)
    with pytest.warns(ConvergenceWarning, match="did not converge from 3 start"):
        res = fit_cbsem(MODEL, simulate(noise=1.0), max_starts=3, seed=0)
    assert not res.converged
    assert status(res, "convergence") == "fail"
