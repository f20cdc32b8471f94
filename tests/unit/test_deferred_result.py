"""Results build their tables on first access (csi.fit without a bootstrap) and are then the same
as eagerly built ones: values, pickling (the app's cache), copies; a refit drops old tables."""

from __future__ import annotations

import copy
import pickle
import warnings
from dataclasses import fields

import numpy as np
import pandas as pd
import pytest

import csi
from csi.estimate.pls.model import PLSPathModel
from csi.estimate.results import IndexResult

LAV = "Q =~ q1 + q2 + q3\nS =~ s1 + s2\nL =~ l1 + l2\nS ~ Q\nL ~ Q + S"


def _data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    q = rng.normal(size=n)
    s = 0.6 * q + 0.8 * rng.normal(size=n)
    lat = {"q": q, "s": s, "l": 0.3 * q + 0.5 * s + 0.7 * rng.normal(size=n)}
    cols = {f"{c}{i}": lat[c] + 0.6 * rng.normal(size=n) for c, k in (("q", 3), ("s", 2), ("l", 2))
            for i in range(1, k + 1)}
    return pd.DataFrame({k: np.clip(np.round(4 + 1.2 * v), 1, 7) for k, v in cols.items()})


def _same(a: IndexResult, b: IndexResult):
    for f in fields(IndexResult):
        va, vb = getattr(a, f.name), getattr(b, f.name)
        if isinstance(va, pd.DataFrame):
            pd.testing.assert_frame_equal(va, vb)
        elif f.name == "extra":
            assert va.keys() == vb.keys()
        elif f.name != "model":
            assert va == vb, f.name


@pytest.fixture(scope="module")
def fitted():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return csi.fit(LAV, _data(), scale=(1, 7), n_boot=0)


def test_tables_are_built_on_first_access(fitted):
    r = copy.copy(fitted)  # a copy resolves everything; the fixture itself stays deferred
    assert "reliability" in r.__dict__
    fresh = csi.fit(LAV, _data(), scale=(1, 7), n_boot=0)
    assert "reliability" not in fresh.__dict__ and "htmt" not in fresh.__dict__
    rel = fresh.reliability
    assert "reliability" in fresh.__dict__ and fresh.reliability is rel
    assert fresh.options["alpha"] == 0.05 and fresh.model.construct_ids == ("Q", "S", "L")


def test_pickle_and_copy_equal_the_deferred_result(fitted):
    back = pickle.loads(pickle.dumps(fitted))
    assert "_deferred" not in back.__dict__
    _same(back, fitted)
    _same(copy.deepcopy(fitted), fitted)


def test_deferred_equals_eager_assembly(fitted):
    eager = IndexResult(**{f.name: getattr(fitted, f.name) for f in fields(IndexResult)})
    _same(eager, fitted)


def test_a_refit_drops_the_previous_tables():
    m = csi.parse_lavaan(LAV, scale=(1, 7))
    est = PLSPathModel().fit(m, _data(seed=1))
    first = est.loadings_.copy()
    est.fit(m, _data(seed=2))
    assert not np.allclose(est.loadings_["estimate"], first["estimate"])
    pd.testing.assert_frame_equal(est.loadings_, PLSPathModel().fit(m, _data(seed=2)).loadings_)


def test_result_tables_equal_the_estimators_tables(fitted):
    """The result builds its tables from the fit's statistics; they hold the estimator's numbers
    (and its dtypes) plus the interval columns."""
    est = PLSPathModel().fit(csi.parse_lavaan(LAV, scale=(1, 7)), _data())
    for name, table in (("path_coefficients", est.path_coefficients_), ("loadings", est.loadings_),
                        ("weights", est.outer_weights_), ("r2", est.r2_), ("index", est.index_),
                        ("htmt", est.htmt_), ("unstandardized_weights", est.unstandardized_weights_),
                        ("reliability", est.reliability_)):
        got = getattr(fitted, name)
        pd.testing.assert_frame_equal(got[list(table.columns)], table)
    eff = est.effects_
    pd.testing.assert_frame_equal(fitted.total_effects[["source", "target", "estimate"]],
                                  eff[["source", "target"]].assign(estimate=eff["total"]))
    assert fitted.reliability["rho_c"].between(0, 1).all()


def test_typed_attributes_are_the_estimators_tables(fitted):
    est = PLSPathModel().fit(csi.parse_lavaan(LAV, scale=(1, 7)), _data())
    for name, table in (("effects", est.effects_), ("f2", est.f2_), ("vif_outer", est.vif_outer_),
                        ("vif_inner", est.vif_inner_), ("cross_loadings", est.cross_loadings_),
                        ("fornell_larcker", est.fornell_larcker_),
                        ("construct_correlations", est.construct_correlations_)):
        pd.testing.assert_frame_equal(getattr(fitted, name), table)
    assert fitted.f2 is fitted.extra["f2"]  # the same object the extra dict holds
