"""Page 7 (Survey editor): live validation with line:column, preview, save a new version."""

# ruff: noqa: F811 - fixtures are imported by name from the support module (no conftest.py here)
from __future__ import annotations

import os
import shutil

from apptest_support import (  # noqa: F401 - pytest fixtures
    ROOT,
    app_env,  # noqa: F401 - pytest fixtures
    new_app,
    sample_db,
    texts,
    writable_env,
)


def test_editor_validates_and_saves(app_env, monkeypatch, tmp_path):
    shutil.copy(ROOT / "surveys" / "ecommerce_csi.yaml", tmp_path / "ecommerce_csi.yaml")
    monkeypatch.setenv("CSI_SURVEY_DIR", str(tmp_path))
    at = new_app().run()
    at.switch_page("app_pages/editor.py").run()
    assert not at.exception
    assert "The survey is valid." in texts(at)
    assert "Preview" in texts(at)
    text = at.text_area(key="editor_text_ecommerce_csi").value
    # a broken reference is reported with its line and column
    bad = text.replace("scale: sat10\n    items:\n      - id: pq1", "scale: sat11\n    items:\n      - id: pq1", 1)
    at.text_area(key="editor_text_ecommerce_csi").set_value(bad).run()
    assert not at.exception
    err = "\n".join(e.value for e in at.error)
    line = bad.splitlines().index("    scale: sat11") + 1
    assert f"`{line}:" in err and "sat11" in err
    # same version cannot be saved again
    at.text_area(key="editor_text_ecommerce_csi").set_value(text).run()
    at.button(key="editor_save").click().run()
    assert "already exists" in texts(at)
    # a new version is written as a new file
    at.text_area(key="editor_text_ecommerce_csi").set_value(text.replace('version: "1.0"', 'version: "1.1"')).run()
    at.button(key="editor_save").click().run()
    assert not at.exception
    assert (tmp_path / "ecommerce_csi-1.1.yaml").exists()
    assert "Saved ecommerce_csi-1.1.yaml" in texts(at)


def test_survey_list_follows_the_folder(monkeypatch, tmp_path):
    # surveys_by_id is cached per (file, modification time) list: a new version, a new file or
    # a file that stops validating changes the answer
    from app_pages import common

    mini = (ROOT / "tests" / "data" / "surveys" / "mini.yaml").read_text(encoding="utf-8")
    monkeypatch.setenv("CSI_SURVEY_DIR", str(tmp_path))
    (tmp_path / "a.yaml").write_text(mini, encoding="utf-8")
    assert common.surveys_by_id() == {"mini": tmp_path / "a.yaml"}
    (tmp_path / "b.yaml").write_text(mini.replace('version: "1"', 'version: "2"'), encoding="utf-8")
    assert common.surveys_by_id() == {"mini": tmp_path / "b.yaml"}
    (tmp_path / "c.yaml").write_text(mini.replace("id: mini", "id: other"), encoding="utf-8")
    assert list(common.surveys_by_id()) == ["mini", "other"]
    (tmp_path / "b.yaml").write_text("id: [broken", encoding="utf-8")
    os.utime(tmp_path / "b.yaml", (1, 1))  # a different modification time, whatever the clock
    assert common.surveys_by_id() == {"mini": tmp_path / "a.yaml", "other": tmp_path / "c.yaml"}
