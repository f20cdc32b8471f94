"""Golden tests: csi's quality statistics, PLSc, mediation and PLSpredict against seminr-py.

Reference values: ``tests/data/seminr/reference.json``, made by
``tests/data/seminr/make_reference.py`` with seminr 0.2.1 in the separate ``.bench-venv``
(PROVENANCE.md there). Data: corp_rep (344 respondents, -99 = missing, mean replacement as in
seminr). Point statistics are pinned to 1e-6; bootstrap SEs of the specific indirect
effects (independent resamples in the two tools) within 5 %.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csi.errors import InadmissibleSolutionWarning
from csi.estimate.analysis.indirect import mediation
from csi.estimate.analysis.predict import cut_folds, predict_pls
from csi.estimate.fit import fit
from csi.estimate.pls.model import PLSPathModel
from csi.survey.model import ModelSpec

HERE = Path(__file__).resolve().parent.parent / "data"
REF = json.loads((HERE / "seminr" / "reference.json").read_text())
ATOL = 1e-6
KEYS = ("simple_model", "extended_model")


def _model(key: str) -> ModelSpec:
    r = REF[key]
    blocks = {c: REF["items"][c] for c in r["constructs"]}
    modes = {c: "formative" for c in REF["formative"] if c in blocks}
    return ModelSpec.from_blocks(blocks, [(p["source"], p["target"]) for p in r["paths"]],
                                 scale=(1, 7), modes=modes, missing_codes=(-99,))


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(HERE / "corp_rep" / "corp_rep_data.csv")


@pytest.fixture(scope="module")
def ests(data):
    return {k: PLSPathModel().fit(_model(k), data, missing="mean") for k in KEYS}


@pytest.fixture(scope="module")
def boots(data):
    out = {}
    for k in KEYS:
        with pytest.warns(InadmissibleSolutionWarning) if k == "extended_model" else _no_warn():
            out[k] = fit(_model(k), data, missing="mean", n_boot=5000, seed=7)
    return out


class _no_warn:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


@pytest.mark.parametrize("key", KEYS)
class TestQualityAgainstSeminr:
    def test_reliability(self, ests, key):
        ref, rel = REF[key], ests[key].reliability_.set_index("construct")
        for c in ref["constructs"]:
            np.testing.assert_allclose(rel.loc[c, "rho_a"], ref["rho_a"][c]["rhoA"], atol=ATOL)
            if c in REF["formative"]:
                continue  # seminr prints alpha/rhoC/AVE of a Mode B block; csi reports NaN
            np.testing.assert_allclose(rel.loc[c, "alpha"], ref["alpha"][c]["alpha"], atol=ATOL)
            np.testing.assert_allclose(rel.loc[c, "rho_c"], ref["rho_c_ave"][c]["rhoC"], atol=ATOL)
            np.testing.assert_allclose(rel.loc[c, "ave"], ref["rho_c_ave"][c]["AVE"], atol=ATOL)

    def test_htmt(self, ests, key):
        got = ests[key].htmt_
        n = 0
        for a, b, v in got[["construct_a", "construct_b", "estimate"]].itertuples(index=False):
            r = REF[key]["htmt"][a][b]
            if r is None:
                r = REF[key]["htmt"][b][a]
            np.testing.assert_allclose(v, r, atol=ATOL)
            n += 1
        assert n == len(got) > 0

    def test_vif(self, ests, key):
        ref, est = REF[key], ests[key]
        for row in est.vif_outer_.itertuples(index=False):
            np.testing.assert_allclose(row.vif, ref["vif_items"][row.construct][row.item], atol=ATOL)
        for row in est.vif_inner_.itertuples(index=False):
            np.testing.assert_allclose(row.vif, ref["vif_antecedents"][row.target][row.source], atol=ATOL)
        assert len(est.vif_inner_) == len(ref["paths"])

    def test_f2(self, ests, key):
        # csi's f² holds the construct scores fixed (cSEM, SmartPLS); seminr's model_fsquares
        # re-estimates the model without the path -- the reference computes the former from
        # seminr's construct scores (make_reference.py, _f2_same_scores)
        for row in ests[key].f2_.itertuples(index=False):
            np.testing.assert_allclose(row.f2, REF[key]["f2_same_scores"][row.source][row.target],
                                       atol=ATOL)

    def test_srmr(self, ests, key):
        np.testing.assert_allclose(ests[key].srmr_, REF[key]["srmr"], atol=ATOL)

    def test_plsc_paths(self, data, key):
        est = PLSPathModel(consistent=True).fit(_model(key), data, missing="mean")
        got = est.path_coefficients_.set_index(["source", "target"])["estimate"]
        for p in REF[key]["plsc_paths"]:
            np.testing.assert_allclose(got[(p["source"], p["target"])], p["estimate"], atol=ATOL)

    def test_total_indirect(self, ests, key):
        eff = ests[key].effects_
        for row in eff.itertuples(index=False):
            np.testing.assert_allclose(row.indirect, REF[key]["total_indirect"][row.source][row.target],
                                       atol=ATOL)

    def test_specific_indirect(self, boots, key):
        got = mediation(boots[key])[0].set_index("path")
        ref = REF[key]["specific_indirect"]
        assert sorted(got.index) == sorted(e["path"] for e in ref)
        for e in ref:
            g = got.loc[e["path"]]
            np.testing.assert_allclose(g["estimate"], e["estimate"], atol=ATOL)
            np.testing.assert_allclose(g["se"], e["se"], rtol=0.05)
            assert g["ci_low"] <= g["estimate"] <= g["ci_high"]

    @pytest.mark.parametrize("technique", ["DA", "EA"])
    def test_predict_fixed_folds(self, data, key, technique):
        folds = np.empty(len(data), dtype=int)  # the reference's shuffle, cut as R's cut()
        folds[np.array(REF["predict_ordering"])] = cut_folds(len(data), REF["predict_folds"])
        out = predict_pls(_model(key), data, missing="mean", fold_ids=folds,
                          technique=technique).set_index("item")
        ref = REF[key][f"predict_{technique}"]
        assert sorted(out.index) == sorted(ref)
        for item, v in ref.items():
            for col, rcol in (("rmse", "pls_rmse"), ("mae", "pls_mae"), ("lm_rmse", "lm_rmse"),
                              ("lm_mae", "lm_mae")):
                np.testing.assert_allclose(out.loc[item, col], v[rcol], atol=ATOL)


def test_decomposition_adds_up(boots):
    res = boots["extended_model"]
    spec, dec = mediation(res)
    np.testing.assert_allclose(dec["direct"] + dec["indirect"], dec["total"], atol=1e-12)
    sums = spec.groupby(["source", "target"])["estimate"].sum()
    ind = dec.set_index(["source", "target"])["indirect"]
    for st, v in sums.items():
        np.testing.assert_allclose(v, ind[st], atol=1e-12)
    # a pair without a mediator has no indirect effect and a zero-width interval
    direct_only = dec[(dec["source"] == "CUSA") & (dec["target"] == "CUSL")].iloc[0]
    assert direct_only["indirect"] == 0 and direct_only["indirect_ci_high"] == 0
