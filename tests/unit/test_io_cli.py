"""``csi import`` / ``csi export``: summary, JSON keys, idempotence, exit codes, safe export, round trip."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from csi.cli.main import app
from csi.store import close_store

KEYS = ["rows_read", "imported", "rejected", "duplicates", "flagged", "unmapped_columns", "issues"]


@pytest.fixture()
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    yield url
    close_store(url)


def _run(*args):
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_import_json_and_idempotence(flagship_path, tmp_path, db):
    src = tmp_path / "r.csv"
    src.write_text("respondent_id,submitted_at,pq1,channel,extra\n"
                   "a,2026-01-01T00:00:00,5,jd,x\nb,2026-01-01T00:00:00,12,jd,y\n", encoding="utf-8")
    out = tmp_path / "o.json"
    r = _run("import", flagship_path, src, "--db", db, "--json", out)
    assert r.exit_code == 0, r.output
    assert "2 rows read: 1 imported, 1 rejected" in r.output and "row 3, pq1" in r.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert list(data) == KEYS
    assert (data["rows_read"], data["imported"], data["rejected"], data["duplicates"]) == (2, 1, 1, 0)
    assert data["unmapped_columns"] == ["extra"]
    assert data["issues"][0] == {"row": 3, "column": "pq1", "value": 12,
                                 "reason": "out of scale; expected a value of the 1–10 scale or 99 (don't know)"}
    again = _run("import", flagship_path, src, "--db", db, "--json", out)
    assert again.exit_code == 0 and "already imported" in again.output
    assert json.loads(out.read_text(encoding="utf-8"))["imported"] == 0


@pytest.mark.parametrize("content", [b"", b"just some words\n", b"\xff\xfe\xfa\x00\x00garbage\x81"])
def test_unusable_file_exits_2_with_one_line(flagship_path, tmp_path, db, content):
    src = tmp_path / "bad.csv"
    src.write_bytes(content)
    r = _run("import", flagship_path, src, "--db", db)
    assert r.exit_code == 2
    assert r.output.strip().startswith("error:") and len(r.output.strip().splitlines()) == 1


def test_missing_file_exits_2(flagship_path, tmp_path, db):
    r = _run("import", flagship_path, tmp_path / "nope.csv", "--db", db)
    assert r.exit_code == 2 and "cannot read" in r.output


def test_export_neutralises_formulas_keeps_negative_numbers(flagship_path, tmp_path, db):
    src = tmp_path / "r.csv"
    src.write_text("respondent_id,submitted_at,pq1,channel,comment,orders_12m\n"
                   "=HYPERLINK(1),2026-01-01T00:00:00,5,jd,@SUM(A1),3\n"
                   "b,2026-01-01T00:00:00,6,jd,-ok,\n", encoding="utf-8")
    assert _run("import", flagship_path, src, "--db", db).exit_code == 0
    for fmt in ("csv", "xlsx", "parquet"):
        out = tmp_path / f"e.{fmt}"
        r = _run("export", flagship_path, "--format", fmt, "--db", db, "--out", out)
        assert r.exit_code == 0, r.output
    csv_text = (tmp_path / "e.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK(1)" in csv_text and "'@SUM(A1)" in csv_text and "'-ok" in csv_text
    x = pd.read_excel(tmp_path / "e.xlsx")
    assert x.loc[0, "respondent_id"] == "'=HYPERLINK(1)" and x["pq1"].tolist() == [5, 6]
    p = pd.read_parquet(tmp_path / "e.parquet")
    assert p.loc[0, "respondent_id"] == "=HYPERLINK(1)"  # parquet is data, not a spreadsheet
    assert "phone" not in p.columns


def test_export_negative_numbers_stay_numeric():
    from csi.io.export import neutralize_formulas

    f = pd.DataFrame({"x": [-1.5, 2.0], "t": ["-1", "a"]})
    out = neutralize_formulas(f)
    assert out["x"].tolist() == [-1.5, 2.0] and out["t"].tolist() == ["'-1", "a"]


def test_round_trip_simulate_import_export(flagship, flagship_path, tmp_path, db):
    from csi.simulate import simulate_responses

    frame, _ = simulate_responses(flagship, n=200, seed=11)
    src = tmp_path / "sim.csv"
    frame.to_csv(src, index=False, date_format="%Y-%m-%dT%H:%M:%S")
    assert _run("import", flagship_path, src, "--db", db).exit_code == 0
    out = tmp_path / "back.parquet"
    assert _run("export", flagship_path, "--format", "parquet", "--db", db, "--out", out).exit_code == 0
    back = pd.read_parquet(out).set_index("respondent_id").loc[frame["respondent_id"]].reset_index()
    exp = frame.copy()
    exp["submitted_at"] = exp["submitted_at"].dt.floor("s").astype("datetime64[ns]")
    cols = [c for c in exp.columns if c not in flagship.pii_fields]
    pd.testing.assert_frame_equal(back[cols], exp[cols], check_dtype=False)
