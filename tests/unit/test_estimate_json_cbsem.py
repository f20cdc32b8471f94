"""`csi estimate --method cbsem --json`: standardized paths with `estimate_unstd`, and a `fit` object."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from csi.cli.main import app

FIT_KEYS = {"chi2", "df", "p_value", "cfi", "tli", "rmsea", "rmsea_ci_low", "rmsea_ci_high", "srmr"}


def test_cbsem_json_has_fit_and_unstandardized_paths(root, tmp_path):
    out = tmp_path / "cb.json"
    res = CliRunner().invoke(app, [
        "estimate", str(root / "surveys" / "ecommerce_csi.yaml"),
        str(root / "sample_data" / "ecommerce_responses.csv"),
        "--method", "cbsem", "--json", str(out),
    ])
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text())
    assert set(doc["fit"]) == FIT_KEYS
    assert 0 <= doc["fit"]["cfi"] <= 1 and doc["fit"]["df"] > 0
    first = doc["paths"][0]
    assert {"source", "target", "estimate", "estimate_unstd", "se", "ci_low", "ci_high", "p_value"} <= set(first)
    # standardized and unstandardized estimates are different numbers for the same path
    assert all(abs(p["estimate"]) <= 1 for p in doc["paths"])


def test_pls_json_fit_has_only_srmr(root, tmp_path):
    out = tmp_path / "pls.json"
    res = CliRunner().invoke(app, [
        "estimate", str(root / "surveys" / "ecommerce_csi.yaml"),
        str(root / "sample_data" / "ecommerce_responses.csv"),
        "--boot", "50", "--seed", "1", "--json", str(out),
    ])
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text())
    assert set(doc.get("fit", {})) <= {"srmr"}  # PLS reports SRMR only; no chi2-based indices
    assert "estimate_unstd" not in doc["paths"][0]


def test_summary_prints_the_fit_indices_each_estimator_has(root):
    import pandas as pd

    import csi

    survey = csi.load_survey(root / "surveys" / "ecommerce_csi.yaml")
    frame = pd.read_csv(root / "sample_data" / "ecommerce_responses.csv")
    pls = str(csi.fit(survey, frame, n_boot=0).summary())
    cb = str(csi.fit(survey, frame, method="cbsem").summary())
    assert "fit: SRMR = " in pls and "chi2" not in pls  # PLS has no chi2-based indices
    assert "fit: chi2 = " in cb and "CFI = " in cb and "RMSEA = " in cb
