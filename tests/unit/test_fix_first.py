"""What to fix first, against a simulated population where the best lever is known.

Truth: :func:`csi.simulate.simulate_responses` with the ACSI path magnitudes (quality has the
largest total effect on loyalty among the constructs a manager can move) and seeded driver-lever
effects on loyalty (``truth["drivers"]["true_ranking"]``). We then lower the answers of one item
by a known number of scale points, which makes its construct / lever the one that performs below
the others: the known best lever and its known cause.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csi.drivers.fix_first import FIX_FIRST_COLUMNS, fix_first
from csi.errors import ParameterError
from csi.simulate import simulate_responses
from csi.survey import load_survey, parse_survey

SURVEY = "surveys/ecommerce_csi.yaml"


@pytest.fixture(scope="module")
def survey():
    return load_survey(SURVEY)


@pytest.fixture(scope="module")
def simulated(survey):
    frame, truth = simulate_responses(survey, n=3000, seed=11, n_waves=2)
    return frame, truth


def _lowered(survey, frame, item: str, points: float):
    """``frame`` with every valid answer of ``item`` lowered by ``points`` scale points (floor at
    the scale minimum); don't-know codes and gaps are kept."""
    sc = survey.items[item].scale
    out = frame.copy()
    x = out[item]
    valid = x.between(sc.min, sc.max)
    out.loc[valid, item] = np.maximum(x[valid] - points, sc.min)
    return out


def test_lever_importance_recovers_the_true_lever_ranking(survey, simulated):
    frame, truth = simulated
    ff = fix_first(survey, frame, n_boot=0)
    levers = ff.table[ff.table["kind"] == "lever"].sort_values("importance", ascending=False)
    true = truth["drivers"]["true_ranking"]
    assert levers["id"].iloc[0] == true[0]
    true_rank = pd.Series({lv: k + 1 for k, lv in enumerate(true)})
    rho = levers.set_index("id")["importance"].rank(ascending=False).corr(true_rank, method="spearman")
    assert rho > 0.8


def test_the_known_best_construct_with_a_weak_item_comes_first_with_its_cause(survey, simulated):
    frame, _ = simulated
    # quality: the largest true total effect on loyalty of the movable constructs (0.41 vs 0.31 for
    # expectation and 0.19 for value, ACSI magnitudes); pq5 made 2 points (22.2 index points) worse
    low = _lowered(survey, frame, "pq5", 2)
    ff = fix_first(survey, low, n_boot=50, seed=0)
    assert list(ff.table.columns) == FIX_FIRST_COLUMNS
    top = ff.top
    assert len(top) == 3 and list(top["rank"]) == [1, 2, 3]
    first = top.iloc[0]
    assert (first["kind"], first["id"], first["quadrant"]) == ("construct", "quality", "fix first")
    assert first["cause_item"] == "pq5" and first["cause_peers"] == "items"
    # the gap is the shift (22.2) minus the floor effect at 1, plus the items' own spread (+-6)
    assert -30 < first["cause_gap"] < -15
    assert first["headline_gain_ci_low"] < first["headline_gain"] < first["headline_gain_ci_high"]
    assert first["headline_gain"] > 0 and first["target_gain"] > 0
    # satisfaction (the headline) and loyalty are outcomes, never levers
    assert not ff.table["id"].isin(["satisfaction", "loyalty", "complaint"]).any()
    assert ff.headline == "satisfaction" and ff.target == "loyalty"


def test_a_weak_strong_lever_beats_a_weak_weak_lever(survey, simulated):
    frame, truth = simulated
    best, worst = truth["drivers"]["true_ranking"][0], truth["drivers"]["true_ranking"][-1]
    low = frame
    for lever in (best, worst):
        for item in survey.driver_items[lever]:
            low = _lowered(survey, low, item, 2)
    ff = fix_first(survey, low, n_boot=0)
    levers = ff.table[ff.table["kind"] == "lever"].set_index("id")
    assert levers.at[best, "quadrant"] == "fix first"
    assert levers.at[best, "rank"] < levers.at[worst, "rank"]
    # a one-item lever's cause is compared with the other levers
    one = [lv for lv, items in survey.driver_items.items() if len(items) == 1]
    assert set(levers.loc[one, "cause_peers"]) == {"levers"}


def test_a_headline_other_than_satisfaction_gets_finite_gains(survey, simulated):
    frame, _ = simulated
    other = parse_survey(survey.source_text + "\nheadline: value\n", file="t.yaml")
    ff = fix_first(other, frame, n_boot=0)
    assert ff.headline == "value"
    ranked = ff.table[ff.table["rank"].notna()]
    assert len(ranked) and np.isfinite(ranked["headline_gain"]).all()
    # value and what it drives are outcomes here; quality and expectation are levers
    assert set(ff.table.loc[ff.table["kind"] == "construct", "id"]) == {"expectation", "quality"}


@pytest.mark.parametrize("kw,msg", [({"step": 0}, "'step' parameter"), ({"step": 30}, "'step' parameter"),
                                    ({"k": 0}, "'k' parameter"), ({"target": "nope"}, "target 'nope'")])
def test_bad_parameters(survey, simulated, kw, msg):
    with pytest.raises(ParameterError, match=msg):
        fix_first(survey, simulated[0], n_boot=0, **kw)


def test_what_if_without_repurchase_keeps_the_index_changes(survey, simulated):
    from csi.drivers.whatif import what_if

    frame, _ = simulated
    full = what_if(survey, frame, {"quality": 5}, n_boot=0).set_index("outcome")
    index_only = what_if(survey, frame, {"quality": 5}, n_boot=0, repurchase=False).set_index("outcome")
    assert "repurchase_probability" in full.index and "repurchase_probability" not in index_only.index
    assert index_only["change"].to_dict() == full.loc[index_only.index, "change"].to_dict()
