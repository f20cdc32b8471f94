"""Page 6 (Data): upload controls, batches, exports (file upload itself: tests/e2e)."""

# ruff: noqa: F811 - fixtures are imported by name from the support module (no conftest.py here)
from __future__ import annotations

import io

import pandas as pd
import pytest
from apptest_expected import frame_and_fit, shown_frames
from apptest_support import app_env, new_app, sample_db, texts, writable_env  # noqa: F401 - pytest fixtures


def test_data_page_batches_and_exports(app_env, sample_db):
    frame, _ = frame_and_fit(str(sample_db))
    at = new_app().run()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception
    assert "Import batches" in texts(at)
    batches = shown_frames(at, "batch_id", "imported")[0]
    assert len(batches) == 1
    assert int(batches["imported"].iloc[0]) == len(frame)
    at.toggle(key="export_toggle").set_value(True).run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert any("Responses (XLSX" in lab for lab in labels)
    assert any("HTML" in lab for lab in labels)


def test_html_export_is_the_management_report(app_env, sample_db, monkeypatch):
    """The page's HTML report is ``csi report --format html``'s: one ManagementReport rendered by
    csi.report.render.to_html, built on the page's fit, with the numbers of a report built from
    scratch on the same responses (same bootstrap size and seed)."""
    import warnings

    import numpy as np
    import pandas as pd
    import streamlit as st
    from apptest_support import N_BOOT

    import csi.report.render as render
    from csi.report.management import ManagementReport, build_management_report

    st.cache_data.clear()  # the page's report may be cached by an earlier test
    seen, real = [], render.to_html
    monkeypatch.setattr(render, "to_html", lambda rep: seen.append(rep) or real(rep))
    at = new_app().run()
    at.switch_page("app_pages/data.py").run()
    at.toggle(key="export_toggle").set_value(True).run()
    assert not at.exception
    assert any(b.proto.label == "Self-contained HTML report" for b in at.get("download_button"))
    (rep,) = seen
    assert isinstance(rep, ManagementReport) and rep.lang == "en"
    frame, _ = frame_and_fit(str(sample_db))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = build_management_report(rep_survey(), frame, lang="en", n_boot=N_BOOT, seed=0)
    assert rep.n_collected == expected.n_collected == len(frame)
    assert (rep.headline.score, rep.headline.ci_low, rep.headline.ci_high) == pytest.approx(
        (expected.headline.score, expected.headline.ci_low, expected.headline.ci_high))
    pd.testing.assert_frame_equal(rep.fix_first, expected.fix_first)
    np.testing.assert_allclose(rep.ipma["importance"], expected.ipma["importance"])
    html = real(rep)
    assert "What to fix first" in html and "<svg" in html


def rep_survey():
    from apptest_support import ROOT

    from csi.survey import load_survey

    return load_survey(ROOT / "surveys" / "ecommerce_csi.yaml")


def test_xlsx_export_neutralises_formulas():
    from csi.report.export import frames_to_xlsx

    data = frames_to_xlsx({"responses": pd.DataFrame({"respondent_id": ["a"], "comment": ["=cmd()"]})})
    back = pd.read_excel(io.BytesIO(data))
    assert back["comment"].iloc[0] == "'=cmd()"


def test_response_tracking_and_open_link_qr(writable_env, monkeypatch):
    """Invitations sent / opened / completed and rates by wave and channel (issue 20), from
    csi.invite; the open link's QR code decodes to the full link."""
    import zxingcpp
    from PIL import Image

    from csi.invite import create_invitations, mark_opened, qr_png, submit_with_token
    from csi.store import open_store
    from csi.survey import load_survey

    monkeypatch.setenv("CSI_PUBLIC_URL", "https://survey.shop.example")
    from apptest_support import ROOT

    survey = load_survey(ROOT / "surveys" / "ecommerce_csi.yaml")
    store = open_store(writable_env)
    jd = create_invitations(store, survey, count=4, channel="jd", wave="2026Q4")
    create_invitations(store, survey, count=1, channel="tmall", wave="2026Q4")
    mark_opened(store, survey, jd[1].token)
    submit_with_token(store, survey, jd[0].token, {"cc1": 0.0, "region": "east"}, submission_key="t1")

    at = new_app().run()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Invitations"], metrics["Opened"], metrics["Completed"]) == ("5", "2", "1")
    assert metrics["Response rate"] == "20.0%"
    listing = [d.value for d in at.dataframe if "order_ref" in d.value.columns][0]
    assert len(listing) == 5 and listing["completed_at"].notna().sum() == 1
    assert not {"token", "token_hash", "respondent_id"} & set(listing.columns)
    at.radio(key="inv_by").set_value("channel").run()
    rates = [d.value for d in at.dataframe if "response_rate" in d.value.columns][0]
    assert dict(zip(rates["channel"], rates["response_rate"], strict=True)) == {"JD.com": 0.25, "Tmall": 0.0}
    link = "https://survey.shop.example/?survey=ecommerce_csi"
    assert any(c.value == link for c in at.code)
    assert any(b.proto.label.startswith("Download the QR") for b in at.get("download_button"))
    # the page's image is csi.invite.qr_png of that link: it decodes to the link
    (code,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png(link))))
    assert code.text == link
