"""``csi validate``, ``csi survey show`` and ``csi survey lavaan``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from csi.cli.main import app
from csi.survey import load_survey, parse_lavaan

ROOT = Path(__file__).resolve().parent.parent.parent
SURVEYS = ROOT / "surveys"
DATA = ROOT / "tests" / "data" / "surveys"
FLAGSHIP = SURVEYS / "ecommerce_csi.yaml"

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_validate_good_files():
    files = sorted(SURVEYS.glob("*.yaml"))
    res = run("validate", *files)
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert len(lines) == len(files)
    assert all(line.startswith(str(f)) and ": OK (" in line for line, f in zip(lines, files, strict=True))
    assert res.stderr == ""


def test_validate_broken_file_prints_located_errors():
    res = run("validate", DATA / "several_errors.yaml")
    assert res.exit_code == 2
    err = res.stderr.splitlines()
    assert len(err) == 4
    assert err[1] == f"{DATA / 'several_errors.yaml'}:8:10: scales.s10.min: got 'one'; expected a number"
    assert "Traceback" not in res.output
    assert res.stdout == ""


def test_validate_reports_every_file():
    res = run("validate", FLAGSHIP, DATA / "tab_indent.yaml", DATA / "gbk_encoded.yaml", DATA / "mini.yaml")
    assert res.exit_code == 2
    assert res.stdout.count(": OK (") == 2
    err = res.stderr.splitlines()
    assert len(err) == 2
    assert err[0].startswith(f"{DATA / 'tab_indent.yaml'}:5:1: ")
    assert err[1].startswith(f"{DATA / 'gbk_encoded.yaml'}:4:23: not UTF-8")


def test_validate_missing_file(tmp_path):
    res = run("validate", tmp_path / "nope.yaml")
    assert res.exit_code == 2
    assert "nope.yaml: file not found" in res.stderr
    assert "Traceback" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)


def test_validate_needs_a_file():
    res = run("validate")
    assert res.exit_code == 2  # click usage error
    assert "Traceback" not in res.output


def test_show_structure_in_english():
    res = run("survey", "show", FLAGSHIP, "--lang", "en")
    assert res.exit_code == 0, res.output
    out = res.stdout
    for heading in ("Constructs", "Items", "Paths (ACSI default)", "Questions", "Drivers"):
        assert f"\n{heading}" in out
    assert "Online shop customer satisfaction survey" in out
    assert "complaint     Customer complaints    reflective, binary  1" in out
    assert "pq3   quality       sat10 1-10 (dk 99)     Speed of dispatch and delivery" in out
    assert "satisfaction  ->  loyalty" in out
    assert "phone" in out and "pii: phone" in out
    assert "complaint_type" in out and "if cc1 in 1" in out
    assert "dr_follow_up" in out


def test_show_defaults_to_the_first_language():
    res = run("survey", "show", FLAGSHIP)
    assert res.exit_code == 0
    assert "网店顾客满意度调查" in res.stdout and "感知质量" in res.stdout


def test_show_rejects_an_unknown_language():
    res = run("survey", "show", FLAGSHIP, "--lang", "fr")
    assert res.exit_code == 2
    assert "'fr' is not a language of ecommerce_csi; expected one of zh, en" in res.stderr


def test_show_broken_file():
    res = run("survey", "show", DATA / "top_level_list.yaml")
    assert res.exit_code == 2
    assert ":1:1: expected a mapping" in res.stderr


def test_show_explicit_paths():
    res = run("survey", "show", SURVEYS / "ecsi.yaml", "--lang", "en")
    assert res.exit_code == 0
    assert "Paths (as written)" in res.stdout and "image         ->  loyalty" in res.stdout


def test_lavaan_output_round_trips():
    res = run("survey", "lavaan", FLAGSHIP)
    assert res.exit_code == 0
    model = parse_lavaan(res.stdout, scale=(1, 10))
    expected = load_survey(FLAGSHIP).to_model()
    assert model.construct_ids == expected.construct_ids
    assert set(model.paths) == set(expected.paths)
    assert res.stdout.splitlines()[1] == "expectation =~ ce1 + ce2 + ce3"


def test_lavaan_missing_file(tmp_path):
    res = run("survey", "lavaan", tmp_path / "nope.yaml")
    assert res.exit_code == 2 and "file not found" in res.stderr


@pytest.mark.slow
def test_console_entry_point_has_no_traceback(tmp_path):
    # the real `python -m csi` process: exit code 2 and only the located message on stderr
    proc = subprocess.run([sys.executable, "-m", "csi", "validate", str(DATA / "nul_byte.yaml")],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().endswith("nul_byte.yaml:31:23: binary data (NUL byte); expected YAML text")
    assert "Traceback" not in proc.stderr
