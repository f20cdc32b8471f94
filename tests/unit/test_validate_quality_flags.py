"""Quality flags on tiny hand-made frames (rows are flagged, never dropped)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from csi.validate.quality_flags import all_dont_know, quality_flags, speeders, straight_lining

PQ = [f"pq{i}" for i in range(1, 9)]


def _frame(rows: dict[int, dict]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index")


def test_straight_lining_needs_a_full_identical_matrix(flagship):
    f = _frame({
        1: dict.fromkeys(PQ, 7.0),                       # all 8 quality items = 7 -> flagged
        2: {**dict.fromkeys(PQ, 7.0), "pq8": 6.0},       # one differs -> not flagged
        3: {**dict.fromkeys(PQ, 7.0), "pq8": np.nan},    # one skipped -> not flagged
        4: dict.fromkeys(PQ, 99.0),                      # all don't know is a different flag
    })
    out = straight_lining(f, flagship)
    assert out["row"].tolist() == [1]
    assert out.loc[0, "detail"] == "all 8 items of quality = 7"


def test_speeders_below_three_tenths_of_the_median():
    d = pd.Series([100.0, 110.0, 29.0, 31.0, 120.0], index=[1, 2, 3, 4, 5])
    # median = 100 -> threshold 30 s: only row 3 (29 s)
    assert speeders(d)["row"].tolist() == [3]


def test_all_dont_know(flagship):
    f = _frame({
        1: {"pq1": 99.0, "pq2": 99.0, "pq3": 99.0},           # 3 answered, all DK -> flagged
        2: {"pq1": 99.0, "pq2": 99.0, "pq3": np.nan},         # only 2 answered -> no
        3: {"pq1": 99.0, "pq2": 99.0, "pq3": 5.0},            # one real answer -> no
    })
    assert all_dont_know(f, flagship)["row"].tolist() == [1]


def test_quality_flags_combines_and_keeps_index(flagship):
    f = _frame({10: dict.fromkeys(PQ, 99.0), 11: dict.fromkeys(PQ, 3.0)})
    out = quality_flags(f, flagship, pd.Series([300.0, 5.0, 320.0], index=[10, 11, 12]))
    assert sorted(zip(out["row"], out["flag"], strict=True)) == [
        (10, "all_dont_know"), (11, "speeder"), (11, "straight_lining")]


def test_flagged_rows_are_kept_by_the_import(flagship):
    from csi.io import read_responses

    head = "respondent_id," + ",".join(PQ) + ",channel\n"
    text = head + "a," + ",".join(["5"] * 8) + ",jd\n" + "b," + ",".join(map(str, range(1, 9))) + ",jd\n"
    res = read_responses(text.encode(), flagship)
    assert len(res.valid) == 2
    assert res.flagged[["respondent_id", "flag"]].values.tolist() == [["a", "straight_lining"]]
