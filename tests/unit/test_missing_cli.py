"""``--missing`` on ``csi estimate`` and ``csi drivers``: the JSON ``missing`` object (issue 14)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from csi.cli.main import app
from csi.simulate import simulate_responses, write_plain_csv

KEYS = {"policy", "n_total", "n_used", "by_type", "by_item", "em"}
TYPES = {"dont_know", "not_shown", "skipped", "no_answer"}


@pytest.fixture(scope="module")
def csv(flagship, tmp_path_factory):
    frame, _ = simulate_responses(flagship, n=400, seed=2, dont_know_rate=0.05)
    path = tmp_path_factory.mktemp("m") / "r.csv"
    write_plain_csv(frame, path)
    return path


@pytest.mark.parametrize("policy", ["em", "mean", "pairwise"])
def test_estimate_missing_json(policy, flagship_path, csv, tmp_path):
    out = tmp_path / "o.json"
    r = CliRunner().invoke(app, ["estimate", str(flagship_path), str(csv), "--boot", "50", "--seed", "1",
                                 "--missing", policy, "--json", str(out)])
    assert r.exit_code == 0, r.output
    m = json.loads(out.read_text())["missing"]
    assert set(m) == KEYS and set(m["by_type"]) == TYPES
    assert m["policy"] == policy and m["n_total"] == 400 and m["by_type"]["dont_know"] > 0
    assert all(set(v) == TYPES for v in m["by_item"].values())
    assert (m["em"] is not None) == (policy == "em")
    if policy == "em":
        assert m["n_used"] == 400 and m["em"]["converged"] and m["em"]["iterations"] >= 1


def test_estimate_default_is_em_and_bad_policies_fail(flagship_path, csv, tmp_path):
    out = tmp_path / "o.json"
    r = CliRunner().invoke(app, ["estimate", str(flagship_path), str(csv), "--boot", "0", "--json", str(out)])
    assert r.exit_code == 0, r.output
    assert json.loads(out.read_text())["missing"]["policy"] == "em"
    r = CliRunner().invoke(app, ["estimate", str(flagship_path), str(csv), "--boot", "0", "--missing", "drop",
                                 "--json", str(out)])
    assert r.exit_code == 2 and "'missing' parameter" in r.output and "em" in r.output
    r = CliRunner().invoke(app, ["estimate", str(flagship_path), str(csv), "--boot", "0", "--missing", "fiml",
                                 "--json", str(out)])
    assert r.exit_code == 2 and "method='cbsem'" in r.output


def test_drivers_missing(flagship_path, csv, tmp_path):
    out = tmp_path / "d.json"
    r = CliRunner().invoke(app, ["drivers", str(flagship_path), str(csv), "--boot", "0", "--missing", "em",
                                 "--json", str(out)])
    assert r.exit_code == 0, r.output
    m = json.loads(out.read_text(encoding="utf-8"))["missing"]
    assert set(m) == KEYS and m["policy"] == "em" and m["n_used"] == 400
