"""Page 8 (public form): nothing else shown, show_if honoured, required answers enforced,
exactly one response stored per submission (double click safe)."""

# ruff: noqa: F811 - fixtures are imported by name from the support module (no conftest.py here)
from __future__ import annotations

from apptest_support import (  # noqa: F401 - pytest fixtures
    ROOT,
    app_env,
    new_app,
    sample_db,
    texts,
    writable_env,  # noqa: F401 - pytest fixtures
)

from csi.store import open_store
from csi.survey import load_survey

SURVEY = load_survey(ROOT / "surveys" / "ecommerce_csi.yaml")
FORM_KEY = f"form_{SURVEY.id}_{SURVEY.version}_key"  # the submission key of the form instance


def public_app(lang: str | None = None):
    at = new_app()
    at.query_params["survey"] = "ecommerce_csi"
    if lang:
        at.query_params["lang"] = lang
    return at


def answer_keys(at) -> dict[str, object]:
    """Field id -> widget for every answer widget on the page (keys ``ans_<8>_<field>-<lang>``,
    check boxes ``...-<lang>-<code>``: the first check box of a multiple-choice field)."""
    out = {}
    for kind in ("radio", "checkbox", "text_area", "number_input"):
        for w in getattr(at, kind):
            if w.key and w.key.startswith("ans_"):
                out.setdefault(w.key.split("_", 2)[2].split("-")[0], w)
    return out


def fill_required(at) -> None:
    for fid, w in answer_keys(at).items():
        if fid == "channel":
            w.set_value("jd")
        elif fid == "cc1":
            w.set_value(0.0)
        elif w.type == "radio" and fid not in ("category", "region", "customer_type"):
            w.set_value(7.0)  # every Likert item is required
    at.run()


def test_public_form_shows_nothing_else(writable_env):
    at = public_app().run()
    assert not at.exception
    assert "Local-demo mode" not in texts(at)
    assert len(at.sidebar) == 0 or not any(True for _ in at.sidebar.selectbox)
    assert at.header[0].value == SURVEY.t(SURVEY.title, "zh")  # survey default language
    # contact data only after the consent question (issue 20) ...
    assert "contact_consent" in answer_keys(at) and "phone" not in answer_keys(at)
    answer_keys(at)["contact_consent"].set_value(1.0)
    at.run()
    assert "phone" in answer_keys(at)  # contact field is asked (optional) ...
    assert not any(str(w.key).startswith("survey") for w in at.selectbox)  # ... and no manager widget


def test_required_answers_enforced_and_one_response_stored(writable_env):
    store = open_store(writable_env)
    before = store.count_responses(SURVEY)
    at = public_app("en").run()
    at.button(key="form_submit").click().run()
    assert not at.exception
    assert "Please answer the required questions" in texts(at)
    assert store.count_responses(SURVEY) == before

    fill_required(at)
    at.button(key="form_submit").click().run()
    assert not at.exception
    assert "Thank you" in texts(at)
    assert store.count_responses(SURVEY) == before + 1
    frame = store.responses_frame(SURVEY)
    assert (frame["channel"] == "jd").sum() >= 1
    assert "phone" not in frame.columns


def test_double_submit_stores_one_response(writable_env):
    store = open_store(writable_env)
    before = store.count_responses(SURVEY)
    at = public_app("en").run()
    fill_required(at)
    key = at.session_state[FORM_KEY]
    at.button(key="form_submit").click().run()
    # a second click arriving with the same form instance (double click): same submission key
    from csi.report.form import canonical_answers, form_layout

    secs = form_layout(SURVEY, "en")
    store.submit_response(SURVEY, canonical_answers(secs, {"channel": "jd", "cc1": 0.0}),
                          submission_key=key)
    assert store.count_responses(SURVEY) == before + 1
    # "start a new response" gives a new key: a second, distinct response
    at.button(key="form_again").click().run()
    new_key = at.session_state[FORM_KEY]
    assert new_key != key


def test_show_if_complaint_details(writable_env):
    at = public_app("en").run()
    assert "complaint_type" not in answer_keys(at)
    answer_keys(at)["cc1"].set_value(1.0)
    at.run()
    fields = answer_keys(at)
    assert {"complaint_type", "complaint_handling", "complaint_resolved"} <= set(fields)
    fields["cc1"].set_value(0.0)
    at.run()
    assert "complaint_type" not in answer_keys(at)


def test_language_switch_and_unknown_survey(writable_env):
    at = public_app("en").run()
    assert at.header[0].value == SURVEY.t(SURVEY.title, "en")
    at.radio(key="form_lang").set_value("zh").run()
    assert at.header[0].value == SURVEY.t(SURVEY.title, "zh")
    bad = new_app()
    bad.query_params["survey"] = "nope"
    bad.run()
    assert not bad.exception
    assert "not valid" in texts(bad)


