"""The sidebar's survey picker keeps the chosen survey.

The bug this pins: the picker's default index was always 0 (the first survey, acsi). A browser
that rebuilt the widget while reruns followed each other fast (seen on the Data page in about one
run in two of ``tests/e2e/test_form_phone.py``) reported that default back as a change, the
``on_change`` callback switched the session to acsi, and the sample file was then read against the
wrong survey. The picker's default is now the chosen survey, so a fallback to it changes nothing.
"""

# ruff: noqa: F811 - fixtures are imported by name from the support module (no conftest.py here)
from __future__ import annotations

from apptest_support import app_env, new_app, sample_db  # noqa: F401


def _picker(at, lang: str = "en"):
    return at.sidebar.selectbox(key=f"survey_pick_{lang}")


def test_default_index_is_the_chosen_survey(app_env):
    at = new_app(survey="ecommerce_csi")
    at.run()
    pick = _picker(at)
    assert pick.value == "ecommerce_csi"
    assert pick.options[pick.proto.default] == pick.format_func("ecommerce_csi")
    assert pick.proto.default != 0  # acsi, the first file, is not the flagship


def test_a_pick_moves_the_default_and_survives_reruns_and_language(app_env):
    at = new_app(survey="ecommerce_csi")
    at.run()
    _picker(at).select("acsi").run()
    assert at.session_state["survey"] == "acsi"
    at.run()  # a rerun from another widget keeps it
    pick = _picker(at)
    assert pick.value == "acsi" and pick.options[pick.proto.default] == pick.format_func("acsi")
    _picker(at).select("ecommerce_csi").run()
    at.session_state["lang"] = "zh"
    at.run()
    zh = _picker(at, "zh")  # the other language's widget starts on the chosen survey
    assert zh.value == "ecommerce_csi" and zh.options[zh.proto.default] == zh.format_func("ecommerce_csi")
    assert at.session_state["survey"] == "ecommerce_csi"


def test_a_survey_chosen_elsewhere_moves_the_picker(app_env):
    at = new_app(survey="ecommerce_csi")
    at.run()
    at.session_state["survey"] = "ecsi"  # e.g. the editor after saving a new survey
    at.run()
    assert _picker(at).value == "ecsi"
    assert at.session_state["survey"] == "ecsi"
