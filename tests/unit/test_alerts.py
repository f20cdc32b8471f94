"""Alerts: false-alarm rate at the stated level on simulated waves without a change, detection
with one; the webhook against a local HTTP server; every alert is sent once (the sent-log)."""

from __future__ import annotations

import http.server
import json
import threading

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from csi.alerts import AlertDeliveryError, check_alerts, evaluate_alerts, webhook_body
from csi.alerts.log import alert_history
from csi.store import close_store
from csi.survey.comments_spec import AlertRule

SAT = ["cs1", "cs2", "cs3"]
ZH_POOL = ["物流太慢了", "客服态度差", "质量很好", "与描述不符", "包装破损", "好评", "还行", "发错货了"]


def _waves(rng, n=250, shift=0.0, complaint=(0.15, 0.15), late=(0.1, 0.1)):
    """Two waves: satisfaction items from a latent N(0, 1) (+ ``shift`` SD in wave 2),
    complaint 0/1 and comments where 'late' has the given probability per wave."""
    rows = []
    for w, wave in enumerate(("2026Q3", "2026Q4")):
        z = rng.standard_normal(n) + (shift if w else 0.0)
        items = {c: np.clip(np.round(6.5 + 1.5 * z + 0.8 * rng.standard_normal(n)), 1, 10) for c in SAT}
        cc1 = (rng.random(n) < complaint[w]).astype(float)
        others = [t for t in ZH_POOL if t != "物流太慢了"]
        com = np.where(rng.random(n) < late[w], "物流太慢了", np.array(others, dtype=object)[rng.integers(0, 7, n)])
        rows.append(pd.DataFrame({"respondent_id": [f"{wave}-{i}" for i in range(n)], "wave": wave,
                                  **items, "cc1": cc1, "comment": com, "channel": "jd"}))
    return pd.concat(rows, ignore_index=True)


RULES = (AlertRule(kind="index_drop", construct="satisfaction"), AlertRule(kind="complaint_rate_up"),
         AlertRule(kind="theme_rising"))


def _kinds(survey, frame):
    return {a.kind for a in evaluate_alerts(survey, frame, rules=RULES)}


@pytest.mark.slow
def test_false_alarm_rate_is_at_the_stated_level_and_real_changes_are_found(flagship):
    rng = np.random.default_rng(20261202)
    reps = 200
    null = [_kinds(flagship, _waves(rng, n=200)) for _ in range(reps)]
    se = np.sqrt(0.05 * 0.95 / reps)
    for kind in ("index_drop", "complaint_rate_up", "theme_rising"):
        rate = np.mean([kind in k for k in null])
        assert rate <= 0.05 + 2.5 * se, (kind, rate)  # one-sided tests at alpha = 0.05
    assert np.mean(["index_drop" in k for k in null]) >= 0.01  # the test is not simply never firing
    real = [_kinds(flagship, _waves(rng, shift=-0.35, complaint=(0.12, 0.22), late=(0.08, 0.2)))
            for _ in range(40)]
    for kind in ("index_drop", "complaint_rate_up", "theme_rising"):
        assert np.mean([kind in k for k in real]) >= 0.85, kind


def test_a_real_drop_is_found_and_described(flagship):
    f = _waves(np.random.default_rng(1), n=400, shift=-0.6)
    a = [x for x in evaluate_alerts(flagship, f, rules=RULES[:1])][0]
    assert a.kind == "index_drop" and a.subject == "satisfaction" and a.wave == "2026Q4"
    assert a.change < -5 and a.p_value < 0.001 and a.key == "index_drop:satisfaction:2026Q3->2026Q4"


def test_segment_below_threshold(flagship):
    f = _waves(np.random.default_rng(2), n=100)
    rule = AlertRule(kind="segment_below", segment="channel", construct="satisfaction", threshold=99)
    (a,) = evaluate_alerts(flagship, f, rules=[rule])
    assert a.subject == "channel=jd:satisfaction" and a.threshold == 99 and a.n == 100
    assert evaluate_alerts(flagship, f, rules=[rule.model_copy(update={"threshold": 1.0})]) == []


def test_segment_below_defaults_to_the_surveys_headline_construct(flagship, flagship_path):
    """Without ``construct:``, the rule watches the survey's ``headline:`` construct (issue 17),
    not ``satisfaction``: here loyalty is the headline and only loyalty is below the threshold."""
    from csi.survey import parse_survey

    text = flagship_path.read_text(encoding="utf-8") + "\nheadline: loyalty\n"
    survey = parse_survey(text, file="ecommerce_csi.yaml")
    assert survey.headline_id == "loyalty"
    f = _waves(np.random.default_rng(4), n=100)
    f = f.assign(**{c: 1.0 for c in ("cl1", "cl2", "cl3")}, **{c: 10.0 for c in SAT})  # loyalty 0, satisfaction 100
    rule = AlertRule(kind="segment_below", segment="channel", threshold=50)
    (a,) = evaluate_alerts(survey, f, rules=[rule])
    assert a.subject == "channel=jd:loyalty" and a.value == pytest.approx(0.0)
    assert evaluate_alerts(flagship, f, rules=[rule]) == []  # flagship: satisfaction (100) is the headline


