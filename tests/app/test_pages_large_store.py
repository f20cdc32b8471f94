"""Every analysis page on a large PostgreSQL store (issue 15): no page loads every row.

The sample data are stored in PostgreSQL and ``CSI_ENGINE_MIN_ROWS`` is lowered below their
count, so the store is "large"; ``Store.responses_frame`` (the full-row loader) is replaced by
one that raises. Each page must render without an exception, say that its row-level figures
come from a sample of the stated size (in the UI language), and show the counts, the complaint
share and the NPS of every stored response.
"""

# ruff: noqa: F811 - fixtures are imported by name from the support module (no conftest.py here)
from __future__ import annotations

import pytest
from apptest_support import N_BOOT, ROOT, new_app, texts

from csi.drivers.complaints import complaint_rate
from csi.drivers.nps import nps
from csi.report.filters import Filters, filter_frame
from csi.report.overview import response_span
from csi.store import Store

SAMPLE = 800
PAGES = ["app_pages/overview.py", "app_pages/drivers.py", "app_pages/complaints.py", "app_pages/segments.py",
         "app_pages/comments.py", "app_pages/quality.py", "app_pages/data.py"]


@pytest.fixture(scope="module")
def large_store(postgres_url):
    """(PostgreSQL store URL with the sample data, the survey, the stored frame)."""
    import sys

    sys.path.insert(0, str(ROOT / "tests" / "unit"))
    from _store_helpers import pg_schema_url

    from csi.io import read_responses
    from csi.store import open_store
    from csi.survey import load_survey

    survey = load_survey(ROOT / "surveys" / "ecommerce_csi.yaml")
    res = read_responses(ROOT / "sample_data" / "ecommerce_responses.csv", survey)
    with pg_schema_url(postgres_url) as url:
        store = open_store(url)
        store.import_frame(survey, res.valid, source_name="ecommerce_responses.csv", file_hash=res.file_hash)
        yield url, survey, store.responses_frame(survey)


@pytest.fixture
def large_env(monkeypatch, large_store):
    url, survey, frame = large_store
    monkeypatch.setenv("CSI_DATABASE_URL", url)
    monkeypatch.setenv("CSI_APP_N_BOOT", str(N_BOOT))
    monkeypatch.setenv("CSI_ENGINE_MIN_ROWS", str(len(frame) // 2))
    monkeypatch.setenv("CSI_APP_SAMPLE_SIZE", str(SAMPLE))
    monkeypatch.delenv("CSI_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("CSI_ADMIN_PASSWORD_HASH", raising=False)
    monkeypatch.delenv("CSI_SURVEY_DIR", raising=False)

    def no_rows(self, *a, **k):
        raise AssertionError("the full-row loader was called on a large store")

    monkeypatch.setattr(Store, "responses_frame", no_rows)
    return large_store


def _sample_n(text: str, lang: str) -> tuple[int, int]:
    import re

    pat = (r"Based on a random sample of ([\d,]+) of ([\d,]+) responses" if lang == "en"
           else r"基于 ([\d,]+) 份答卷中随机抽取的 ([\d,]+) 份样本")
    m = re.search(pat, text)
    assert m, f"no sample note ({lang})"
    a, b = (int(g.replace(",", "")) for g in m.groups())
    return (a, b) if lang == "en" else (b, a)


@pytest.mark.postgres
@pytest.mark.parametrize("page", PAGES)
def test_page_renders_from_the_database_and_a_sample(large_env, page):
    _, _, frame = large_env
    at = new_app().run()
    if page != PAGES[0]:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    if page == "app_pages/data.py":  # no page-sized export of a large store
        at.toggle(key="export_toggle").set_value(True).run()
        assert not at.exception
        assert "too many to export from the page" in texts(at)
        return
    n_sample, n_total = _sample_n(texts(at), "en")
    assert n_total == len(frame)
    assert abs(n_sample - SAMPLE) < 4 * SAMPLE ** 0.5  # the seeded bucket sample of about that size


@pytest.mark.postgres
def test_overview_counts_complaints_and_nps_are_of_every_response(large_env, monkeypatch):
    _, survey, frame = large_env
    monkeypatch.setenv("CSI_APP_SAMPLE_SIZE", "300")
    at = new_app(waves=[sorted(frame["wave"].unique())[-1]], lang="zh").run()
    assert not at.exception, at.exception
    rows = filter_frame(frame, Filters(waves=(sorted(frame["wave"].unique())[-1],)))
    text = texts(at)
    n_sample, n_total = _sample_n(text, "zh")
    assert n_total == len(rows) and n_sample < len(rows)
    n, start, end = response_span(rows)
    assert str(n) in text and start in text and end in text
    metrics = {m.label: m.value for m in at.metric}
    rate = complaint_rate(survey, rows).iloc[0]
    assert f"{100 * rate['rate']:.1f}%" in metrics.values()
    score = nps(survey, rows).iloc[0]
    assert f"{score['nps']:.1f}" in metrics.values()
