"""Engines and migrations: one cached SQLAlchemy Engine per URL, schema migrated on first open.

Decisions (issue 4):

- default URL ``sqlite:///./var/csi.sqlite`` (relative to the working directory; the parent
  directory is created), overridable by ``CSI_DATABASE_URL`` or an explicit URL (``--db``);
- SQLite runs in WAL mode with a 30 s busy timeout; write transactions start with
  ``BEGIN IMMEDIATE`` (so two writers never deadlock upgrading a read lock) and are retried on
  "database is locked"; reads use a plain ``BEGIN``;
- the schema is created and upgraded by the Alembic migrations shipped in
  ``csi/store/migrations`` (run programmatically; no ``alembic.ini`` needed), under a write lock
  (SQLite) or an advisory lock (PostgreSQL) so that concurrent first opens are safe.
"""

from __future__ import annotations

import functools
import os
import re
import threading
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

from csi.errors import StoreError

__all__ = ["DEFAULT_URL", "default_database_url", "get_engine", "dispose_engine", "write_transaction", "migrate",
           "with_retry", "head_revision", "schema_revision"]

DEFAULT_URL = "sqlite:///./var/csi.sqlite"
_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def default_database_url() -> str:
    """``CSI_DATABASE_URL`` if set, else ``sqlite:///./var/csi.sqlite``."""
    return os.environ.get("CSI_DATABASE_URL", "").strip() or DEFAULT_URL


def _sqlite_engine(url) -> Engine:
    db = url.database
    memory = not db or db == ":memory:"
    if not memory:
        Path(db).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
    kw: dict = {"connect_args": {"timeout": 30, "check_same_thread": False}}
    if memory:
        kw["poolclass"] = sa.pool.StaticPool
    else:
        kw.update(pool_size=5, max_overflow=20, pool_timeout=120)
    engine = sa.create_engine(url, **kw)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        if not memory:
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("csi_write") else "BEGIN")

    return engine


def get_engine(url: str) -> Engine:
    """The cached Engine for ``url`` (created, and the schema migrated, on first use)."""
    with _lock:
        engine = _engines.get(url)
        if engine is not None:
            return engine
        try:
            parsed = make_url(url)
        except sa.exc.ArgumentError:
            raise StoreError(f"not a database URL: {url!r}; expected e.g. sqlite:///./var/csi.sqlite") from None
        try:
            if parsed.get_backend_name() == "sqlite":
                engine = _sqlite_engine(parsed)
            else:
                # many app sessions / writers wait for a connection rather than fail
                engine = sa.create_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=20,
                                          pool_timeout=120)
            migrate(engine)
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot open the store {parsed.render_as_string(hide_password=True)}: "
                             f"{exc.__class__.__name__}: {str(exc.orig if hasattr(exc, 'orig') else exc).splitlines()[0]}") from None
        except ModuleNotFoundError as exc:
            raise StoreError(f"the database driver {exc.name!r} is not installed") from None
        _engines[url] = engine
        return engine


def dispose_engine(url: str) -> None:
    """Close and forget the cached Engine of ``url`` (tests, and before deleting a database)."""
    with _lock:
        engine = _engines.pop(url, None)
    if engine is not None:
        engine.dispose()


def write_transaction(engine: Engine):
    """A context manager: one write transaction (``BEGIN IMMEDIATE`` on SQLite)."""
    return engine.connect().execution_options(csi_write=True)


def head_revision() -> str | None:
    """The newest migration revision, read from ``migrations/versions/*.py`` without Alembic.

    Each migration file declares ``revision = "..."`` and ``down_revision = ...``; the head is
    the one revision no other file revises. None when that is not a single revision (branches,
    or a file this reader cannot follow): then :func:`migrate` always asks Alembic.
    """
    return _head_revision(tuple(sorted(str(p) for p in (_MIGRATIONS / "versions").glob("*.py"))))


@functools.lru_cache(maxsize=4)
def _head_revision(files: tuple[str, ...]) -> str | None:
    revisions: set[str] = set()
    revised: set[str] = set()
    for f in files:
        text = Path(f).read_text(encoding="utf-8")
        rev = re.search(r"^revision\s*=\s*['\"]([^'\"]+)['\"]\s*$", text, re.M)
        down = re.search(r"^down_revision\s*=\s*(None|['\"]([^'\"]+)['\"])\s*$", text, re.M)
        if rev is None and down is None:
            continue  # not a migration (``__init__.py``)
        if rev is None or down is None:
            return None
        revisions.add(rev.group(1))
        if down.group(2):
            revised.add(down.group(2))
    heads = revisions - revised
    return heads.pop() if len(heads) == 1 else None


def schema_revision(engine: Engine) -> list[str]:
    """The revisions recorded in the store's ``alembic_version`` table ([] for a new database)."""
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return []
        return [r[0] for r in conn.exec_driver_sql("SELECT version_num FROM alembic_version")]


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema to the newest Alembic revision (idempotent, concurrency-safe).

    A store already at the head revision is left as it is after one read of its
    ``alembic_version`` table, without importing Alembic (~0.2 s); anything else (a new
    database, an older revision, an unknown one) goes through Alembic's ``upgrade head``
    under the write lock.
    """
    head = head_revision()
    if head is not None and schema_revision(engine) == [head]:
        return
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    with write_transaction(engine) as conn, conn.begin():
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(741852963)")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def _is_locked(exc: BaseException) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    return "database is locked" in text or "database table is locked" in text or "deadlock" in text \
        or "could not serialize" in text


def with_retry(fn, *, attempts: int = 20):
    """Run ``fn()`` and retry it (with backoff) when the database reports a lock/serialization error."""
    delay = 0.01
    for attempt in range(attempts):
        try:
            return fn()
        except sa.exc.OperationalError as exc:
            if not _is_locked(exc) or attempt == attempts - 1:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.5)
    raise StoreError("the database stayed locked")  # pragma: no cover
