"""Plain words of the dashboard: table headings, scope labels, the fix-first sentences, the
Segments page's wave rows."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from csi.drivers.fix_first import FIX_FIRST_COLUMNS, FixFirst
from csi.drivers.ipma import IPMA_COLUMNS
from csi.drivers.repurchase import LOGIT_COLUMNS
from csi.drivers.whatif import WHATIF_COLUMNS
from csi.report.fix_first import fix_first_texts, no_lever_text
from csi.report.i18n_dashboard import COLUMN_LABELS, VALUE_LABELS, column_label, plain_table
from csi.report.scope import scope_label, used_of_collected, wave_rows
from csi.survey import load_survey

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("columns", [IPMA_COLUMNS, LOGIT_COLUMNS, WHATIF_COLUMNS,
                                     ["construct", "score", "se", "ci_low", "ci_high"],
                                     ["construct", "alpha", "rho_a", "rho_c", "ave"]])
def test_every_result_column_has_a_plain_heading_in_both_languages(columns):
    for c in columns:
        assert c in COLUMN_LABELS, c
        en, zh = column_label(c, "en"), column_label(c, "zh")
        assert "_" not in en and "_" not in zh
        assert CJK.search(zh) or zh in {"R²", "ρA", "AVE", "AUC", "t"} or zh.startswith(("95%", "p ")), (c, zh)


def test_every_word_has_both_languages():
    for table in (COLUMN_LABELS, VALUE_LABELS):
        for key, entry in table.items():
            assert set(entry) == {"en", "zh"}, key


def test_plain_table_renames_maps_ids_translates_words_and_rounds():
    t = pd.DataFrame({"name": ["quality", "value"], "importance": [0.123456, 0.2],
                      "path": ["quality -> value", "value -> satisfaction"], "quadrant": ["fix first", "keep up"]})
    labels = {"quality": "Perceived quality", "value": "Perceived value", "satisfaction": "Satisfaction"}
    out = plain_table(t, "en", 2, labels)
    assert list(out.columns) == ["Name", "Importance", "Path", "What to do"]
    assert out["Name"].tolist() == ["Perceived quality", "Perceived value"]
    assert out["Path"].tolist() == ["Perceived quality → Perceived value", "Perceived value → Satisfaction"]
    assert out["What to do"].tolist() == ["Fix first", "Keep up"]
    assert out["Importance"].tolist() == [0.12, 0.2]
    zh = plain_table(t, "zh", 2, labels)
    assert list(zh.columns) == ["名称", "重要性", "路径", "建议"] and zh["建议"].tolist() == ["优先改进", "保持优势"]


def test_scope_labels():
    assert used_of_collected(2280, 3000, "en") == "n = 2280 used of 3000 collected"
    assert scope_label("en", used=700, collected=750, wave="2026Q4") == "Wave 2026Q4 · n = 700 used of 750 collected"
    assert scope_label("zh", used=700, collected=750, wave="2026Q4") == "2026Q4 期 · n = 700（共收集 750）"
    assert scope_label("en", used=10, collected=10, n_waves=3).startswith("Pooled over the selected waves")


def test_wave_rows_take_the_per_wave_fit_for_constructs_and_keep_levers():
    groups = pd.DataFrame({"by": "wave", "group": ["2026Q1", "2026Q1", "2026Q2"], "kind": ["construct", "lever", "construct"],
                           "name": ["satisfaction", "brand", "satisfaction"], "n": [100, 100, 90],
                           "mean": [69.55, 60.0, 70.0], "ci_low": [68.0, 58.0, 69.0], "ci_high": [71.0, 62.0, 71.0],
                           "small_n": False})
    trend = pd.DataFrame({"wave": ["2026Q1"], "construct": ["satisfaction"], "score": [69.6], "se": [0.5],
                          "ci_low": [68.6], "ci_high": [70.6], "n_obs": [98]})
    out = wave_rows(groups, trend)
    assert out.loc[0, ["mean", "ci_low", "ci_high", "n"]].tolist() == [69.6, 68.6, 70.6, 98]
    assert out.loc[1, "mean"] == 60.0 and out.loc[2, "mean"] == 70.0  # lever kept; wave without a fit kept


def _ff(rows, target="loyalty", headline="satisfaction"):
    table = pd.DataFrame(rows, columns=FIX_FIRST_COLUMNS)
    return FixFirst(target=target, headline=headline, step=5.0, k=3, n=3000, table=table)


ROW = {"rank": 1.0, "kind": "construct", "id": "quality", "importance": 0.32, "performance": 66.0,
       "quadrant": "fix first", "cause_item": "pq5", "cause_performance": 58.0, "cause_gap": -8.2,
       "cause_peers": "items", "headline_gain": 3.04, "headline_gain_ci_low": 2.81, "headline_gain_ci_high": 3.12,
       "target_gain": 1.5, "repurchase_gain": 0.85}


def test_fix_first_sentence_in_english_and_chinese():
    s = load_survey("surveys/ecommerce_csi.yaml")
    item = s.t(s.items["pq5"].item.short or s.items["pq5"].item.text, "en")
    lever = dict(ROW, rank=2.0, kind="lever", id="innovation", cause_item="dr_innovation", cause_gap=-5.0,
                 cause_peers="levers", headline_gain_ci_low=float("nan"), headline_gain_ci_high=float("nan"),
                 repurchase_gain=float("nan"))
    en = fix_first_texts(_ff([ROW, lever]), s, "en")
    assert en[0].title == "Perceived quality"
    assert en[0].cause == (f"High impact on customer loyalty; its weakest item, “{item}”, scores 8 points below "
                           "the other perceived quality items.")
    assert en[0].gain == ("Raising it by 5 points is predicted to lift customer satisfaction by 3.0 index points "
                          "(95% CI 2.8 to 3.1). Repurchase probability: +0.8 percentage points.")
    assert en[1].cause == "High impact on customer loyalty; scores 5 points below the other reasons to come back."
    assert "CI" not in en[1].gain and en[1].page == "drivers"
    zh = fix_first_texts(_ff([ROW]), s, "zh")
    assert zh[0].title == "感知质量" and "低 8 分" in zh[0].cause and "提高 3.0 分" in zh[0].gain
    assert not re.search(r"[A-Za-z]{3,}", zh[0].sentence.replace("CI", ""))


def test_no_ranked_lever_says_so():
    s = load_survey("surveys/ecommerce_csi.yaml")
    ff = _ff([dict(ROW, rank=math.nan)])
    assert fix_first_texts(ff, s, "en") == []
    assert no_lever_text(ff, s, "en").startswith("No lever stands out")
