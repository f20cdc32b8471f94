"""``csi estimate`` end to end on small files (lavaan + CSV, survey YAML + sample data)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from csi.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
LAV = "A =~ a1 + a2 + a3\nB =~ b1 + b2\nB ~ A\n"
KEYS = {"paths", "total_effects", "r2", "loadings", "weights", "index", "reliability", "htmt",
        "n", "n_boot", "converged", "iterations", "missing", "warnings"}


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(0)
    z = rng.normal(size=200)
    cols = {f"a{i}": np.clip(np.round(4 + 1.2 * z + rng.normal(size=200)), 1, 7) for i in (1, 2, 3)}
    w = 0.6 * z + 0.8 * rng.normal(size=200)
    cols |= {f"b{i}": np.clip(np.round(4 + 1.2 * w + rng.normal(size=200)), 1, 7) for i in (1, 2)}
    df = pd.DataFrame(cols)
    df.loc[3, "b2"] = -99
    (tmp_path / "m.lav").write_text(LAV)
    df.to_csv(tmp_path / "d.csv", index=False)
    return tmp_path


def test_lavaan_csv_to_json(files):
    out = files / "o.json"
    r = CliRunner().invoke(app, ["estimate", str(files / "m.lav"), str(files / "d.csv"), "--scale", "1,7",
                                 "--missing-codes=-99", "--missing", "listwise", "--boot", "200", "--seed", "3",
                                 "--json", str(out)])
    assert r.exit_code == 0, r.output
    d = json.loads(out.read_text())
    assert set(d) >= KEYS
    assert d["n"] == 199 and d["n_boot"] == 200 and d["missing"]["n_total"] - d["missing"]["n_used"] == 1
    assert d["paths"][0]["source"] == "A" and d["paths"][0]["ci_low"] < d["paths"][0]["estimate"]
    assert "Path coefficients" in r.output


def test_out_of_scale_value_exits_2(files):
    r = CliRunner().invoke(app, ["estimate", str(files / "m.lav"), str(files / "d.csv"), "--scale", "1,7",
                                 "--json", str(files / "o.json")])
    assert r.exit_code == 2
    assert "item 'b2', row 3: value -99 is outside the scale [1, 7]" in r.output


def test_lavaan_needs_scale_and_data(files):
    r = CliRunner().invoke(app, ["estimate", str(files / "m.lav"), str(files / "d.csv"), "--json", "x.json"])
    assert r.exit_code == 2 and "--scale MIN,MAX" in r.output
    r = CliRunner().invoke(app, ["estimate", str(files / "m.lav"), "--scale", "1,7", "--json", "x.json"])
    assert r.exit_code == 2 and "a lavaan model needs a DATA file" in r.output  # the store holds surveys


def test_survey_yaml_with_sample_data(tmp_path):
    out = tmp_path / "o.json"
    r = CliRunner().invoke(app, ["estimate", str(ROOT / "surveys" / "ecommerce_csi.yaml"),
                                 str(ROOT / "sample_data" / "ecommerce_responses.csv"),
                                 "--boot", "50", "--seed", "1", "--json", str(out)])
    assert r.exit_code == 0, r.output
    d = json.loads(out.read_text())
    assert {x["construct"] for x in d["index"]} >= {"satisfaction", "loyalty"}
    assert all(0 <= x["score"] <= 100 for x in d["index"])


def test_strata_option_is_the_stratified_bootstrap(files):
    df = pd.read_csv(files / "d.csv")
    df["wave"] = np.repeat(["w1", "w2"], 100)
    df.to_csv(files / "dw.csv", index=False)
    out = files / "o.json"
    r = CliRunner().invoke(app, ["estimate", str(files / "m.lav"), str(files / "dw.csv"), "--scale", "1,7",
                                 "--missing-codes=-99", "--boot", "100", "--seed", "3", "--strata", "wave",
                                 "--json", str(out)])
    assert r.exit_code == 0, r.output
    import csi

    expect = csi.fit(LAV, df, scale=(1, 7), missing_codes=(-99,), n_boot=100, seed=3, strata="wave")
    got = json.loads(out.read_text())["index"]
    np.testing.assert_allclose([x["ci_low"] for x in got], expect.index["ci_low"], rtol=1e-12)
    r = CliRunner().invoke(app, ["estimate", str(files / "m.lav"), str(files / "dw.csv"), "--scale", "1,7",
                                 "--missing-codes=-99", "--strata", "nope", "--json", str(out)])
    assert r.exit_code == 2 and "'nope'" in r.output


def test_json_is_optional_the_summary_is_printed(files):
    """Issue 17: `--json` is optional, as README and --help show; without it the summary table is
    the output and no file is written."""
    before = set(files.iterdir())
    r = CliRunner().invoke(app, ["estimate", str(files / "m.lav"), str(files / "d.csv"), "--scale", "1,7",
                                 "--missing-codes=-99", "--boot", "0"])
    assert r.exit_code == 0, r.output
    assert "Path coefficients" in r.output and "wrote" not in r.output
    assert set(files.iterdir()) == before
