"""The alert sent-log and the comment-analysis cache on SQLite and PostgreSQL."""

from __future__ import annotations

import pandas as pd
import pytest

from csi.alerts.log import alert_history, mark_sent, record_alerts, unsent_keys
from csi.alerts.rules import Alert
from csi.store import close_store
from csi.store.comment_cache import CommentAnalysisCache
from tests.unit._store_helpers import pg_schema_url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'csi.sqlite'}"
        yield url
        close_store(url)
    else:
        base = request.getfixturevalue("postgres_url")
        with pg_schema_url(base) as url:
            yield url


def _alert(key: str) -> Alert:
    return Alert(key, "index_drop", "satisfaction", "2026Q4", "2026Q3", 60.0, 65.0, -5.0, 0.001, None, 300)


def test_sent_log_records_once_and_marks_sent(store_url):
    a, b = _alert("k1"), _alert("k2")
    assert record_alerts(store_url, "s", [a]) == ["k1"]
    assert record_alerts(store_url, "s", [a, b]) == ["k2"]  # k1 is not new any more
    assert record_alerts(store_url, "other", [a]) == ["k1"]  # per survey
    assert unsent_keys(store_url, "s", ["k1", "k2", "k3"]) == {"k1", "k2"}
    mark_sent(store_url, "s", ["k1"], "webhook")
    assert unsent_keys(store_url, "s", ["k1", "k2"]) == {"k2"}
    h = alert_history(store_url, "s").set_index("alert_key")
    assert h.loc["k1", "channel"] == "webhook" and pd.isna(h.loc["k2", "sent_at"])


def test_comment_cache_round_trip(store_url):
    c = CommentAnalysisCache(store_url)
    c.put("lex", {"h1": ("zh", ["late"], -0.5, ["物流"]), "h2": ("en", [], 0.6, ["great"])})
    c.put("lex", {"h1": ("zh", ["late"], -0.5, ["物流"])})  # already there: kept once
    assert c.get("lex", ["h1", "h2", "h3"]) == {"h1": ("zh", ["late"], -0.5, ["物流"]),
                                                "h2": ("en", [], 0.6, ["great"])}
    assert c.get("other", ["h1"]) == {}
    many = [f"x{i}" for i in range(4000)]  # the one-scan path
    c.put("big", {h: ("en", [], 0.0, []) for h in many})
    assert len(c.get("big", many + ["nope"])) == 4000
