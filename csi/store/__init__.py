"""The response store (SQLAlchemy 2): embedded SQLite by default, PostgreSQL for multi-user use.

Default URL ``sqlite:///./var/csi.sqlite`` (WAL mode, created on first use with its parent
directory), overridable by ``CSI_DATABASE_URL`` or an explicit URL (CLI ``--db``). One Engine is
cached per URL; the schema is created/upgraded by the Alembic migrations in
``csi/store/migrations`` when a store is opened. See :class:`Store` for the API.
"""

from __future__ import annotations

from csi.store.engine import DEFAULT_URL, default_database_url, dispose_engine
from csi.store.store import BatchSummary, Store
from csi.survey import Survey

__all__ = ["BatchSummary", "DEFAULT_URL", "Store", "close_store", "default_database_url", "open_store",
           "read_responses_frame", "versions_line"]


def open_store(url: str | None = None) -> Store:
    """Open (create/migrate on first use) the store at ``url`` (default: :func:`default_database_url`)."""
    return Store(url or default_database_url())


def close_store(url: str | None = None) -> None:
    """Dispose the cached engine of ``url`` (e.g. before deleting a test database)."""
    dispose_engine(url or default_database_url())


def read_responses_frame(survey: Survey, url: str | None = None, *, with_versions: bool = False):
    """The canonical frame of ``survey``'s stored responses (used by ``csi estimate --db``).

    ``with_versions=True`` returns ``(frame, version labels read)`` (see
    :meth:`Store.frame_versions`), for the CLI to say which survey versions it analyses.
    """
    store = open_store(url)
    frame = store.responses_frame(survey)
    return (frame, store.frame_versions(survey)) if with_versions else frame


def versions_line(survey: Survey, n: int, versions: list[str]) -> str:
    """``"read 120 stored responses of ecommerce_csi, survey versions 1.0, 1.1"``."""
    label = "version" if len(versions) == 1 else "versions"
    return f"read {n} stored responses of {survey.id}, survey {label} {', '.join(versions) or '-'}"
