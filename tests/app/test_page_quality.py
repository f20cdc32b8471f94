"""Page 5 (Model quality): the tables shown are the IndexResult's tables (rounded)."""

# ruff: noqa: F811 - fixtures are imported by name from the support module (no conftest.py here)
from __future__ import annotations

import numpy as np
from apptest_expected import frame_and_fit, shown_frames, survey
from apptest_support import app_env, new_app, sample_db, texts, writable_env  # noqa: F401 - pytest fixtures

from csi.report.i18n_dashboard import value_label
from csi.report.tables import item_labels


def test_quality_tables_match_fit(app_env, sample_db):
    _, res = frame_and_fit(str(sample_db))
    at = new_app().run()
    at.switch_page("app_pages/quality.py").run()
    assert not at.exception
    rel = shown_frames(at, "construct", "alpha", "rho_a", "rho_c", "ave")[0]
    np.testing.assert_allclose(rel["rho_c"].to_numpy(float), res.reliability["rho_c"].round(3), atol=1e-12)
    paths = shown_frames(at, "source", "target", "estimate", "p_value")[0]
    np.testing.assert_allclose(paths["estimate"].to_numpy(float),
                               res.path_coefficients["estimate"].round(4), atol=1e-12)
    htmt = shown_frames(at, "construct_a", "construct_b", "estimate")[0]
    assert len(htmt) == len(res.htmt)
    adm = shown_frames(at, "check", "status")[0]
    assert list(adm["check"]) == [value_label(c, "en") for c in res.admissibility["check"]]
    assert f"n = {res.n_obs}" in texts(at)


def test_pls_vs_cbsem(app_env, sample_db):
    at = new_app().run()
    at.switch_page("app_pages/quality.py").run()
    at.toggle(key="run_cbsem").set_value(True).run()
    assert not at.exception
    cmp = shown_frames(at, "kind", "pls", "cbsem", "difference")[0]
    paths = cmp[cmp["kind"] == "path"]
    assert len(paths) == 9
    # the two estimators agree on the sign of every ACSI path on the sample data
    assert (np.sign(paths["pls"]) == np.sign(paths["cbsem"])).all()


def test_quality_page_shows_missing_answers_by_item_and_type(app_env, sample_db):
    from csi.report.missing import missing_by_item

    _, res = frame_and_fit(str(sample_db))
    at = new_app().run()
    at.switch_page("app_pages/quality.py").run()
    assert not at.exception
    shown = shown_frames(at, "item", "dont_know", "not_shown", "skipped", "no_answer")[0]
    want = missing_by_item(res.missing)
    items = item_labels(survey(), "en")  # items by their short labels, not ids
    assert list(shown["item"]) == [items[i] for i in want["item"]]
    np.testing.assert_array_equal(shown["dont_know"].to_numpy(int), want["dont_know"].to_numpy(int))
    assert int(want["dont_know"].sum()) == res.missing["by_type"]["dont_know"] > 0
