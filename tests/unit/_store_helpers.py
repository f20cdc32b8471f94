"""Helpers for the store tests: temporary SQLite stores and throwaway PostgreSQL schemas."""

from __future__ import annotations

import contextlib
import uuid

import sqlalchemy as sa

from csi.store import close_store


@contextlib.contextmanager
def pg_schema_url(base_url: str):
    """A PostgreSQL URL whose search_path is a fresh schema; the schema is dropped afterwards."""
    schema = f"csi_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base_url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base_url else "?"
    url = f"{base_url}{sep}options=-csearch_path%3D{schema}"
    try:
        yield url
    finally:
        close_store(url)
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()
