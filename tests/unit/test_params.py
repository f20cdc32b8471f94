"""The parameter gate (csi.estimate.params): one rule per option, options that do not apply to
the chosen method raise instead of being ignored, and conf_int honours its alpha or raises."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

import csi
from csi.errors import ParameterError
from csi.estimate.cbsem.fit import fit_cbsem
from csi.estimate.params import PARAMS, check
from csi.estimate.pls.algorithm import SCHEMES
from csi.estimate.pls.kernel import SCHEME_CODES
from csi.estimate.pls.model import PLSPathModel

DATA = Path(__file__).resolve().parent.parent / "data" / "lavaan" / "acsi_sim.csv"  # lavaan golden data
LAV = "quality =~ pq1 + pq2 + pq3\nsatisfaction =~ sat1 + sat2 + sat3\nsatisfaction ~ quality"


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(DATA).iloc[:300]


def test_the_table_matches_the_estimators():
    assert PARAMS["weighting"].values == SCHEMES == tuple(SCHEME_CODES)


@pytest.mark.parametrize("kw,named", [
    ({"ci": "bca", "consistent": True, "weighting": "centroid"},
     ["weighting='centroid'", "consistent=True", "ci='bca'"]),
    ({"consistent": True}, ["consistent=True"]),
])
def test_cbsem_refuses_pls_options_instead_of_ignoring_them(data, kw, named):
    with pytest.raises(ParameterError, match="method='cbsem'") as err:
        csi.fit(LAV, data, method="cbsem", scale=(1, 10), **kw)
    for n in named:
        assert n in str(err.value)
    with pytest.raises(ParameterError, match="tol=0.001 does not apply"):
        fit_cbsem(csi.parse_lavaan(LAV, scale=(1, 10)), data, tol=1e-3)


def test_pls_options_at_their_neutral_value_are_accepted_by_cbsem(data):
    res = csi.fit(LAV, data, method="cbsem", scale=(1, 10), weighting="path", consistent=False,
                  ci="percentile")
    assert res.method == "cbsem" and res.converged


def test_pls_refuses_cbsem_options(data):
    with pytest.raises(ParameterError, match=r"max_starts=10 does not apply .*only to method='cbsem'"):
        csi.fit(LAV, data, scale=(1, 10), n_boot=0, max_starts=10)


def test_one_message_per_rule_for_every_estimator(data):
    spec = csi.parse_lavaan(LAV, scale=(1, 10))
    msgs = []
    for func, call in (("fit", lambda: csi.fit(spec, data, alpha=0.7)),
                       ("fit_cbsem", lambda: fit_cbsem(spec, data, alpha=0.7)),
                       ("fit_strata", lambda: csi.fit_strata(spec, data, np.zeros(len(data)), alpha=0.7))):
        with pytest.raises(ParameterError) as err:
            call()
        msgs.append(str(err.value).replace(f"of {func} ", "of F "))
    assert len(set(msgs)) == 1
    assert msgs[0] == "The 'alpha' parameter of F must be a float in the range (0.0, 0.5). Got 0.7 instead."
    with pytest.raises(ParameterError, match=r"'tol' parameter of PLSPathModel must be a float in the range \(0.0, inf\)"):
        PLSPathModel(tol=0.0).fit(spec, data)
    assert check("n_boot", 3) == 3


def test_conf_int_without_replicates_honours_alpha_or_raises(data):
    res = csi.fit(LAV, data, scale=(1, 10), n_boot=0)
    assert res.conf_int(0.05)["ci_low"].isna().all()  # no interval without a bootstrap
    with pytest.raises(ParameterError, match=r"conf_int\(alpha=0.1\).*alpha=0.05"):
        res.conf_int(0.1)
    boot = csi.fit(LAV, data, scale=(1, 10), n_boot=200, seed=0)
    wide, narrow = boot.conf_int(0.05), boot.conf_int(0.2)
    assert ((narrow["ci_high"] - narrow["ci_low"]) < (wide["ci_high"] - wide["ci_low"])).all()


def test_conf_int_recomputes_cbsem_normal_intervals(data):
    res = csi.fit(LAV, data, method="cbsem", scale=(1, 10))
    stored = res.conf_int(0.05)
    paths = res.path_coefficients
    np.testing.assert_allclose(stored.loc[stored["table"] == "paths", "ci_low"], paths["ci_low"])
    ci90 = res.conf_int(0.1)
    p90 = ci90[ci90["table"] == "paths"]
    z = norm.ppf(0.95)  # 1.6449
    np.testing.assert_allclose(p90["ci_low"], paths["estimate"] - z * paths["se"], rtol=1e-12)
    np.testing.assert_allclose(p90["ci_high"], paths["estimate"] + z * paths["se"], rtol=1e-12)
    # the stored 95% intervals are estimate -+ 1.96 se, so the recomputation is the same rule
    np.testing.assert_allclose(paths["ci_low"], paths["estimate"] - norm.ppf(0.975) * paths["se"], rtol=1e-9)
