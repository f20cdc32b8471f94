"""CB-SEM against lavaan 0.6.14: estimates, SEs, standardized solution and fit indices to 1e-3.

Reference values: ``tests/data/lavaan/*.json``, produced by ``lavaan_reference.R`` (see
``tests/data/lavaan/PROVENANCE.md``); R is not needed to run these tests.

Two levels are checked, as in statsmodels' ``Check*`` mixins:

- the semopy-description level (:func:`csi.estimate.cbsem.engine.fit_sem` +
  :func:`csi.estimate.cbsem.fit_indices.fit_indices`), which accepts residual covariances and
  so covers Bollen's Political Democracy model;
- the ModelSpec level (:func:`csi.estimate.cbsem.fit.fit_cbsem`, and ``csi.fit(method="cbsem")``),
  on the simulated ACSI model with a binary single-item complaint construct, and with a second
  single-item construct (the case where semopy's own CFI/TLI baseline breaks).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from semopy.examples import political_democracy

from csi.estimate.cbsem.engine import fit_sem
from csi.estimate.cbsem.fit import fit_cbsem
from csi.estimate.cbsem.fit_indices import FIT_KEYS, fit_indices
from csi.survey.model import ACSI_DEFAULT_PATHS, ConstructSpec, ItemSpec, ModelSpec

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data" / "lavaan"
ATOL = 1e-3

#: csi fit key -> lavaan fitMeasures name
FIT_MAP = {
    "chi2": "chisq", "df": "df", "p_value": "pvalue", "cfi": "cfi", "tli": "tli",
    "rmsea": "rmsea", "rmsea_ci_low": "rmsea.ci.lower", "rmsea_ci_high": "rmsea.ci.upper",
    "srmr": "srmr",
}

ACSI_BLOCKS = {
    "expectation": ("ex1", "ex2", "ex3"),
    "quality": ("pq1", "pq2", "pq3"),
    "value": ("pv1", "pv2"),
    "satisfaction": ("sat1", "sat2", "sat3"),
    "complaint": ("cmp1",),
    "loyalty": ("loy1", "loy2"),
}


def load_ref(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text())


def acsi_data() -> pd.DataFrame:
    return pd.read_csv(DATA / "acsi_sim.csv")


def acsi_model(single_value: bool = False) -> ModelSpec:
    blocks = dict(ACSI_BLOCKS)
    if single_value:
        blocks["value"] = ("pv1",)
    cons = tuple(ConstructSpec(c, its, binary=(c == "complaint")) for c, its in blocks.items())
    items = {it: ItemSpec(it, 0, 1) if it == "cmp1" else ItemSpec(it, 1, 10)
             for its in blocks.values() for it in its}
    return ModelSpec(cons, ACSI_DEFAULT_PATHS, items)


def semopy_description(ref: dict) -> str:
    """lavaan syntax + the single-item fixes lavaan applies itself (auto.fix.single)."""
    desc = ref["syntax"]
    for p in ref["params"]:
        if p["op"] == "~~" and p["lhs"] == p["rhs"] and p["se"] == 0 and p["est"] == 0:
            desc += f"\n{p['lhs']} ~~ 0*{p['lhs']}"
    return desc


def compare_params(params: pd.DataFrame, ref: dict) -> pd.DataFrame:
    lav = pd.DataFrame(ref["params"])
    lav = lav[~((lav["op"] == "~~") & (lav["se"] == 0) & (lav["est"] == 0))]  # fixed zeros
    m = lav.merge(params, on=["lhs", "op", "rhs"], how="left", suffixes=("_lav", ""))
    assert m["estimate"].notna().all(), m.loc[m["estimate"].isna(), ["lhs", "op", "rhs"]]
    assert len(m) == len(params[params["free"] | (params["op"] == "=~")])
    return m


class CheckLavaan:
    """Mixin: ``self.params`` (SemFit.params), ``self.fit`` (dict), ``self.ref`` (lavaan JSON)."""

    ref: dict
    params: pd.DataFrame
    fit: dict

    def test_estimates(self):
        m = compare_params(self.params, self.ref)
        np.testing.assert_allclose(m["estimate"], m["est"], atol=ATOL)

    def test_standard_errors(self):
        m = compare_params(self.params, self.ref)
        free = m["se_lav"] > 0
        np.testing.assert_allclose(m.loc[free, "se"], m.loc[free, "se_lav"], atol=ATOL)

    def test_standardized(self):
        m = compare_params(self.params, self.ref)
        np.testing.assert_allclose(m["estimate_std"], m["est_std"], atol=ATOL)
        ok = m["se_std_lav"].notna() & (m["se_std_lav"] > 0)
        np.testing.assert_allclose(m.loc[ok, "se_std"], m.loc[ok, "se_std_lav"], atol=ATOL)

    def test_fit_indices(self):
        for key, lav in FIT_MAP.items():
            assert self.fit[key] == pytest.approx(self.ref["fit"][lav], abs=ATOL), key
        assert self.fit["baseline_chi2"] == pytest.approx(self.ref["fit"]["baseline.chisq"], abs=ATOL)
        assert self.fit["baseline_df"] == self.ref["fit"]["baseline.df"]


class DescriptionLevel(CheckLavaan):
    name: str
    data: pd.DataFrame

    @pytest.fixture(autouse=True, scope="class")
    @classmethod
    def _fit(cls):
        cls.ref = load_ref(cls.name)
        sf = fit_sem(semopy_description(cls.ref), cls.data())
        assert sf.converged
        cls.params = sf.params
        cls.fit = fit_indices(sf.S, sf.sigma, sf.n_obs, sf.n_free)


class TestPoliticalDemocracy(DescriptionLevel):
    name = "political_democracy"
    data = staticmethod(political_democracy.get_data)


class TestACSIDescription(DescriptionLevel):
    name = "acsi_sim"
    data = staticmethod(acsi_data)


class TestACSISingleItemDescription(DescriptionLevel):
    name = "acsi_sim_single"
    data = staticmethod(acsi_data)


class ModelSpecLevel(CheckLavaan):
    name: str
    single_value: bool

    @pytest.fixture(autouse=True, scope="class")
    @classmethod
    def _fit(cls):
        cls.ref = load_ref(cls.name)
        res = fit_cbsem(acsi_model(cls.single_value), acsi_data())
        cls.result = res
        cls.params = res.extra["parameters"]
        cls.fit = {**res.fit, **{k: res.extra["fit_detail"][k]
                                 for k in ("baseline_chi2", "baseline_df")}}

    def test_fit_dict_has_exactly_the_json_keys(self):
        assert list(self.result.fit) == list(FIT_KEYS)

    def test_paths_table(self):
        lav = pd.DataFrame(self.ref["params"])
        lav = lav[lav["op"] == "~"]
        m = self.result.path_coefficients.merge(
            lav, left_on=["target", "source"], right_on=["lhs", "rhs"], how="inner",
            suffixes=("", "_lav"))
        assert len(m) == len(self.result.path_coefficients) == len(ACSI_DEFAULT_PATHS)
        np.testing.assert_allclose(m["estimate"], m["est_std"], atol=ATOL)
        np.testing.assert_allclose(m["se"], m["se_std"], atol=ATOL)
        np.testing.assert_allclose(m["estimate_unstd"], m["est"], atol=ATOL)
        np.testing.assert_allclose(m["se_unstd"], m["se_lav"], atol=ATOL)
        np.testing.assert_allclose(m["p_value_unstd"], m["pvalue"], atol=ATOL)

    def test_r2(self):
        r2 = self.result.r2.set_index("construct")["r2"]
        for c, v in r2.items():
            assert v == pytest.approx(self.ref["r2"][c], abs=ATOL), c

    def test_cfi_tli_finite_with_single_item_constructs(self):
        # semopy 2.3's calc_stats reports CFI = 1 and TLI = NaN here (its baseline keeps the
        # fixed error variances and diverges); csi's baseline is diag(S).
        assert np.isfinite(self.fit["cfi"]) and np.isfinite(self.fit["tli"])
        assert self.fit["cfi"] < 0.999

    def test_admissible(self):
        assert self.result.converged
        assert (self.result.admissibility["status"] == "ok").all()


class TestACSIModelSpec(ModelSpecLevel):
    name = "acsi_sim"
    single_value = False


class TestACSISingleItemModelSpec(ModelSpecLevel):
    name = "acsi_sim_single"
    single_value = True


def test_through_csi_fit():
    import csi

    res = csi.fit(acsi_model(), acsi_data(), method="cbsem")
    ref = load_ref("acsi_sim")
    assert res.method == "cbsem"
    for key, lav in FIT_MAP.items():
        assert res.fit[key] == pytest.approx(ref["fit"][lav], abs=ATOL), key


def test_political_democracy_semopy_shipped_lavaan_estimates():
    """semopy ships lavaan's estimates for its example model without ``y4 ~~ y8``."""
    desc = political_democracy.get_model().replace("y4 ~~ y8\n", "")
    sf = fit_sem(desc, political_democracy.get_data())
    ref = political_democracy.get_params().rename(columns={"lval": "lhs", "rval": "rhs"})
    m = ref.merge(sf.params, on=["lhs", "op", "rhs"], how="left")
    assert m["estimate"].notna().all() and len(m) == 33
    np.testing.assert_allclose(m["estimate"], m["Estimate"], atol=ATOL)


def test_simulation_script_reproduces_the_csv():
    import importlib.util

    spec = importlib.util.spec_from_file_location("simulate_acsi", DATA / "simulate_acsi.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    pd.testing.assert_frame_equal(mod.simulate(), acsi_data())