def test_overdue_cases_when_cases_exist(flagship):
    cases = pd.DataFrame({"case_id": ["c1", "c2", "c3"], "status": ["open", "closed", "open"],
                          "due_at": ["2026-01-01", "2026-01-01", "2099-01-01"]})
    got = evaluate_alerts(flagship, _waves(np.random.default_rng(3), n=40),
                          rules=[AlertRule(kind="overdue_cases")], cases=cases)
    assert [a.key for a in got] == ["overdue_cases:c1"]


class _Hook(http.server.BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.headers["Content-Type"], json.loads(body)))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture()
def hook():
    class H(_Hook):
        received = []
        status = 200

    server = http.server.HTTPServer(("127.0.0.1", 0), H)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        yield H, f"http://127.0.0.1:{server.server_address[1]}/hook?key=secret"
    finally:
        server.shutdown()
        server.server_close()


def test_webhook_receives_each_alert_once(flagship, tmp_path, hook):
    handler, url = hook
    db = f"sqlite:///{tmp_path / 'a.sqlite'}"
    f = _waves(np.random.default_rng(1), n=400, shift=-0.6)
    try:
        first = check_alerts(flagship, f, url=db, webhook=url)
        assert first.sent and first.new == first.sent
        assert len(handler.received) == 1
        ctype, body = handler.received[0]
        assert ctype.startswith("application/json") and body["source"] == "csi"
        assert {a["key"] for a in body["alerts"]} == set(first.sent)
        assert all(a["message"] for a in body["alerts"])
        again = check_alerts(flagship, f, url=db, webhook=url)
        assert again.alerts and again.new == [] and again.sent == []
        assert len(handler.received) == 1  # nothing is sent twice
        hist = alert_history(db, flagship.id)
        assert hist["sent_at"].notna().all() and set(hist["channel"]) == {"webhook"}
    finally:
        close_store(db)


def test_a_failed_delivery_is_retried_next_time(flagship, tmp_path, hook):
    handler, url = hook
    db = f"sqlite:///{tmp_path / 'b.sqlite'}"
    f = _waves(np.random.default_rng(1), n=400, shift=-0.6)
    try:
        handler.status = 500
        with pytest.raises(AlertDeliveryError, match=r"answered HTTP 500") as err:
            check_alerts(flagship, f, url=db, webhook=url)
        assert "secret" not in str(err.value)  # the key in the query string is not shown
        assert alert_history(db, flagship.id)["sent_at"].isna().all()
        handler.status = 200
        res = check_alerts(flagship, f, url=db, webhook=url)
        assert res.sent and res.new == []  # logged before, delivered now
        assert len(handler.received) == 2
    finally:
        close_store(db)


def test_chat_tool_formats(flagship):
    f = _waves(np.random.default_rng(1), n=400, shift=-0.6)
    alerts = evaluate_alerts(flagship, f, rules=RULES[:1])
    we = webhook_body(flagship, alerts, "wecom", "zh")
    assert we["msgtype"] == "text" and "顾客满意度指数下降" in we["text"]["content"]
    assert webhook_body(flagship, alerts, "feishu", "en")["msg_type"] == "text"
    assert "Customer satisfaction index fell" in webhook_body(flagship, alerts, "slack", "en")["text"]


def test_cli_alerts_check(flagship_path, tmp_path, hook):
    from csi.cli.main import app
    from csi.store import open_store
    from csi.survey import load_survey

    handler, url = hook
    text = flagship_path.read_text(encoding="utf-8").replace(
        "threshold: 55}", "threshold: 99}", 1)  # every channel is below 99
    sp = tmp_path / "s.yaml"
    sp.write_text(text, encoding="utf-8")
    s = load_survey(sp)
    db = f"sqlite:///{tmp_path / 'c.sqlite'}"
    from csi.simulate import simulate_responses

    frame, _ = simulate_responses(s, n=400, seed=4)
    try:
        open_store(db).import_frame(s, frame, source_name="sim.csv", file_hash="x")
        r = CliRunner().invoke(app, ["alerts", "check", str(sp), "--db", db, "--json", "--webhook", url])
        assert r.exit_code == 0, r.output
        doc = json.loads(r.stdout)
        below = [a for a in doc["alerts"] if a["kind"] == "segment_below"]
        assert len(below) == 3 and all(a["new"] and a["sent_now"] for a in below)  # tmall, jd, taobao
        assert len(handler.received) == 1
        r2 = CliRunner().invoke(app, ["alerts", "check", str(sp), "--db", db, "--webhook", url])
        assert r2.exit_code == 0 and "0 new, 0 sent" in r2.stdout
        assert len(handler.received) == 1
        bad = CliRunner().invoke(app, ["alerts", "check", str(tmp_path / "nope.yaml"), "--db", db])
        assert bad.exit_code == 2 and "no such survey file" in bad.output
    finally:
        close_store(db)
