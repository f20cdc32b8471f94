"""NPS against hand computations; it is never computed from a 1-10 item."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from csi.drivers.nps import (
    nps,
    nps_by,
    nps_categories,
    nps_loyalty,
    nps_loyalty_correlation,
    nps_question,
)
from csi.errors import DataError, SurveySpecError
from csi.survey import load_survey
from csi.survey.load import parse_survey


def test_flagship_has_an_optional_0_10_nps_question(flagship):
    assert nps_question(flagship) == "nps"
    q = flagship.question_map["nps"]
    assert not q.required and (flagship.scales[q.scale].min, flagship.scales[q.scale].max) == (0, 10)


def test_nps_by_hand(flagship):
    # 10,10,9,9 promoters (4); 8,7 passives (2); 6,5,3,0 detractors (4); -99 missing -> n = 10
    f = pd.DataFrame({"nps": [10, 10, 9, 8, 7, 6, 5, 0, 3, 9, -99]})
    r = nps(flagship, f).iloc[0]
    assert r["n"] == 10 and r["promoters"] == 0.4 and r["passives"] == 0.2 and r["detractors"] == 0.4
    assert r["nps"] == 0.0
    # adjusted Wald (Rocks 2016): n' = 13, p' = d' = 4.75/13 = .365385,
    # se = sqrt((.730769 - 0) / 13) = .237093, half-width 1.959964 * .237093 = .464693
    assert r["ci_low"] == pytest.approx(-46.4693, abs=1e-3)
    assert r["ci_high"] == pytest.approx(46.4693, abs=1e-3)


def test_nps_by_hand_asymmetric(flagship):
    # 6 promoters, 2 passives, 2 detractors: NPS = 100 * (.6 - .2) = 40
    f = pd.DataFrame({"nps": [10] * 6 + [8, 7] + [3, 0]})
    r = nps(flagship, f).iloc[0]
    assert r["nps"] == pytest.approx(40.0)
    # p' = 6.75/13 = .519231, d' = 2.75/13 = .211538, p'-d' = .307692,
    # se = sqrt((.730769 - .094675) / 13) = .221200, CI = .307692 -/+ 1.959964 * .221200
    assert r["ci_low"] == pytest.approx(100 * (0.307692 - 1.959964 * 0.221200), abs=1e-2)
    assert r["ci_high"] == pytest.approx(100 * (0.307692 + 1.959964 * 0.221200), abs=1e-2)


def test_nps_by_wave_and_categories(flagship):
    f = pd.DataFrame({"nps": [10, 0, 9, 9, 8], "wave": ["2026Q1", "2026Q1", "2026Q2", "2026Q2", "2026Q2"]})
    assert nps_categories(flagship, f).tolist() == ["promoter", "detractor", "promoter", "promoter", "passive"]
    by = nps_by(flagship, f, "wave").set_index("group_value")
    assert by.loc["2026Q1", "nps"] == 0.0 and by.loc["2026Q2", "nps"] == pytest.approx(200 / 3)


def test_out_of_scale_answer_is_an_error(flagship):
    with pytest.raises(DataError, match=r"'nps', row 1: '11' is not an answer of the 0-10"):
        nps(flagship, pd.DataFrame({"nps": [10, 11]}))


def test_no_nps_without_a_recommendation_question():
    s = load_survey("surveys/acsi.yaml")
    assert nps_question(s) is None
    with pytest.raises(DataError, match="no 0-10 recommendation question"):
        nps(s, pd.DataFrame({"cl3": [10, 9]}))


def test_a_1_10_recommendation_question_is_rejected(flagship_path):
    text = flagship_path.read_text(encoding="utf-8").replace("    scale: nps11\n", "    scale: sat10\n")
    with pytest.raises(SurveySpecError, match="0-10 scale") as err:
        parse_survey(text, file="bad.yaml")
    issue = [i for i in err.value.issues if "0-10" in i.message][0]
    assert issue.line > 1


def test_nps_relates_to_loyalty(flagship):
    from csi.simulate import simulate_responses

    f, truth = simulate_responses(flagship, n=600, seed=5)
    assert truth["nps"]["question"] == "nps"
    loy = nps_loyalty(flagship, f).set_index("category")
    assert loy.loc["promoter", "mean_loyalty"] > loy.loc["passive", "mean_loyalty"] > loy.loc["detractor", "mean_loyalty"]
    cor = nps_loyalty_correlation(flagship, f)
    assert 0.4 < cor["rho"] < 0.95 and cor["ci_low"] < cor["rho"] < cor["ci_high"]
    assert not math.isnan(cor["n"])
