"""Alert rules saved in the store's settings (the app's Settings page): validation with one
line per problem, save/reset with audit entries, and ``csi alerts check`` reading them."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from csi.accounts.audit import read_audit
from csi.alerts.rules import DEFAULT_RULES, survey_rules
from csi.alerts.settings import (
    clear_rules,
    effective_rules,
    parse_rules_text,
    rules_source,
    rules_text,
    save_rules,
    settings_key,
    stored_rules,
)
from csi.errors import ParameterError
from csi.store import close_store, open_store
from csi.survey.comments_spec import AlertRule
from tests.unit._store_helpers import pg_schema_url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'csi.sqlite'}"
        yield open_store(url)
        close_store(url)
    else:
        with pg_schema_url(request.getfixturevalue("postgres_url")) as url:
            yield open_store(url)


def test_text_round_trip_keeps_every_rule(flagship):
    rules = survey_rules(flagship)
    assert parse_rules_text(rules_text(rules), flagship) == rules
    assert "alpha" not in rules_text(DEFAULT_RULES)  # defaults are left out of the text


@pytest.mark.parametrize(("text", "expected"), [
    ("- kind: index_drp\n", "alert rules, rule 1, field kind: Input should be 'index_drop'"),
    ("- kind: index_drop\n- kind: index_drop\n  alpha: 0.7\n", "alert rules, rule 2, field alpha: "),
    ("- kind: index_drop\n  construct: satisfactoin\n", "rule 1, field construct: unknown construct 'satisfactoin'"),
    ("- kind: segment_below\n  segment: channel\n", "rule 1: a segment_below rule needs `segment:` and `threshold:`"),
    ("- kind: segment_below\n  segment: chanel\n  threshold: 50\n", "field segment: unknown segment 'chanel'"),
    ("- kind: theme_rising\n  theme: nope\n", "field theme: unknown theme 'nope'"),
    ("- kind: [\n", "alert rules line 2, column 1: not valid YAML"),
    ("kind: index_drop\n", "expected a non-empty list of rules"),
    ("", "expected a non-empty list of rules"),
])
def test_bad_rules_give_one_line_each(flagship, text, expected):
    with pytest.raises(ParameterError) as exc:
        parse_rules_text(text, flagship)
    assert expected in str(exc.value)
    assert "Traceback" not in str(exc.value)


def test_two_bad_rules_two_lines(flagship):
    with pytest.raises(ParameterError) as exc:
        parse_rules_text("- kind: index_drop\n  alpha: 0\n- kind: theme_rising\n  min_n: 1\n", flagship)
    lines = str(exc.value).splitlines()
    assert len(lines) == 2 and "rule 1, field alpha" in lines[0] and "rule 2, field min_n" in lines[1]


def test_save_and_reset_are_audited(store, flagship):
    assert stored_rules(store, flagship.id) is None
    assert rules_source(flagship, store) == "survey"
    assert effective_rules(flagship, store) == survey_rules(flagship)
    mine = (AlertRule(kind="index_drop", construct="loyalty", alpha=0.01),)
    save_rules(store, flagship.id, mine, actor="ann", client="10.0.0.1")
    assert stored_rules(store, flagship.id) == mine
    assert effective_rules(flagship, store) == mine and rules_source(flagship, store) == "settings"
    save_rules(store, flagship.id, DEFAULT_RULES, actor="bob")  # a second save replaces the first
    assert effective_rules(flagship, store) == DEFAULT_RULES
    assert stored_rules(store, "another_survey") is None  # per survey id
    clear_rules(store, flagship.id, actor="ann")
    assert rules_source(flagship, store) == "survey"
    log = read_audit(store, action="alert_rules_changed")
    assert list(log["actor"]) == ["ann", "bob", "ann"]  # newest first
    assert set(log["target"]) == {flagship.id}
    assert json.loads(log["detail"].iloc[2])["rules"][0] == {"kind": "index_drop", "construct": "loyalty",
                                                             "alpha": 0.01, "min_change": 0.0, "min_n": 30}
    assert log["client"].iloc[2] == "10.0.0.1"
    with pytest.raises(ParameterError, match="at least one alert rule"):
        save_rules(store, flagship.id, (), actor="ann")


def test_long_survey_ids_fit_the_key_column():
    assert len(settings_key("s" * 64)) <= 64
    assert settings_key("a" * 64) != settings_key("b" * 64)


def test_cli_alerts_check_uses_the_saved_rules(flagship_path, tmp_path):
    from csi.cli.main import app
    from csi.simulate import simulate_responses
    from csi.survey import load_survey

    s = load_survey(flagship_path)
    db = f"sqlite:///{tmp_path / 'c.sqlite'}"
    frame, _ = simulate_responses(s, n=400, seed=4)
    try:
        st = open_store(db)
        st.import_frame(s, frame, source_name="sim.csv", file_hash="x")
        args = ["alerts", "check", str(flagship_path), "--db", db, "--json", "--dry-run"]
        before = json.loads(CliRunner().invoke(app, args).stdout)
        assert before["rules_source"] == "survey"
        assert not [a for a in before["alerts"] if a["kind"] == "segment_below"]  # threshold 55
        save_rules(st, s.id, (AlertRule(kind="segment_below", construct="satisfaction", segment="channel",
                                        threshold=99),), actor="ann")
        r = CliRunner().invoke(app, args)
        assert r.exit_code == 0, r.output
        doc = json.loads(r.stdout)
        assert doc["rules_source"] == "settings" and [x["kind"] for x in doc["rules"]] == ["segment_below"]
        assert {a["kind"] for a in doc["alerts"]} == {"segment_below"} and len(doc["alerts"]) == 3
    finally:
        close_store(db)
