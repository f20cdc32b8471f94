"""Comment themes and sentiment against the hand-labelled comments in tests/data/comments/.

The levels asserted are those reached (see tests/data/comments/PROVENANCE.md), a little below
so that a lexicon edit that costs one comment does not fail; a real regression does.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from csi.survey import load_survey
from csi.text.analyze import analyze_texts
from csi.text.lexicon import survey_lexicon

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "comments"


@pytest.fixture(scope="module")
def lexicon():
    return survey_lexicon(load_survey(ROOT / "surveys" / "ecommerce_csi.yaml"))


def _load(lang: str, split: str | None = None) -> pd.DataFrame:
    d = pd.read_csv(DATA / f"{lang}.tsv", sep="\t", quoting=3, keep_default_na=False, dtype=str)
    if split is not None:
        hold = d["id"].str[1:].astype(int) % 3 == 0
        d = d[hold if split == "holdout" else ~hold]
    return d.reset_index(drop=True)


def _scores(d: pd.DataFrame, lexicon) -> dict:
    a = analyze_texts(d["text"], lexicon)
    truth = [set(filter(None, c.split(";"))) for c in d["categories"]]
    pred = [set(c) for c in a["categories"]]
    per = {}
    for th in lexicon.ids:
        tp = sum(th in t and th in p for t, p in zip(truth, pred, strict=True))
        fp = sum(th not in t and th in p for t, p in zip(truth, pred, strict=True))
        fn = sum(th in t and th not in p for t, p in zip(truth, pred, strict=True))
        per[th] = (tp, fp, fn)
    tp, fp, fn = (sum(v[i] for v in per.values()) for i in range(3))
    return {"exact": sum(t == p for t, p in zip(truth, pred, strict=True)) / len(d),
            "precision": tp / (tp + fp), "recall": tp / (tp + fn), "per": per,
            "sentiment": float((a["sentiment_label"].str[:3] == d["sentiment"]).mean())}


def test_the_set_is_as_large_and_varied_as_required():
    zh, en = _load("zh"), _load("en")
    assert len(zh) >= 200 and len(en) >= 100
    both = pd.concat([zh, en])
    assert (both["categories"].str.contains(";")).sum() >= 20  # several complaints in one comment
    assert (both["categories"] == "").sum() >= 50  # praise and neutral remarks
    assert zh["text"].str.contains("[a-zA-Z]{3}").sum() >= 10  # mixed Chinese/English


@pytest.mark.parametrize(("lang", "split", "exact", "micro", "sentiment"), [
    ("zh", "dev", 0.95, 0.95, 0.90),
    ("zh", "holdout", 0.88, 0.90, 0.84),
    ("en", "dev", 0.97, 0.97, 0.95),
    ("en", "holdout", 0.94, 0.94, 0.90),
])
def test_theme_accuracy_reached(lexicon, lang, split, exact, micro, sentiment):
    s = _scores(_load(lang, split), lexicon)
    assert s["exact"] >= exact
    assert s["precision"] >= micro and s["recall"] >= micro
    assert s["sentiment"] >= sentiment


def test_every_theme_has_precision_and_recall_of_at_least_0_9(lexicon):
    d = pd.concat([_load("zh"), _load("en")], ignore_index=True)
    per = _scores(d, lexicon)["per"]
    for th, (tp, fp, fn) in per.items():
        assert tp + fn >= 10, th  # every theme is labelled often enough to measure
        assert tp / (tp + fp) >= 0.9, (th, tp, fp)
        assert tp / (tp + fn) >= 0.9, (th, tp, fn)
