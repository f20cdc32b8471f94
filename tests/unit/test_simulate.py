"""csi simulate: any survey, the canonical frame, show_if, determinism, truth contents."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from csi.cli.main import app
from csi.errors import ParameterError
from csi.simulate import simulate_responses, write_plain_csv, write_truth
from csi.simulate.answers import apply_show_if, discretise
from csi.survey import parse_survey
from csi.survey.schema import Scale

MINIMAL = """
id: mini
version: "1"
title: Mini
languages: [en]
scales:
  five: {min: 1, max: 5, dont_know: 9}
  seven: {min: 0, max: 6, step: 2}
constructs:
  service:
    label: Service
    scale: five
    items:
      - {id: s1, text: Friendly}
      - {id: s2, text: Fast}
      - {id: s3, text: Slow, reverse: true}
  happy:
    label: Happy
    scale: seven
    items:
      - {id: h1, text: Happy}
      - {id: h2, text: Pleased, show_if: {field: h1, in: [4, 6]}}
headline: happy
paths:
  - service -> happy
questions:
  - id: store
    type: single_choice
    role: segment
    text: Store
    options: [{code: a, label: A}, {code: b, label: B}]
  - id: why
    type: multiple_choice
    text: Why
    show_if: {field: store, equals: b}
    options: [{code: x, label: X}, {code: y, label: Y}]
  - id: email
    type: text
    role: contact
    pii: email
    text: Email