# -- issue 20: language switch, tokens, open-link policy, honeypot, rate limit ---------------
def test_answers_survive_a_language_switch(writable_env):
    at = public_app("en").run()
    keys = answer_keys(at)
    keys["channel"].set_value("tmall")
    keys["customer_type"].set_value("returning")
    keys["pq1"].set_value(8.0)
    keys["cc1"].set_value(1.0)
    at.run()
    at.checkbox(key=[c.key for c in at.checkbox if c.key.endswith("-en-late")][0]).check().run()
    at.text_area(key=answer_keys(at)["comment"].key).input("fast delivery").run()
    at.radio(key="form_lang").set_value("zh").run()
    assert not at.exception
    zh = answer_keys(at)
    assert all(w.key.endswith("-zh") or "-zh-" in w.key for w in zh.values())
    assert (zh["channel"].value, zh["customer_type"].value, zh["pq1"].value, zh["cc1"].value) == \
        ("tmall", "returning", 8.0, 1.0)
    assert [c.key.rsplit("-", 1)[1] for c in at.checkbox if c.value] == ["late"]
    assert zh["comment"].value == "fast delivery"
    assert "已回答 6/" in texts(at) or any("已回答 6/" in str(p.proto.text) for p in at.get("progress"))


def test_unknown_and_used_tokens_get_a_page_not_the_form(writable_env):
    from csi.invite import create_invitations, submit_with_token

    store = open_store(writable_env)
    (inv,) = create_invitations(store, SURVEY, count=1)
    submit_with_token(store, SURVEY, inv.token, {"channel": "jd", "cc1": 0.0}, submission_key="x")
    for token, text in ((inv.token, "already been used"), ("A" * 22, "not valid"), ("short", "not valid")):
        at = public_app("en")
        at.query_params["t"] = token
        at.run()
        assert not at.exception
        assert text in texts(at)
        assert not [b for b in at.button if b.key == "form_submit"]


def test_token_prefill_not_asked_and_stored(writable_env):
    from csi.invite import create_invitations

    store = open_store(writable_env)
    (inv,) = create_invitations(store, SURVEY, count=1, channel="tmall")
    before = store.count_responses(SURVEY)
    at = public_app("en")
    at.query_params["t"] = inv.token
    at.run()
    assert "channel" not in answer_keys(at)
    fill_required(at)
    at.button(key="form_submit").click().run()
    assert "Thank you" in texts(at)
    assert not [b for b in at.button if b.key == "form_again"]  # one response per invitation
    assert store.count_responses(SURVEY) == before + 1
    from csi.invite import invitation_status

    rid = invitation_status(store, SURVEY)["respondent_id"].iloc[0]
    frame = store.responses_frame(SURVEY)
    assert frame.loc[frame["respondent_id"] == rid, "channel"].tolist() == ["tmall"]


def _survey_dir(tmp_path, monkeypatch, access: str):
    d = tmp_path / "surveys"
    d.mkdir()
    text = SURVEY.source_text.replace("access:\n  open_link: true\n  rate_limit: 10\n", access)
    assert text != SURVEY.source_text
    (d / "ecommerce_csi.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("CSI_SURVEY_DIR", str(d))


def test_open_link_switched_off(writable_env, tmp_path, monkeypatch):
    _survey_dir(tmp_path, monkeypatch, "access:\n  open_link: false\n  rate_limit: 10\n")
    at = public_app("en").run()
    assert not at.exception
    assert "by invitation only" in texts(at)
    assert not [b for b in at.button if b.key == "form_submit"]


def test_open_link_rate_limit_and_honeypot(writable_env, tmp_path, monkeypatch):
    _survey_dir(tmp_path, monkeypatch, "access:\n  open_link: true\n  rate_limit: 2\n")
    store = open_store(writable_env)
    before = store.count_responses(SURVEY)
    at = public_app("en").run()
    for k in range(3):
        fill_required(at)
        at.button(key="form_submit").click().run()
        if k < 2:
            assert "Thank you" in texts(at)
            at.button(key="form_again").click().run()
    assert "Too many responses from this connection" in texts(at)
    assert store.count_responses(SURVEY) == before + 2  # the two accepted are stored
    # a filled honeypot: thanked, nothing stored
    bot = public_app("en").run()
    fill_required(bot)
    bot.text_input(key="csi_hp_website").input("http://spam.example").run()
    bot.button(key="form_submit").click().run()
    assert "Thank you" in texts(bot)
    assert store.count_responses(SURVEY) == before + 2


def test_invitation_order_is_the_case_reference(writable_env, monkeypatch):
    """A buyer unhappy with their order answers its link and agrees to a call back: the case
    carries the order number and the phone, both masked (issue 18 reusing issue 20's token)."""
    import pandas as pd

    from csi.cases.store import list_cases
    from csi.invite import create_invitations

    monkeypatch.setenv("CSI_PII_KEY", "apptest-vault-secret-0123456789")
    store = open_store(writable_env)
    orders = pd.DataFrame({"order_ref": ["3261847590123456789"], "channel": ["tmall"]})
    (inv,) = create_invitations(store, SURVEY, orders=orders)
    at = public_app("en")
    at.query_params["t"] = inv.token
    at.run()
    for fid, w in answer_keys(at).items():
        if fid == "cc1":
            w.set_value(0.0)
        elif w.type == "radio" and fid not in ("category", "region", "customer_type", "contact_consent"):
            w.set_value(2.0)  # unhappy: satisfaction and loyalty far below the rules' thresholds
    at.run()
    answer_keys(at)["contact_consent"].set_value(1.0).run()
    answer_keys(at)["phone"].set_value("13912345678").run()
    at.button(key="form_submit").click().run()
    assert "Thank you" in texts(at)
    (case,) = list_cases(store, SURVEY.id).loc[lambda c: c["source"] == "form"].itertuples()
    assert (case.reference, case.contact, case.segment_channel) == ("32***89", "139****5678", "tmall")
