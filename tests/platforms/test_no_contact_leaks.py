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


#: SurveyMonkey's "Contact Information" question: one sub-column per row type of the API's
#: ``demographic`` family (SurveyMonkey/public_api_docs ``includes/_questions.md``: name,
#: company, address, address2, city, state, zip, country, email, phone; labels as the UI shows them)
SM_CONTACT_ROWS = ["Name", "Company", "Address", "Address 2", "City/Town", "State/Province",
                   "ZIP/Postal Code", "Country", "Email Address", "Phone Number"]
SM_CONTACT_VALUES = ["Wei Li", "Acme Trading Ltd", "88 Jianguo Road", "Flat 1702", "Hangzhou", "Zhejiang",
                     "310002", "China", "li.wei@example.com", "+86 139 1234 5678"]


def test_surveymonkey_contact_information_question_never_reaches_the_quarantine(flagship):
    """A survey that does not map SurveyMonkey's Contact Information question: all its
    sub-columns are contact data -- dropped, listed, absent from the rejected rows."""
    import csv
    import io

    from csi.io import read_responses

    f, _ = simulate_responses(flagship, n=6, seed=5)
    f = f.copy()
    f["submitted_at"] = f["submitted_at"].dt.floor("s")
    data, name, _ = render(flagship, f, "surveymonkey")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    rows[0] += ["How can we reach you?"] + [""] * (len(SM_CONTACT_ROWS) - 1)
    rows[1] += SM_CONTACT_ROWS
    for r in rows[2:]:
        r += SM_CONTACT_VALUES
    pq1 = rows[1].index(flagship.t(flagship.items["pq1"].item.text, "en"))
    rows[2][pq1] = "eleven"  # one rejected row: the quarantine must still hold no contact datum
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    res = read_responses(buf.getvalue().encode("utf-8"), flagship, file_name=name)
    assert len(res.rejected) == 1
    missed = [c for c in SM_CONTACT_ROWS if not any(p == c or p.startswith(c) for p in res.pii_columns)]
    assert missed == [], res.pii_columns
    text = res.rejected.astype(str).to_string() + res.valid.astype(str).to_string()
    for v in SM_CONTACT_VALUES[:8]:
        assert v not in text, v
