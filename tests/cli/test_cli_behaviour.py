"""Issue 17, the CLI that behaves: where the responses come from (DATA, --db, CSI_DATABASE_URL,
the default store ./var/csi.sqlite), --json optional everywhere, flags without ``<bool>`` in the
help, ``csi hash-password`` from one stdin line or a terminal prompt, ``python -m csi.cli.main``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from csi.auth import verify_password
from csi.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
SURVEY = str(ROOT / "surveys" / "ecommerce_csi.yaml")
ENV = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """600 sample respondents: the first and the last 300 (two waves of the sample file)."""
    d = pd.read_csv(ROOT / "sample_data" / "ecommerce_responses.csv", dtype=str, keep_default_na=False)
    d = pd.concat([d.head(300), d.tail(300)])
    path = tmp_path_factory.mktemp("cli") / "r.csv"
    d.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory, data) -> str:
    """A SQLite store holding ``data``, filled by ``csi import`` as a user would."""
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'csi.sqlite'}"
    r = CliRunner().invoke(app, ["import", SURVEY, str(data), "--db", url])
    assert r.exit_code == 0, r.output
    return url


def _run(args, **kw):
    return CliRunner().invoke(app, args, **kw)


# -- where the responses come from ---------------------------------------------------------
def test_estimate_reads_csi_database_url_without_data(store, data, monkeypatch):
    monkeypatch.setenv("CSI_DATABASE_URL", store)
    from_store = _run(["estimate", SURVEY, "--boot", "0"])
    assert from_store.exit_code == 0, from_store.output
    from_file = _run(["estimate", SURVEY, str(data), "--boot", "0"])
    assert from_file.exit_code == 0, from_file.output
    # the same 600 respondents either way: the same summary (paths, index)
    assert from_store.stdout == from_file.stdout
    assert "Path coefficients" in from_store.stdout


def test_db_option_wins_over_csi_database_url(store, tmp_path, monkeypatch):
    monkeypatch.setenv("CSI_DATABASE_URL", f"sqlite:///{tmp_path / 'absent.sqlite'}")
    r = _run(["estimate", SURVEY, "--db", store, "--boot", "0"])
    assert r.exit_code == 0, r.output


def test_default_store_is_var_csi_sqlite(data, tmp_path, monkeypatch):
    """Without DATA, --db and CSI_DATABASE_URL: ./var/csi.sqlite of the working directory, the
    store `csi import` fills by default."""
    from csi.store import DEFAULT_URL, close_store

    monkeypatch.delenv("CSI_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    close_store(DEFAULT_URL)  # a relative URL: no engine of another directory
    request_cleanup = close_store
    r = _run(["drivers", SURVEY, "--boot", "20"])
    assert r.exit_code == 2
    assert r.output.strip().splitlines()[-1] == (
        "error: no DATA file given and no store at sqlite:///./var/csi.sqlite (give a DATA file, --db URL "
        "or CSI_DATABASE_URL, or store responses first with `csi import`)")
    assert not (tmp_path / "var").exists()  # looking did not create an empty store
    try:
        r = _run(["import", SURVEY, str(data)])
        assert r.exit_code == 0, r.output
        assert (tmp_path / "var" / "csi.sqlite").exists()
        r = _run(["drivers", SURVEY, "--boot", "20"])
        assert r.exit_code == 0, r.output
        assert r.stdout.startswith("600 respondents; fix first:")
    finally:
        request_cleanup(DEFAULT_URL)


def test_store_without_the_survey_is_a_one_line_error(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    from csi.store import close_store, open_store

    open_store(url)
    close_store(url)
    r = _run(["estimate", SURVEY, "--db", url])
    assert r.exit_code == 2
    assert "no stored responses of survey 'ecommerce_csi'" in r.output and "Traceback" not in r.output


def test_missing_data_file_is_named(tmp_path):
    r = _run(["nps", SURVEY, str(tmp_path / "nope.csv")])
    assert r.exit_code == 2 and f"{tmp_path / 'nope.csv'}: no such data file" in r.output


# -- --json optional everywhere -------------------------------------------------------------
@pytest.mark.parametrize(("cmd", "first_line"), [
    (["drivers", SURVEY, "--boot", "20"], "600 respondents; fix first:"),
    (["comments", SURVEY], "comments of 600 respondents; top themes:"),
    (["nps", SURVEY], "NPS "),
    (["micom", SURVEY, "--group", "wave", "--perm", "20"], "expectation: "),
])
def test_json_is_optional_summary_printed(cmd, first_line, store, tmp_path, monkeypatch):
    """Each command reads the store from CSI_DATABASE_URL and prints its summary; --json adds the file."""
    monkeypatch.setenv("CSI_DATABASE_URL", store)
    monkeypatch.chdir(tmp_path)
    r = _run(cmd)
    assert r.exit_code == 0, r.output
    assert first_line in r.stdout.splitlines()[0] and "wrote" not in r.stdout
    assert list(tmp_path.iterdir()) == []  # nothing written
    out = tmp_path / "out.json"
    r = _run([*cmd, "--json", str(out)])
    assert r.exit_code == 0, r.output
    assert f"wrote {out}" in r.stdout and json.loads(out.read_text(encoding="utf-8"))


def _three_blocks(tmp_path):
    import numpy as np

    rng = np.random.default_rng(0)
    n = 150
    f = rng.normal(size=n)
    cols = {}
    for c in ("a", "b", "y"):
        g = 0.7 * f + 0.7 * rng.normal(size=n)
        for k in range(3):
            cols[f"{c}{k + 1}"] = np.clip(np.round(4 + 1.2 * g + 0.6 * rng.normal(size=n)), 1, 7)
    pd.DataFrame(cols).to_csv(tmp_path / "d.csv", index=False)


def test_moderate_json_optional(tmp_path):
    _three_blocks(tmp_path)
    (tmp_path / "m.lav").write_text("A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3\nY =~ y1 + y2 + y3\n"
                                    "Y ~ A + B + A:B\n")
    r = _run(["moderate", str(tmp_path / "m.lav"), str(tmp_path / "d.csv"), "--scale", "1,7"])
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("A*B -> Y: ") and "wrote" not in r.stdout


def test_higher_order_json_optional(tmp_path):
    """Two first-order constructs under one higher-order construct, which drives a third."""
    _three_blocks(tmp_path)
    (tmp_path / "m.lav").write_text("A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3\nY =~ y1 + y2 + y3\n"
                                    "H =~ A + B\nY ~ H\n")
    r = _run(["higher-order", str(tmp_path / "m.lav"), str(tmp_path / "d.csv"), "--scale", "1,7"])
    assert r.exit_code == 0, r.output
    assert "H -> Y: +" in r.stdout and "wrote" not in r.stdout
    r = _run(["higher-order", str(tmp_path / "m.lav"), "--scale", "1,7"])
    assert r.exit_code == 2  # DATA is required for a lavaan model


# -- help: flags without <bool> --------------------------------------------------------------
def _all_commands(group: click.Command, prefix=()):
    for name, cmd in getattr(group, "commands", {}).items():
        yield (*prefix, name), cmd
        yield from _all_commands(cmd, (*prefix, name))


def test_no_bool_placeholder_in_any_help():
    group = typer.main.get_command(app)
    paths = [p for p, _ in _all_commands(group)]
    assert len(paths) > 20
    for path in [(), *paths]:
        r = _run([*path, "--help"], terminal_width=200)
        assert r.exit_code == 0, (path, r.output)
        assert "<bool>" not in r.output, path


def test_flags_still_work_and_reject_a_value(store):
    r = _run(["estimate", SURVEY, "--db", store, "--boot", "0", "--consistent"])
    assert r.exit_code == 0, r.output
    r = _run(["estimate", SURVEY, "--db", store, "--consistent", "true"])
    assert r.exit_code == 2  # "true" is an unexpected extra argument, as the help now implies


# -- hash-password -----------------------------------------------------------------------------
def test_hash_password_reads_one_stdin_line():
    r = _run(["hash-password", "--iterations", "1000"], input="s3cret pass\n")
    assert r.exit_code == 0, r.output
    assert verify_password("s3cret pass", r.stdout.strip())
    assert not verify_password("s3cret pass\n", r.stdout.strip())


def test_hash_password_empty_stdin_is_an_error():
    r = _run(["hash-password"], input="")
    assert r.exit_code == 2 and "no password on standard input" in r.output


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_hash_password_prompts_twice_on_a_terminal():
    """On a terminal (a pseudo-terminal as the controlling tty) the password is asked twice and
    not echoed; the printed hash verifies."""
    import pty
    import select
    import termios

    master, slave = pty.openpty()

    def _controlling_tty():  # runs in the child: the pty becomes its terminal
        os.setsid()
        import fcntl

        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen([sys.executable, "-m", "csi", "hash-password", "--iterations", "1000"],
                            stdin=slave, stdout=slave, stderr=slave, env=ENV, cwd=ROOT,
                            preexec_fn=_controlling_tty, close_fds=True)
    os.close(slave)
    out = b""

    def read_until(token: bytes, timeout=60.0):
        nonlocal out
        while token not in out:
            ready, _, _ = select.select([master], [], [], timeout)
            if not ready:
                raise AssertionError(f"no {token!r} in {out!r}")
            try:
                chunk = os.read(master, 1024)
            except OSError:
                break
            if not chunk:
                break
            out += chunk

    # the prompt ends with the space getpass writes once echo is off (typing earlier is echoed,
    # then discarded by the terminal mode change, as for a user)
    read_until(b"Password: ")
    os.write(master, b"pty pass\n")
    read_until(b"Repeat for confirmation: ")
    os.write(master, b"pty pass\n")
    read_until(b"pbkdf2_sha256$")
    assert proc.wait(timeout=60) == 0
    read_until(b"\x00", timeout=1)  # the rest of the output, up to end of file
    os.close(master)
    text = out.decode()
    assert "pty pass" not in text  # not echoed
    assert verify_password("pty pass", text[text.index("pbkdf2_sha256$"):].split()[0])


# -- python -m -------------------------------------------------------------------------------
@pytest.mark.parametrize("module", ["csi", "csi.cli.main"])
def test_python_m_runs_the_cli(module):
    r = subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True, text=True, env=ENV,
                       cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "estimate" in r.stdout and "report" in r.stdout
