"""The response store (SQLAlchemy 2): embedded SQLite by default, PostgreSQL for multi-user use.

Default URL ``sqlite:///./var/csi.sqlite`` (WAL mode, created on first use with its parent
directory), overridable by ``CSI_DATABASE_URL`` or an explicit URL (CLI ``--db``). One Engine is
cached per URL; the schema is created/upgraded by the Alembic migrations in
``csi/store/migrations`` when a store is opened. See :class:`Store` for the API.
"""

from __future__ import annotations

import pandas as pd

from csi.store.engine import DEFAULT_URL, default_database_url, dispose_engine
from csi.store.store import BatchSummary, Store
from csi.survey import Survey

__all__ = ["BatchSummary", "DEFAULT_URL", "Store", "close_store", "default_database_url", "open_store",
           "read_responses_frame"]


def open_store(url: str | None = None) -> Store:
    """Open (create/migrate on first use) the store at ``url`` (default: :func:`default_database_url`)."""
    return Store(url or default_database_url())


def close_store(url: str | None = None) -> None:
    """Dispose the cached engine of ``url`` (e.g. before deleting a test database)."""
    dispose_engine(url or default_database_url())


def read_responses_frame(survey: Survey, url: str | None = None) -> pd.DataFrame:
    """The canonical frame of ``survey``'s stored responses (used by ``csi estimate --db``)."""
    return open_store(url).responses_frame(survey)
