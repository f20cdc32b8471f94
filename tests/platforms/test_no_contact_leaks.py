"""No contact datum reaches storage or output (issue 13, point 4): a Wenjuanxing export with a
phone column and phone numbers / e-mails / ID numbers typed into comments is imported with
--keep-pii and exported in every format; the numbers appear in none of the database file, its
Parquet copies, the exports, the CLI output or the log records."""

from __future__ import annotations

import logging

from platform_writer import render
from typer.testing import CliRunner

from csi.cli.main import app
from csi.simulate import simulate_responses

SECRETS = ["13912345678", "li.wei@example.com", "11010519491231002X"]


def test_contact_data_never_stored_or_exported(flagship, flagship_path, tmp_path, monkeypatch, caplog):
    f, _ = simulate_responses(flagship, n=30, seed=11)
    f = f.copy()
    f["submitted_at"] = f["submitted_at"].dt.floor("s")
    f.loc[0, "comment"] = "请回电 13912345678"
    f.loc[1, "comment"] = "邮箱 li.wei@example.com"
    f.loc[2, "comment"] = "身份证 11010519491231002X"
    data, name, _ = render(flagship, f, "wjx_labels")
    src = tmp_path / name
    src.write_bytes(data)
    phones = [f"139{k:08d}" for k in range(30)]  # the writer's phone column
    assert phones[0].encode("gb18030") in data and "13912345678".encode("gb18030") in data
    db = tmp_path / "csi.sqlite"
    url = f"sqlite:///{db}"
    monkeypatch.setenv("CSI_PII_KEY", "test-key-0123456789abcdef")
    caplog.set_level(logging.DEBUG)
    runner = CliRunner()
    r = runner.invoke(app, ["import", str(flagship_path), str(src), "--db", url, "--keep-pii",
                            "--json", str(tmp_path / "report.json")])
    assert r.exit_code == 0, r.output
    assert "contact data scrubbed from 3 free-text cell(s)" in r.output
    outputs = [r.output, (tmp_path / "report.json").read_text(encoding="utf-8")]
    for fmt in ("csv", "xlsx", "parquet"):
        out = tmp_path / f"export.{fmt}"
        e = runner.invoke(app, ["export", str(flagship_path), "--format", fmt, "--out", str(out), "--db", url])
        assert e.exit_code == 0, e.output
        outputs.append(out.read_bytes())
    stored = db.read_bytes()
    logs = caplog.text
    for secret in SECRETS + phones:
        for blob in outputs + [stored, logs]:
            b = blob if isinstance(blob, bytes) else blob.encode("utf-8")
            assert secret.encode("utf-8") not in b, (secret, type(blob))


def test_keep_pii_without_a_key_exits_2(flagship_path, tmp_path, monkeypatch):
    monkeypatch.delenv("CSI_PII_KEY", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    src = tmp_path / "a.csv"
    src.write_text("respondent_id,channel,pq1,phone\na,jd,5,13912345678\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["import", str(flagship_path), str(src), "--db",
                                 f"sqlite:///{tmp_path / 'x.sqlite'}", "--keep-pii"])
    assert r.exit_code == 2
    assert "CSI_PII_KEY" in r.output and len(r.output.strip().splitlines()) == 1
