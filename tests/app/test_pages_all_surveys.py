"""Every page on every template survey (acsi, ecsi, ccsi, ecommerce_csi), in Chinese and English:
no error, no raw field names, no untranslated English in the Chinese view.

Data: :func:`csi.simulate.simulate_responses` (400 respondents in two waves per survey, seeded),
imported through the store like a real upload. The scans are in :mod:`plain_scan`.
"""

# ruff: noqa: F811 - fixtures are imported by name from the support module (no conftest.py here)
from __future__ import annotations

import pytest
from apptest_support import ROOT, new_app
from plain_scan import english_words, raw_field_names, shown_texts

from csi.survey import load_survey

TEMPLATES = ("acsi", "ecsi", "ccsi", "ecommerce_csi")
#: Analysis pages (what a manager reads), by url path -> file; the others are checked for errors.
READ_PAGES = ("overview", "drivers", "complaints", "segments", "quality", "data")
OTHER_PAGES = ("editor", "followup", "audit", "users")
N_BOOT = 20

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def template_db(tmp_path_factory):
    from csi.simulate import simulate_responses
    from csi.store import close_store, open_store

    url = f"sqlite:///{tmp_path_factory.mktemp('templates') / 'templates.sqlite'}"
    store = open_store(url)
    for k, sid in enumerate(TEMPLATES):
        survey = load_survey(ROOT / "surveys" / f"{sid}.yaml")
        frame, _ = simulate_responses(survey, n=400, seed=100 + k, n_waves=2)
        store.import_frame(survey, frame, source_name=f"{sid}_simulated.csv", file_hash=f"sim-{sid}")
    close_store(url)
    return url


@pytest.fixture
def template_env(monkeypatch, template_db):
    monkeypatch.setenv("CSI_DATABASE_URL", template_db)
    monkeypatch.setenv("CSI_APP_N_BOOT", str(N_BOOT))
    for var in ("CSI_ADMIN_PASSWORD", "CSI_ADMIN_PASSWORD_HASH", "CSI_SURVEY_DIR"):
        monkeypatch.delenv(var, raising=False)
    return template_db


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("sid", TEMPLATES)
def test_every_page_reads_plainly(template_env, sid, lang):
    survey = load_survey(ROOT / "surveys" / f"{sid}.yaml")
    at = new_app(survey=sid, lang=lang, n_boot=N_BOOT)
    at.run()
    problems = []
    for page in READ_PAGES + OTHER_PAGES:
        if page != "overview":
            at.switch_page(f"app_pages/{page}.py")
        at.run()
        if at.exception:
            problems.append(f"{page}: exception {at.exception[0].value}")
            continue
        if page in OTHER_PAGES:
            continue
        assert at.title, f"{sid}/{lang}/{page}: nothing rendered"
        raw = raw_field_names(at, survey)
        if raw:
            problems.append(f"{page}: raw names {sorted(set(raw))}")
        if lang == "zh":
            words = english_words(shown_texts(at), survey)
            if words:
                problems.append(f"{page}: English in the zh view {sorted(set(words))}")
    assert not problems, f"{sid}/{lang}:\n" + "\n".join(problems)


def test_the_headline_is_the_survey_s_headline_construct(template_env):
    at = new_app(survey="ccsi", lang="en", n_boot=N_BOOT).run()
    assert not at.exception
    survey = load_survey(ROOT / "surveys" / "ccsi.yaml")
    label = survey.t(survey.constructs[survey.headline_id].label, "en")
    assert at.metric[0].label == f"{label} index (0–100)"
