"""Issue 13 points 8 and 10 on the command line: ``--encoding`` for every command that reads a
response file (``csi import``, ``csi estimate``, ``csi drivers``), and the survey versions that
``csi export`` / ``csi estimate --db`` / ``csi drivers --db`` read, printed."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from csi.cli.main import app


@pytest.fixture(scope="module")
def ambiguous_csv(tmp_path_factory, flagship_path):
    """300 sample responses plus a comment of one hanzi (GB18030 and Big5 read it alike)."""
    frame = pd.read_csv(flagship_path.parents[1] / "sample_data" / "ecommerce_responses.csv", nrows=300)
    frame["comment"] = "长"
    path = tmp_path_factory.mktemp("enc") / "gb.csv"
    path.write_bytes(frame.to_csv(index=False).encode("gb18030"))
    return path


@pytest.mark.parametrize("command", [["estimate"], ["drivers"]])
def test_encoding_option_of_commands_that_read_a_file(command, flagship_path, ambiguous_csv, tmp_path):
    runner = CliRunner()
    extra = ["--boot", "0"] if command == ["estimate"] else ["--boot", "20"]
    r = runner.invoke(app, [*command, str(flagship_path), str(ambiguous_csv), *extra])
    assert r.exit_code == 2
    assert "gb.csv" in r.output and "--encoding" in r.output
    r = runner.invoke(app, [*command, str(flagship_path), str(ambiguous_csv), *extra, "--encoding", "nonsense"])
    assert r.exit_code == 2 and "unknown encoding 'nonsense'" in r.output
    out = tmp_path / "o.json"
    r = runner.invoke(app, [*command, str(flagship_path), str(ambiguous_csv), *extra, "--encoding", "gb18030",
                            "--json", str(out)])
    assert r.exit_code == 0, r.output
    assert out.exists()


def test_export_and_db_reads_name_the_survey_versions(flagship_path, tmp_path):
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    sample = flagship_path.parents[1] / "sample_data" / "ecommerce_responses.csv"
    part = tmp_path / "part.csv"
    pd.read_csv(sample, nrows=300).to_csv(part, index=False)
    r = runner.invoke(app, ["import", str(flagship_path), str(part), "--db", db])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["export", str(flagship_path), "--out", str(tmp_path / "x.csv"), "--db", db])
    assert r.exit_code == 0, r.output
    assert "300 responses written to" in r.output and "(survey ecommerce_csi, version 1.0)" in r.output
    r = runner.invoke(app, ["estimate", str(flagship_path), "--db", db, "--boot", "0"])
    assert r.exit_code == 0, r.output
    assert "read 300 stored responses of ecommerce_csi, survey version 1.0" in r.output
    r = runner.invoke(app, ["drivers", str(flagship_path), "--db", db, "--boot", "0"])
    assert r.exit_code == 0, r.output
    assert "read 300 stored responses of ecommerce_csi, survey version 1.0" in r.output
