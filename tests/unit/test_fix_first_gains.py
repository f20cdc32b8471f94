"""The batched gains of what to fix first equal the reference: one :func:`what_if` per candidate.

fix_first computes every candidate's what-if gain in one pass (:mod:`csi.drivers.gains`); the
reference is the public what-if of the single change ``{candidate: step}`` -- point gains
with the repurchase logit, intervals from ``what_if(..., repurchase=False)`` with the same
seed. Small simulated data sets (so every candidate gets an interval, ``k`` large), with the
situations where the two data sets or the refusals differ: respondents without the
behavioural field (the point model drops them, the bootstrap keeps them), a lever whose mean
is within ``step`` of 100 (what_if refuses it: no gain), a survey without a driver battery.
"""

from __future__ import annotations

import numpy as np
import pytest

from csi.drivers.fix_first import fix_first
from csi.drivers.whatif import what_if
from csi.errors import ParameterError
from csi.estimate import waves
from csi.simulate import simulate_responses
from csi.survey import load_survey

N_BOOT = 40


def _reference(survey, frame, result, cid, step, target, headline):
    """(headline, target, repurchase point gains), (headline ci_low, ci_high) from what_if."""
    nan = float("nan")
    try:
        p = what_if(survey, frame, {cid: step}, result, target=target, n_boot=0).set_index("outcome")
    except ParameterError:
        return (nan, nan, nan), (nan, nan)
    point = tuple(float(p.at[o, "change"]) if o in p.index else nan
                  for o in (headline, target, "repurchase_probability"))
    try:
        b = what_if(survey, frame, {cid: step}, result, target=target, n_boot=N_BOOT, seed=0,
                    repurchase=False).set_index("outcome")
    except ParameterError:
        return point, (nan, nan)
    return point, (float(b.at[headline, "ci_low"]), float(b.at[headline, "ci_high"]))


def _check(survey, frame, result, step=5.0):
    ff = fix_first(survey, frame, result, k=50, n_boot=N_BOOT, seed=0, step=step)
    t = ff.table
    ranked = t["rank"].notna()
    assert ranked.sum() >= 3
    for _, r in t.iterrows():
        point, ci = _reference(survey, frame, result, r["id"], step, ff.target, ff.headline)
        got = (r["headline_gain"], r["target_gain"], r["repurchase_gain"])
        np.testing.assert_allclose(got, point, rtol=0, atol=1e-12, err_msg=r["id"])
        got_ci = (r["headline_gain_ci_low"], r["headline_gain_ci_high"])
        if r["rank"] == r["rank"]:  # ranked: every one of them is in the top k here
            np.testing.assert_allclose(got_ci, ci, rtol=0, atol=1e-10, err_msg=r["id"])
        else:
            assert np.isnan(got_ci).all()
    return ff


@pytest.fixture(scope="module")
def flagship():
    survey = load_survey("surveys/ecommerce_csi.yaml")
    frame, _ = simulate_responses(survey, n=600, seed=5, n_waves=2)
    frame = frame.copy()
    frame.loc[frame.index[::7], "repurchased_90d"] = np.nan  # not yet matched to the order system
    # dr_content (a one-item lever) at the top of its scale for almost everyone: mean > 95
    top = survey.items["dr_content"].scale.max
    frame.loc[frame.index[3:], "dr_content"] = top
    return survey, frame


def test_batched_gains_equal_what_if_per_candidate_without_a_fit(flagship):
    survey, frame = flagship
    ff = _check(survey, frame, None)
    content = ff.table.set_index("id").loc["content"]  # the lever of item dr_content
    assert np.isnan(content["headline_gain"]) and np.isnan(content["rank"])
    assert set(ff.table["kind"]) == {"construct", "lever"}
    assert np.isfinite(ff.table["repurchase_gain"].dropna()).all() and ff.table["repurchase_gain"].notna().any()


def test_batched_gains_equal_what_if_per_candidate_with_the_pls_fit(flagship):
    survey, frame = flagship
    pooled = waves.fit_by_wave(survey, frame, n_boot=0, seed=0).pooled
    _check(survey, frame, pooled, step=3.0)


def test_batched_gains_equal_what_if_on_a_survey_without_driver_levers():
    survey = load_survey("surveys/acsi.yaml")
    frame, _ = simulate_responses(survey, n=500, seed=2, n_waves=1)
    ff = _check(survey, frame, None)
    assert set(ff.table["kind"]) == {"construct"}


def test_a_singular_resample_is_dropped_and_the_others_kept():
    from csi.drivers.gains import _batched

    rng = np.random.default_rng(1)
    A = rng.normal(size=(5, 3, 3))
    A[2] = [[1, 2, 3], [2, 4, 6], [0, 1, 1]]  # rank 2: what_if skips such a resample
    b = rng.normal(size=(5, 3, 1))
    sol, ok = _batched(lambda a, v: np.linalg.solve(a, v)[..., 0], np.ones(5, bool), A, b)
    assert ok.tolist() == [True, True, False, True, True]
    for r in (0, 1, 3, 4):
        np.testing.assert_allclose(sol[r], np.linalg.solve(A[r], b[r])[:, 0], rtol=1e-12)
    assert np.isnan(sol[2]).all()
