"""The one resolver of where responses come from (csi.cli.data_source), without model fits."""

from __future__ import annotations

from pathlib import Path

import pytest

from csi.cli.data_source import DataSourceError, load_model, load_responses, resolve_store_url

ROOT = Path(__file__).resolve().parents[2]


def test_store_url_precedence(monkeypatch):
    monkeypatch.delenv("CSI_DATABASE_URL", raising=False)
    assert resolve_store_url(None) == "sqlite:///./var/csi.sqlite"
    monkeypatch.setenv("CSI_DATABASE_URL", "postgresql+psycopg2://u@h/db")
    assert resolve_store_url(None) == "postgresql+psycopg2://u@h/db"
    assert resolve_store_url("sqlite:///x.sqlite") == "sqlite:///x.sqlite"  # --db wins
    assert resolve_store_url("  ") == "postgresql+psycopg2://u@h/db"  # an empty --db is no --db


def test_data_file_wins_over_the_store(tmp_path, monkeypatch):
    monkeypatch.setenv("CSI_DATABASE_URL", f"sqlite:///{tmp_path / 'absent.sqlite'}")
    model = load_model(ROOT / "surveys" / "ecommerce_csi.yaml")
    got = load_responses(model, ROOT / "sample_data" / "ecommerce_responses.csv", db="sqlite:///nowhere.sqlite")
    assert len(got.frame) == 3000 and got.source.endswith("ecommerce_responses.csv")
    assert not (tmp_path / "absent.sqlite").exists()


def test_lavaan_model_needs_scale_and_a_file(tmp_path):
    lav = tmp_path / "m.lav"
    lav.write_text("A =~ a1 + a2\n")
    with pytest.raises(DataSourceError, match=r"m\.lav: a lavaan model needs --scale MIN,MAX"):
        load_model(lav)
    text = load_model(lav, (1, 7))
    with pytest.raises(DataSourceError, match="a lavaan model needs a DATA file"):
        load_responses(text, None, None)
    with pytest.raises(DataSourceError, match=r"nope\.yaml: no such model file"):
        load_model(tmp_path / "nope.yaml")


def test_password_in_a_store_url_is_hidden(tmp_path):
    """Messages name the store, never its password."""
    from csi.cli.data_source import _shown

    assert _shown("postgresql+psycopg2://u:secret@h/db") == "postgresql+psycopg2://u:***@h/db"
