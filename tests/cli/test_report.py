"""``csi report`` in all three formats: the PDF rendered to page images (pdftoppm) and its text
read back (pdftotext), CJK included; HTML self-contained; XLSX with translated headings; the
numbers equal those of the csi functions; located errors for a bad wave or format."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from csi.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
SURVEY = str(ROOT / "surveys" / "ecommerce_csi.yaml")
BOOT = "30"
#: snake_case result columns that must never reach a manager's page
RAW_NAMES = ("importance_ci_low", "ci_low", "ci_high", "rho_c", "raw_weight", "n_obs", "quadrant",
             "rescaled_weight", "odds_ratio", "construct_a")


def _poppler() -> None:
    if shutil.which("pdftoppm") and shutil.which("pdftotext"):
        return
    if os.environ.get("CSI_REQUIRE_POPPLER", "").strip() not in ("", "0", "false", "no"):
        pytest.fail("pdftoppm/pdftotext not found (mandatory here because CSI_REQUIRE_POPPLER is set)")
    pytest.skip("pdftoppm/pdftotext not found (apt-get install poppler-utils)")


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """900 sample respondents: the first, middle and last 300 rows (four waves of the sample file)."""
    d = pd.read_csv(ROOT / "sample_data" / "ecommerce_responses.csv", dtype=str, keep_default_na=False)
    d = pd.concat([d.head(300), d.iloc[1350:1650], d.tail(300)])
    path = tmp_path_factory.mktemp("report") / "r.csv"
    d.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory, data) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'csi.sqlite'}"
    r = CliRunner().invoke(app, ["import", SURVEY, str(data), "--db", url])
    assert r.exit_code == 0, r.output
    return url


def _expected_latest_wave_index(data: Path) -> tuple[str, float]:
    """The latest wave's satisfaction index from a plain fit of that wave (point estimates do
    not depend on the bootstrap)."""
    from csi.estimate.fit import fit
    from csi.io import read_responses
    from csi.survey import load_survey

    s = load_survey(SURVEY)
    f = read_responses(data, s).valid
    last = sorted(f["wave"].astype(str).unique())[-1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit(s, f[f["wave"].astype(str) == last], n_boot=0)
    idx = res.index.set_index("construct")["score"]
    return last, float(idx["satisfaction"])


def test_pdf_in_chinese_renders_and_reads_back(data, tmp_path):
    _poppler()
    out = tmp_path / "report.pdf"
    r = CliRunner().invoke(app, ["report", SURVEY, str(data), "--format", "pdf", "--out", str(out),
                                 "--lang", "zh", "--boot", BOOT])
    assert r.exit_code == 0, r.output
    assert out.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    for heading in ("满意度现状", "优先改进", "重要性与表现", "促使顾客再次购买的因素", "投诉", "细分群体", "附录：模型质量"):
        assert heading in text, heading
    wave, score = _expected_latest_wave_index(data)
    assert f"顾客满意度：{score:.1f}" in text and f"调查期 {wave}" in text
    assert not any(name in text for name in RAW_NAMES)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(out), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 3
    from PIL import Image

    for page in pages:  # every page has ink: text and charts were laid out, not blank pages
        img = Image.open(page).convert("L")
        dark = sum(img.histogram()[:128])
        assert dark > 0.002 * img.width * img.height, page.name


def test_html_is_self_contained_and_says_the_same(data, tmp_path):
    out = tmp_path / "report.html"
    r = CliRunner().invoke(app, ["report", SURVEY, str(data), "--out", str(out), "--boot", BOOT])
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=""", html)  # nothing loaded from elsewhere
    assert html.count("<svg") >= 4  # trend, construct indices, IPMA, repurchase, complaint types
    wave, score = _expected_latest_wave_index(data)
    assert f"Customer satisfaction: {score:.1f} of 100" in html and f"wave {wave}" in html
    assert "Share who complained (%), lower is better" in html
    assert not any(name in html for name in RAW_NAMES)
    assert "What to fix first" in html
    # the headline construct and what it drives are outcomes, never levers to fix
    levers = r.stdout.split("fix first:")[1].splitlines()[0].strip().split(", ")
    assert levers and not {"satisfaction", "loyalty", "complaint"} & set(levers)


