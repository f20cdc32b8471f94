"""Missing data against lavaan 0.6.14: EM (saturated FIML) moments to 1e-4, CB-SEM FIML to 1e-3.

Reference values: ``tests/data/missing/*_fiml.json`` from ``missing_reference.R`` (see
``tests/data/missing/PROVENANCE.md``); R is not needed to run these tests.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csi.estimate.cbsem.fit import fit_cbsem
from csi.estimate.missing import PatternMoments, em
from csi.estimate.missing.fiml import fiml_fit_indices, fit_sem_fiml
from csi.survey.model import ACSI_DEFAULT_PATHS, ConstructSpec, ItemSpec, ModelSpec

DATA = Path(__file__).resolve().parents[1] / "data" / "missing"
NAMES = ["pd", "acsi"]
FIT_MAP = {"chi2": "chisq", "df": "df", "cfi": "cfi", "tli": "tli", "rmsea": "rmsea",
           "baseline_chi2": "baseline.chisq"}
ACSI_BLOCKS = {
    "expectation": ("ex1", "ex2", "ex3"), "quality": ("pq1", "pq2", "pq3"), "value": ("pv1", "pv2"),
    "satisfaction": ("sat1", "sat2", "sat3"), "complaint": ("cmp1",), "loyalty": ("loy1", "loy2"),
}


def ref(name):
    return json.loads((DATA / f"{name}_fiml.json").read_text())


def data(name):
    return pd.read_csv(DATA / f"{name}_mar.csv")


def test_injection_script_reproduces_the_csvs(tmp_path):
    spec = importlib.util.spec_from_file_location("inject_mar", DATA / "inject_mar.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.main(out_dir=tmp_path)
    for name in NAMES:
        assert (tmp_path / f"{name}_mar.csv").read_text() == (DATA / f"{name}_mar.csv").read_text()


@pytest.mark.parametrize("name", NAMES)
def test_em_equals_lavaan_saturated_fiml(name):
    r = ref(name)
    res = em(PatternMoments.from_frame(data(name), r["variables"]))
    assert res.converged
    np.testing.assert_allclose(res.mean, r["h1_mean"], atol=1e-4)
    np.testing.assert_allclose(res.cov, r["h1_cov"], atol=1e-4)


@pytest.mark.parametrize("name", NAMES)
def test_em_does_not_depend_on_the_centre_or_the_start(name):
    r = ref(name)
    d = data(name)[r["variables"]]
    a = em(PatternMoments.from_frame(d, center=np.zeros(d.shape[1])), tol=1e-10)
    b = em(PatternMoments.from_frame(d), tol=1e-10, start=(np.asarray(r["h1_mean"]) + 0.5,
                                                            np.diag(np.diag(r["h1_cov"]))))
    np.testing.assert_allclose(a.mean, b.mean, atol=1e-7)
    np.testing.assert_allclose(a.cov, b.cov, atol=1e-7)


def _params_match(params, r):
    lav = pd.DataFrame(r["params"])
    lav = lav[lav["op"] != "~1"]
    m = params.merge(lav, on=["lhs", "op", "rhs"], how="inner")
    assert len(m) == len(lav)
    return m


def _description(r, name):
    desc = r["syntax"]
    return desc + "\ncmp1 ~~ 0*cmp1" if name == "acsi" else desc  # lavaan's auto.fix.single


@pytest.mark.parametrize("name", NAMES)
def test_fiml_engine_equals_lavaan(name):
    r = ref(name)
    sf, info = fit_sem_fiml(_description(r, name), data(name))
    assert sf.converged
    m = _params_match(sf.params, r)
    np.testing.assert_allclose(m["estimate"], m["est"], atol=1e-3)
    free = m["se_y"] > 0
    np.testing.assert_allclose(m.loc[free, "se_x"], m.loc[free, "se_y"], atol=1e-3)
    assert info["loglik"] == pytest.approx(r["loglik"], abs=1e-3)
    fi = fiml_fit_indices(sf, info, data(name)[sf.observed])
    for ours, theirs in FIT_MAP.items():
        assert fi[ours] == pytest.approx(r["fit"][theirs], abs=1e-3), ours


def test_fit_cbsem_fiml_on_the_acsi_model():
    cons = tuple(ConstructSpec(c, its, binary=(c == "complaint")) for c, its in ACSI_BLOCKS.items())
    items = {it: ItemSpec(it, 0, 1) if it == "cmp1" else ItemSpec(it, 1, 10)
             for its in ACSI_BLOCKS.values() for it in its}
    res = fit_cbsem(ModelSpec(cons, ACSI_DEFAULT_PATHS, items), data("acsi"), missing="fiml")
    lav = pd.DataFrame(ref("acsi")["params"])
    lav = lav[lav["op"] == "~"].set_index(["rhs", "lhs"])
    got = res.path_coefficients.set_index(["source", "target"])
    np.testing.assert_allclose(got["estimate_unstd"], lav.loc[got.index, "est"], atol=1e-3)
    np.testing.assert_allclose(got["se_unstd"], lav.loc[got.index, "se"], atol=1e-3)
    assert res.missing["policy"] == "fiml" and res.missing["n_used"] == 500
    assert res.missing["em"]["converged"] and res.missing["by_type"]["no_answer"] == 547
    assert res.fit["chi2"] == pytest.approx(ref("acsi")["fit"]["chisq"], abs=1e-3)


def test_fiml_alpha_and_htmt_come_from_the_saturated_ml_correlations():
    # alpha (standardized) and HTMT from lavaan's h1 covariance, not from pairwise-complete
    # correlations of the MAR data (which are biased under MAR)
    r = ref("acsi")
    cons = tuple(ConstructSpec(c, its, binary=(c == "complaint")) for c, its in ACSI_BLOCKS.items())
    items = {it: ItemSpec(it, 0, 1) if it == "cmp1" else ItemSpec(it, 1, 10)
             for its in ACSI_BLOCKS.values() for it in its}
    res = fit_cbsem(ModelSpec(cons, ACSI_DEFAULT_PATHS, items), data("acsi"), missing="fiml")
    cov = pd.DataFrame(r["h1_cov"], index=r["variables"], columns=r["variables"])
    sd = np.sqrt(np.diag(cov))
    corr = cov / np.outer(sd, sd)
    rel = res.reliability.set_index("construct")
    for c, its in ACSI_BLOCKS.items():
        if len(its) > 1:
            k = len(its)
            alpha = k / (k - 1) * (1 - k / corr.loc[list(its), list(its)].to_numpy().sum())
            assert rel.loc[c, "alpha"] == pytest.approx(alpha, abs=1e-4), c
    a, b = ACSI_BLOCKS["quality"], ACSI_BLOCKS["satisfaction"]
    het = corr.loc[list(a), list(b)].to_numpy().mean()
    mono = [corr.loc[list(s), list(s)].to_numpy()[np.triu_indices(3, 1)].mean() for s in (a, b)]
    got = res.htmt.set_index(["construct_a", "construct_b"])
    key = ("quality", "satisfaction") if ("quality", "satisfaction") in got.index else ("satisfaction", "quality")
    assert got.loc[key, "estimate"] == pytest.approx(het / np.sqrt(mono[0] * mono[1]), abs=1e-4)
    pairwise = data("acsi")[list(ACSI_BLOCKS["satisfaction"])].corr().to_numpy()
    k = 3
    assert abs(k / (k - 1) * (1 - k / pairwise.sum()) - rel.loc["satisfaction", "alpha"]) > 1e-4


def _acsi_model():
    cons = tuple(ConstructSpec(c, its, binary=(c == "complaint")) for c, its in ACSI_BLOCKS.items())
    items = {it: ItemSpec(it, 0, 1) if it == "cmp1" else ItemSpec(it, 1, 10)
             for its in ACSI_BLOCKS.values() for it in its}
    return ModelSpec(cons, ACSI_DEFAULT_PATHS, items)


@pytest.mark.slow
def test_fiml_bootstrap_ses_are_close_to_lavaans_fiml_ses():
    # every resample is refitted by FIML; the bootstrap SD of each free parameter estimates the
    # same sampling SD as lavaan's observed-information SE (500 respondents, 7.3% of the cells
    # missing under MAR). Monte Carlo error of an SD from 200 resamples: ~5%; the binary
    # complaint item's variance is the least normal (bootstrap ~1.2x the normal-theory SE).
    res = fit_cbsem(_acsi_model(), data("acsi"), missing="fiml", n_boot=200, seed=1)
    assert res.extra["bootstrap"]["n_valid"] == 200 and res.extra["bootstrap"]["refit"] == "fiml"
    se_boot = res.extra["replicates"]["parameters"].std(ddof=1)
    lav = pd.DataFrame(ref("acsi")["params"])
    lav = lav[(lav["op"] != "~1") & (lav["se"] > 0)].set_index(["lhs", "op", "rhs"])
    ratio = se_boot.loc[lav.index].to_numpy() / lav["se"].to_numpy()
    assert len(ratio) == 36
    assert abs(np.median(ratio) - 1.0) < 0.05
    assert ratio.min() > 0.8 and ratio.max() < 1.35
