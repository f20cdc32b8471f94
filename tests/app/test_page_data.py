"""Page 6 (Data): upload controls, batches, exports (file upload itself: tests/e2e)."""

# ruff: noqa: F811 - fixtures are imported by name from the support module (no conftest.py here)
from __future__ import annotations

import io

import pandas as pd
from apptest_expected import frame_and_fit
from apptest_support import app_env, new_app, sample_db, texts, writable_env  # noqa: F401 - pytest fixtures


def test_data_page_batches_and_exports(app_env, sample_db):
    frame, _ = frame_and_fit(str(sample_db))
    at = new_app().run()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception
    assert "Import batches" in texts(at)
    batches = [d.value for d in at.dataframe if "batch_id" in d.value.columns][0]
    assert len(batches) == 1
    assert int(batches["imported"].iloc[0]) == len(frame)
    at.toggle(key="export_toggle").set_value(True).run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert any("Responses (XLSX" in lab for lab in labels)
    assert any("HTML" in lab for lab in labels)


def test_xlsx_export_neutralises_formulas():
    from csi.report.export import frames_to_xlsx

    data = frames_to_xlsx({"responses": pd.DataFrame({"respondent_id": ["a"], "comment": ["=cmd()"]})})
    back = pd.read_excel(io.BytesIO(data))
    assert back["comment"].iloc[0] == "'=cmd()"