def test_xlsx_from_the_store_for_one_wave(store, data, tmp_path):
    from openpyxl import load_workbook

    wave, score = _expected_latest_wave_index(data)
    out = tmp_path / "report.xlsx"
    r = CliRunner().invoke(app, ["report", SURVEY, "--db", store, "--out", str(out), "--lang", "zh",
                                 "--wave", wave, "--boot", BOOT])
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("300 of 300 respondents; headline")  # n used of n collected in the wave
    wb = load_workbook(out, read_only=True)
    assert wb.sheetnames[:3] == ["摘要", "优先改进", "趋势"]
    summary = [row[0] for row in wb["摘要"].iter_rows(min_row=2, values_only=True)]
    assert any(f"{score:.1f}" in str(v) and f"调查期 {wave}" in str(v) for v in summary)
    for ws in wb.worksheets:
        header = next(ws.iter_rows(max_row=1, values_only=True))
        assert not any(h in RAW_NAMES for h in header), ws.title
    trend = list(wb["趋势"].iter_rows(values_only=True))
    assert trend[0] == ("调查期", "指数（0–100）", "95% 置信区间", "受访者数")
    assert [row[0] for row in trend[1:]] == sorted({row[0] for row in trend[1:]}) and len(trend) == 5


def test_user_errors_are_one_line(data, tmp_path):
    r = CliRunner().invoke(app, ["report", SURVEY, str(data), "--out", str(tmp_path / "r.docx")])
    assert r.exit_code == 2 and r.output.strip() == "error: --format must be one of html, xlsx, pdf; got 'docx'"
    r = CliRunner().invoke(app, ["report", SURVEY, str(data), "--out", str(tmp_path / "r.html"), "--lang", "fr"])
    assert r.exit_code == 2 and "--lang must be zh or en" in r.output
    r = CliRunner().invoke(app, ["report", SURVEY, str(data), "--out", str(tmp_path / "r.html"), "--wave", "1999Q1",
                                 "--boot", BOOT])
    assert r.exit_code == 2
    assert r.output.strip().splitlines()[-1].startswith("error: --wave '1999Q1': no such wave in the responses; "
                                                        "waves: 2026Q1, ")
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("template", ["acsi", "ecsi", "ccsi"])
def test_every_template_survey_reports_in_chinese(template, tmp_path):
    """The report works for the other template surveys (responses drawn by `csi simulate`): every
    section heading in Chinese, no raw field names, no English words outside the chart-free CSS."""
    survey = str(ROOT / "surveys" / f"{template}.yaml")
    data = tmp_path / "r.csv"
    r = CliRunner().invoke(app, ["simulate", survey, "--n", "300", "--seed", "2", "--out", str(data),
                                 "--truth", str(tmp_path / "t.json")])
    assert r.exit_code == 0, r.output
    out = tmp_path / "r.html"
    r = CliRunner().invoke(app, ["report", survey, str(data), "--out", str(out), "--lang", "zh", "--boot", "20"])
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    body = re.sub(r"<style>.*?</style>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", body)
    for heading in ("满意度现状", "优先改进", "重要性与表现", "附录：模型质量"):
        assert heading in text, heading
    assert not any(name in text for name in RAW_NAMES)
    # allowed: the survey's id and the index's acronym in its title (ACSI), the HTMT statistic
    words = set(re.findall(r"\b[A-Za-z]{4,}\b", text)) - {"HTMT", template, template.upper()}
    assert not words, words


def test_repurchase_section_equals_the_drivers_analysis(data):
    """The report runs only the two logit fits it shows; its odds ratios, shares and AUC are those
    of :func:`csi.drivers.repurchase_analysis` and :func:`csi.drivers.relative_importance` on the
    same fit."""
    import numpy as np

    from csi.drivers import relative_importance, repurchase_analysis
    from csi.io import read_responses
    from csi.report.management import build_management_report
    from csi.survey import load_survey

    survey = load_survey(SURVEY)
    frame = read_responses(data, survey).valid
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = build_management_report(survey, frame, n_boot=20)
        from csi.estimate.waves import fit_by_wave

        pooled = fit_by_wave(survey, frame, n_boot=20, seed=0).pooled
        beh = repurchase_analysis(survey, frame, pooled)
        ri = relative_importance(survey, frame, pooled, n_boot=0).set_index("lever")
    logit = beh["logit_drivers"].set_index("term")
    got = rep.repurchase.set_index("lever")
    assert set(got.index) == set(ri.index)
    np.testing.assert_allclose(got["share"], 100 * ri.loc[got.index, "rescaled_weight"], rtol=1e-12)
    np.testing.assert_allclose(got["odds_ratio"], logit.loc[got.index, "odds_ratio"], rtol=1e-9)
    np.testing.assert_allclose(got["ci_low"], logit.loc[got.index, "ci_low"], rtol=1e-9)
    main = beh["auc"].set_index("model").loc["drivers"]
    assert rep.auc["auc"] == pytest.approx(main["auc"]) and rep.auc["n"] == int(main["n"])