"""


@pytest.fixture(scope="module")
def mini():
    return parse_survey(MINIMAL, file="mini.yaml")


def test_discretise_hand_values():
    sc = Scale(min=1, max=10)
    # 1 + 9 * (0.5 + 0.2 x): x=0 -> 5.5 = 1 + 4.5 steps -> half to even -> 4 steps -> 5.0;
    # x=0.1 -> 5.68 -> 6.0; extremes clip to the theoretical bounds
    assert discretise(np.array([-9.0, 0.0, 0.1, 9.0]), sc, 0.5).tolist() == [1.0, 5.0, 6.0, 10.0]
    sc2 = Scale(min=0, max=6, step=2)
    # 0 + 6 * (0.5 + 0.2 * 1) = 4.2 -> nearest step 4
    assert discretise(np.array([1.0]), sc2, 0.5).tolist() == [4.0]


def test_minimal_survey_frame(mini):
    frame, truth = simulate_responses(mini, n=400, seed=3)
    assert list(frame.columns) == ["respondent_id", "submitted_at", "wave", "s1", "s2", "s3",
                                   "h1", "h2", "store", "why"]
    assert "email" not in frame  # PII is not generated
    assert frame["respondent_id"].is_unique
    assert str(frame["submitted_at"].dtype) == "datetime64[ns]"
    assert sorted(frame["wave"].unique()) == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    for iid, allowed in (("s1", {1, 2, 3, 4, 5, 9}), ("h1", {0, 2, 4, 6})):
        vals = frame[iid].dropna()
        assert set(vals.unique()) <= allowed
    assert (frame["s1"] == 9).any() and frame["s2"].isna().any()  # don't know and skips
    assert not (frame["h1"] == 9).any()  # scale without a don't-know code
    # show_if honoured: h2 only when h1 in {4, 6}; why only for store b
    assert frame.loc[~frame["h1"].isin([4, 6]), "h2"].isna().all()
    assert frame.loc[frame["h1"].isin([4, 6]), "h2"].notna().mean() > 0.9
    assert frame.loc[frame["store"] != "b", "why"].isna().all()
    assert frame.loc[frame["store"] == "b", "why"].notna().all()
    assert truth["paths"] == [{"source": "service", "target": "happy", "coefficient": 0.7}]
    assert truth["complaint"] is None and truth["drivers"] is None
    # the reverse item is stored as answered: negatively related to its block
    ok = frame[["s1", "s3"]].replace(9, np.nan).dropna()
    assert np.corrcoef(ok["s1"], ok["s3"])[0, 1] < -0.3


def test_path_override_recovered(mini):
    frame, truth = simulate_responses(mini, n=4000, seed=5, paths={("service", "happy"): 0.5},
                                      dont_know_rate=0, skip_rate=0, segment_sd=0, wave_trend=0)
    assert truth["paths"][0]["coefficient"] == 0.5
    s = frame[["s1", "s2"]].mean(axis=1) - frame["s3"]
    r = np.corrcoef(s, frame["h1"])[0, 1]
    assert 0.3 < r < 0.5  # 0.5 attenuated by measurement error and discretisation


def test_unknown_path_is_a_clear_error(mini):
    with pytest.raises(ParameterError, match="happy->service is not in the structural model"):
        simulate_responses(mini, n=10, paths={("happy", "service"): 0.3})
    with pytest.raises(ParameterError, match="explain .* expected at most 0.95"):
        simulate_responses(mini, n=10, paths={("service", "happy"): 0.99})
    with pytest.raises(ParameterError, match="'n' parameter"):
        simulate_responses(mini, n=0)


def test_flagship_structure(flagship):
    frame, truth = simulate_responses(
        flagship, n=1500, seed=11,
        item_trends=[{"segment": ("channel", "jd"), "items": ["pq3", "pq4"], "per_wave": 0.3}])
    assert "phone" not in frame
    assert set(frame["channel"].unique()) == {"tmall", "jd", "taobao"}
    complained = frame["cc1"] == 1
    assert 0.08 < complained.mean() < 0.25
    # show_if: complaint details only for complainers; every complainer ticked something
    for q in ("complaint_type", "complaint_handling", "complaint_resolved"):
        assert frame.loc[~complained, q].isna().all()
    assert (frame.loc[complained, "complaint_type"].str.len() > 0).all()
    codes = {o.code for o in flagship.question_map["complaint_type"].options}
    ticked = set(";".join(frame.loc[complained, "complaint_type"]).split(";"))
    assert ticked <= codes
    assert set(frame["repurchased_90d"].unique()) == {0.0, 1.0}
    assert (frame["orders_12m"] >= 0).all()
    # complaints are driven by low satisfaction
    cs = frame["cs1"].where(frame["cs1"] <= 10)
    assert cs[complained].mean() < cs[~complained].mean() - 0.5
    # visible delivery improvement in jd over the waves, not in tmall
    pq3 = frame["pq3"].where(frame["pq3"] <= 10)
    by = pq3.groupby([frame["channel"], frame["wave"]]).mean()
    assert by["jd"]["2026Q4"] - by["jd"]["2026Q1"] > 0.8
    assert abs(by["tmall"]["2026Q4"] - by["tmall"]["2026Q1"]) < 0.5
    # truth records everything the brief lists
    for key in ("paths", "loadings", "segments", "waves", "item_trends", "complaint", "drivers",
                "behaviour", "counts"):
        assert truth[key], key
    assert set(truth["drivers"]["effects_on_outcome"]) == set(flagship.driver_items)
    assert truth["complaint"]["types"]["items"]["logistics"] == ["pq3", "pq4"]
    json.dumps(truth)  # JSON-ready


def test_logistics_complaints_follow_low_delivery(flagship):
    frame, _ = simulate_responses(flagship, n=3000, seed=2)
    c = frame[frame["cc1"] == 1]
    logistics = c["complaint_type"].str.contains("late|damaged|lost|courier")
    pq3 = c["pq3"].where(c["pq3"] <= 10)
    assert pq3[logistics].mean() < pq3[~logistics].mean()


def test_same_seed_same_bytes(flagship, tmp_path):
    paths = []
    for k in range(2):
        frame, truth = simulate_responses(flagship, n=300, seed=42)
        write_plain_csv(frame, tmp_path / f"r{k}.csv")
        write_truth(truth, tmp_path / f"t{k}.json")
        paths.append((tmp_path / f"r{k}.csv", tmp_path / f"t{k}.json"))
    assert paths[0][0].read_bytes() == paths[1][0].read_bytes()
    assert paths[0][1].read_bytes() == paths[1][1].read_bytes()
    other, _ = simulate_responses(flagship, n=300, seed=43)
    write_plain_csv(other, tmp_path / "o.csv")
    assert (tmp_path / "o.csv").read_bytes() != paths[0][0].read_bytes()


def test_plain_csv_layout(mini, tmp_path):
    frame, _ = simulate_responses(mini, n=30, seed=1)
    write_plain_csv(frame, tmp_path / "m.csv")
    text = (tmp_path / "m.csv").read_text(encoding="utf-8")
    header, first = text.splitlines()[:2]
    assert header == "respondent_id,submitted_at,wave,s1,s2,s3,h1,h2,store,why"
    assert first.split(",")[1].startswith("2026-01-0")
    back = pd.read_csv(tmp_path / "m.csv")
    assert len(back) == 30 and ".0" not in first


def test_apply_show_if_missing_reference_means_not_shown(mini):
    f = pd.DataFrame({"h1": [4.0, np.nan, 2.0], "h2": [2.0, 2.0, 2.0],
                      "store": ["b", np.nan, "a"], "why": ["x", "y", "x;y"]})
    out = apply_show_if(mini, f)
    assert out["h2"].tolist()[0] == 2.0 and out["h2"].isna().tolist() == [False, True, True]
    assert out["why"].isna().tolist() == [False, True, True]


def test_cli(flagship_path, tmp_path):
    runner = CliRunner()
    out, tr = tmp_path / "s.csv", tmp_path / "t.json"
    res = runner.invoke(app, ["simulate", str(flagship_path), "--n", "60", "--seed", "4",
                              "--out", str(out), "--truth", str(tr),
                              "--path", "quality->satisfaction=0.4",
                              "--item-trend", "channel=jd:pq3,pq4:0.25"])
    assert res.exit_code == 0, res.output
    truth = json.loads(tr.read_text(encoding="utf-8"))
    assert {"source": "quality", "target": "satisfaction", "coefficient": 0.4} in truth["paths"]
    assert len(pd.read_csv(out)) == 60
    bad = runner.invoke(app, ["simulate", str(flagship_path), "--out", str(out),
                              "--item-trend", "channel=wechat:pq3:0.2"])
    assert bad.exit_code == 2 and "channel=wechat is not an option" in bad.output
