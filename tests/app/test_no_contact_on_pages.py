"""Rendered pages show no contact datum (issue 13, point 4): a Wenjuanxing export with a phone
column and phone numbers / e-mails / ID numbers in comments is imported; the data and
complaints pages (texts and tables, quarantine included) contain none of them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from apptest_support import ROOT, new_app, texts

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "platforms"))
from platform_writer import render  # noqa: E402

SECRETS = ["13912345678", "li.wei@example.com", "11010519491231002X", "13900000000"]


@pytest.fixture
def leaky_store(tmp_path, monkeypatch):
    from csi.io import read_responses
    from csi.simulate import simulate_responses
    from csi.store import close_store, open_store
    from csi.survey import load_survey

    survey = load_survey(ROOT / "surveys" / "ecommerce_csi.yaml")
    f, _ = simulate_responses(survey, n=200, seed=5)
    f = f.copy()
    f["submitted_at"] = f["submitted_at"].dt.floor("s")
    f.loc[0, "comment"] = "请回电 13912345678"
    f.loc[1, "comment"] = "邮箱 li.wei@example.com"
    f.loc[2, "comment"] = "身份证 11010519491231002X"
    f.loc[3, "pq1"] = 42.0  # out of scale: this row is quarantined, with its raw cells
    data, name, _ = render(survey, f, "wjx_labels")
    url = f"sqlite:///{tmp_path / 'leaky.sqlite'}"
    res = read_responses(data, survey, file_name=name)
    assert len(res.rejected) == 1
    store = open_store(url)
    store.import_frame(survey, res.valid, source_name=name, file_hash=res.file_hash, platform=res.platform,
                       rejected=res.rejected, issues=res.issues)
    close_store(url)
    monkeypatch.setenv("CSI_DATABASE_URL", url)
    monkeypatch.setenv("CSI_APP_N_BOOT", "20")
    monkeypatch.delenv("CSI_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("CSI_ADMIN_PASSWORD_HASH", raising=False)
    monkeypatch.delenv("CSI_SURVEY_DIR", raising=False)
    return url


@pytest.mark.parametrize("page", ["app_pages/data.py", "app_pages/complaints.py"])
def test_pages_show_no_contact_data(leaky_store, page):
    at = new_app()
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    shown = texts(at) + "\n".join(d.value.to_string() for d in at.dataframe) + \
        "\n".join(str(t.value) for t in at.table)
    if page.endswith("data.py"):
        assert "ecommerce_csi_wjx_labels.csv" in shown  # the batch (and its quarantine) is listed
    for secret in SECRETS:
        assert secret not in shown
