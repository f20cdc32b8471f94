"""``csi comments`` and ``csi nps``: the JSON contract, privacy of the texts, user errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from csi.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
SURVEY = str(ROOT / "surveys" / "ecommerce_csi.yaml")


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """The first 400 sample respondents; one comment carries a phone number and an e-mail."""
    d = pd.read_csv(ROOT / "sample_data" / "ecommerce_responses.csv", dtype=str, keep_default_na=False).head(400)
    d.loc[5, "comment"] = "快递太慢了，电话13912345678，邮箱buyer@example.com"
    path = tmp_path_factory.mktemp("cli") / "r.csv"
    d.to_csv(path, index=False)
    return path


def test_comments_json_contract(data, tmp_path):
    out = tmp_path / "c.json"
    r = CliRunner().invoke(app, ["comments", SURVEY, str(data), "--json", str(out)])
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["n_respondents"] == 400 and doc["n_comments"] == len(doc["comments"]) > 0
    row = doc["comments"][0]
    assert {"response_id", "language", "categories", "sentiment", "keywords"} <= set(row)
    assert "text" not in row  # texts only with --with-text
    theme = doc["themes"][0]
    assert {"theme", "n", "share", "mean_satisfaction", "diff_ci_low", "diff_ci_high"} <= set(theme)
    late = {t["theme"]: t for t in doc["themes"]}["late"]
    assert late["n"] >= 1 and late["diff_ci_low"] <= late["diff_ci_high"]
    assert "13912345678" not in out.read_text(encoding="utf-8")


def test_comments_with_text_are_scrubbed(data, tmp_path):
    out = tmp_path / "c.json"
    r = CliRunner().invoke(app, ["comments", SURVEY, str(data), "--json", str(out), "--with-text"])
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    assert "13912345678" not in text and "buyer@example.com" not in text
    assert "快递太慢了，电话[phone]，邮箱[email]" in text


def test_comments_user_errors(data, tmp_path):
    r = CliRunner().invoke(app, ["comments", SURVEY, str(data)])  # issue 17: --json is optional
    assert r.exit_code == 0 and "comments of 400 respondents" in r.stdout and "wrote" not in r.stdout
    r = CliRunner().invoke(app, ["comments", SURVEY, str(tmp_path / "none.csv"), "--json", str(tmp_path / "x")])
    assert r.exit_code == 2 and "no such data file" in r.output


def test_nps_command(data, tmp_path):
    out = tmp_path / "n.json"
    r = CliRunner().invoke(app, ["nps", SURVEY, str(data), "--json", str(out)])
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["nps"]["n"] == 400 and -100 <= doc["nps"]["ci_low"] <= doc["nps"]["nps"] <= doc["nps"]["ci_high"]
    assert {g["group_value"] for g in doc["by_wave"]} <= {"2026Q1", "2026Q2", "2026Q3", "2026Q4"}
    assert [c["category"] for c in doc["loyalty_by_category"]] == ["promoter", "passive", "detractor"]
    assert r.stdout.startswith("NPS ")


def test_nps_refuses_a_survey_without_a_0_10_question(tmp_path):
    d = tmp_path / "a.csv"
    pd.DataFrame({"respondent_id": ["a"]}).to_csv(d, index=False)
    r = CliRunner().invoke(app, ["nps", str(ROOT / "surveys" / "acsi.yaml"), str(d)])
    assert r.exit_code == 2 and "no 0-10 recommendation question" in r.output
