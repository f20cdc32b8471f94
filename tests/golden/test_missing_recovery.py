"""Recovery with missing data (our simulator, known truth): EM recovers the complete-data fit.

``csi.simulate`` draws 8,000 complete respondents of the flagship survey; 20% of the answers
of the expectation, quality, value and loyalty items are then deleted, MCAR or MAR (the
probability depends on the always-answered satisfaction item ``cs1``: dissatisfied respondents
skip more). Each policy's estimates are compared with the complete-data fit of the same
respondents, which removes sampling error from the comparison: EM stays within 0.02 of every
path and 0.5 of every index, while listwise deletion (under MAR) and mean replacement show
their known biases -- asserted, so the test shows the difference.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from csi.errors import MissingDataWarning
from csi.estimate.fit import fit
from csi.simulate import simulate_responses


@pytest.fixture(scope="module")
def complete(flagship):
    frame, _ = simulate_responses(flagship, n=8000, seed=11, dont_know_rate=0.0, skip_rate=0.0)
    ref = fit(flagship, frame, n_boot=0, missing="listwise")
    return frame, ref


def _inject(frame, items, mech, seed=5):
    rng = np.random.default_rng(seed)
    z = (frame["cs1"] - frame["cs1"].mean()) / frame["cs1"].std()
    p = np.full(len(frame), 0.2)
    if mech == "mar":
        p = 1 / (1 + np.exp(1.386 + 1.5 * z.to_numpy()))
        p *= 0.2 / p.mean()
    out = frame.copy()
    for c in items:
        out.loc[rng.random(len(out)) < p, c] = np.nan
    return out


def _bias(res, ref):
    paths = res.path_coefficients.set_index(["source", "target"])["estimate"]
    rp = ref.path_coefficients.set_index(["source", "target"])["estimate"]
    idx = res.index.set_index("construct")["score"] - ref.index.set_index("construct")["score"]
    return float((paths - rp).abs().max()), float(idx.abs().max())


@pytest.mark.parametrize("mech", ["mcar", "mar"])
def test_em_recovers_the_complete_data_fit(flagship, complete, mech):
    frame, ref = complete
    items = [i for i in flagship.to_model().item_ids if i[:2] in ("ce", "pq", "pv", "cl")]
    data = _inject(frame, items, mech)
    assert 0.18 < data[items].isna().to_numpy().mean() < 0.22
    em = fit(flagship, data, n_boot=0)  # the default
    assert em.missing["policy"] == "em" and em.missing["n_used"] == 8000 and em.missing["em"]["converged"]
    path_bias, index_bias = _bias(em, ref)
    assert path_bias < 0.02 and index_bias < 0.5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingDataWarning)  # listwise keeps a few % here
        lw = fit(flagship, data, n_boot=0, missing="listwise")
    mean = fit(flagship, data, n_boot=0, missing="mean")
    mean_path_bias, mean_index_bias = _bias(mean, ref)
    assert mean_path_bias > 0.03  # mean replacement attenuates the correlations
    if mech == "mar":
        lw_path_bias, lw_index_bias = _bias(lw, ref)
        assert lw_index_bias > 5 and lw_path_bias > 0.05  # listwise keeps the satisfied ones
        assert mean_index_bias > 1  # and the imputed means are the answerers' means


def test_listwise_warns_when_it_drops_more_than_5_percent(flagship, complete):
    frame, _ = complete
    data = frame.copy()
    data.loc[data.index[:500], "pq1"] = np.nan  # 6.25% of the respondents
    with pytest.warns(MissingDataWarning, match=r"uses 7500 of 8000 respondents \(500 dropped, 6.2%\)"):
        fit(flagship, data, n_boot=0, missing="listwise")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit(flagship, data.iloc[:4000].assign(pq1=frame["pq1"].iloc[:4000]).pipe(
            lambda d: d.assign(pq1=d["pq1"].where(d.index >= d.index[100]))), n_boot=0, missing="listwise")
