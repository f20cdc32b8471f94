"""Golden tests: csi's 0-100 index, IPMA and path bootstrap SEs against outside software on corp_rep.

Reference values: ``tests/data/ipma/reference.json``, made by
``tests/data/ipma/make_reference.py`` in the separate ``.bench-venv`` (seminr-py 0.2.1 estimates;
the IPMA by cSEM's ``doIPMA`` definition computed from seminr's weights and paths; PROVENANCE.md
there). Point values are pinned to 1e-6; bootstrap SEs (independent resamples in the two
tools, 5,000 each) within 5 %.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csi.drivers.ipma import ipma_table
from csi.estimate.fit import fit
from csi.survey.model import ModelSpec

HERE = Path(__file__).resolve().parent.parent / "data"
REF = json.loads((HERE / "ipma" / "reference.json").read_text())
ITEMS = json.loads((HERE / "seminr" / "reference.json").read_text())["items"]
ATOL = 1e-6
FORMATIVE = {"QUAL", "PERF", "CSOR", "ATTR"}
CORE = [("COMP", "CUSA"), ("COMP", "CUSL"), ("LIKE", "CUSA"), ("LIKE", "CUSL"), ("CUSA", "CUSL")]
MODELS = {
    "simple_model": (["COMP", "LIKE", "CUSA", "CUSL"], CORE),
    "extended_model": (["QUAL", "PERF", "CSOR", "ATTR", "COMP", "LIKE", "CUSA", "CUSL"],
                       [(a, b) for a in ("QUAL", "PERF", "CSOR", "ATTR") for b in ("COMP", "LIKE")] + CORE),
}


def _spec(key: str) -> ModelSpec:
    names, paths = MODELS[key]
    return ModelSpec.from_blocks({c: ITEMS[c] for c in names}, paths, scale=(1, 7),
                                 modes={c: "formative" for c in names if c in FORMATIVE}, missing_codes=(-99,))


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(HERE / "corp_rep" / "corp_rep_data.csv")


@pytest.fixture(scope="module")
def fits(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the extended model's inadmissible-solution warning (QUAL's weights)
        return {k: fit(_spec(k), data, missing="mean", n_boot=0) for k in MODELS}


def _items_0_100(data: pd.DataFrame, items: list[str]) -> pd.DataFrame:
    x = data[items].replace(-99, np.nan)
    return (x.fillna(x.mean()) - 1) / 6 * 100


@pytest.mark.parametrize("key", list(MODELS))
def test_index_is_csem_performance(fits, key):
    """The 0-100 index of each construct = cSEM's IPMA performance (mean of the normed-weight
    scores of the 0-100 rescaled items)."""
    got = fits[key].index.set_index("construct")["score"]
    want = pd.Series(REF[key]["performance"])
    np.testing.assert_allclose(got[want.index], want, atol=ATOL)


@pytest.mark.parametrize("key", list(MODELS))
def test_index_weights_are_csem_normed_weights(fits, key):
    uw = fits[key].unstandardized_weights
    for c, w in REF[key]["normed_weights"].items():
        sub = uw[uw["construct"] == c].set_index("item")["estimate"]
        np.testing.assert_allclose((sub / sub.sum())[list(w)], list(w.values()), atol=ATOL, err_msg=c)


@pytest.mark.parametrize("key", list(MODELS))
def test_ipma_importance_and_performance(fits, data, key):
    """Construct and item importance (unstandardized total effects on CUSL) and performance."""
    names, paths = MODELS[key]
    res = fits[key]
    uw = res.unstandardized_weights
    weights = uw.assign(weight=uw["estimate"] / uw.groupby("construct")["estimate"].transform("sum"))
    items = [i for c in names for i in ITEMS[c]]
    t = ipma_table(res.scores, paths, "CUSL", items=_items_0_100(data, items),
                   item_weights=weights[["construct", "item", "weight"]], n_boot=0)
    cons = t[t["level"] == "construct"].set_index("name")
    ref = REF[key]
    np.testing.assert_allclose(cons["importance"][list(ref["importance"])], list(ref["importance"].values()),
                               atol=ATOL)
    np.testing.assert_allclose(cons["performance"][list(ref["importance"])],
                               [ref["performance"][c] for c in ref["importance"]], atol=ATOL)
    it = t[t["level"] == "item"].set_index("name")
    np.testing.assert_allclose(it["importance"][list(ref["item_importance"])],
                               list(ref["item_importance"].values()), atol=ATOL)
    np.testing.assert_allclose(it["performance"][list(ref["item_importance"])],
                               [ref["item_performance"][i] for i in ref["item_importance"]], atol=ATOL)


def test_seminrextras_importance_differs_only_by_its_performance_weights(fits):
    """seminrExtras' assess_ipma rescales scores with the *standardized* outer weights, so its
    numbers differ from cSEM's (and csi's) -- but only slightly on corp_rep's positive weights;
    this guards the reference against a silent change of either definition."""
    ex, ref = REF["simple_model"]["seminrextras_ipma"], REF["simple_model"]
    for c in ("COMP", "LIKE"):
        assert ex["performance"][c] != pytest.approx(ref["performance"][c], abs=1e-3)
        assert ex["performance"][c] == pytest.approx(ref["performance"][c], abs=0.5)
    assert ex["performance"]["CUSA"] == pytest.approx(ref["performance"]["CUSA"], abs=ATOL)  # one item


def test_path_bootstrap_se_matches_seminr(data):
    """Percentile-bootstrap SEs of the simple model's paths: csi (5,000 resamples, its seed) vs
    seminr's bootstrap_model (5,000, seed 123) within 5 %; estimates to 1e-6."""
    ref = pd.DataFrame(REF["simple_model"]["boot_paths"]).set_index(["source", "target"])
    res = fit(_spec("simple_model"), data, missing="mean", n_boot=5000, seed=11)
    got = res.path_coefficients.set_index(["source", "target"]).loc[ref.index]
    np.testing.assert_allclose(got["estimate"], ref["estimate"], atol=ATOL)
    np.testing.assert_allclose(got["se"], ref["boot_se"], rtol=0.05)
