"""Where a command's responses come from: one resolver for every analysis command.

The order is the one ``csi import``/``csi export`` use for the store:

1. a DATA file given on the command line (read by :func:`csi.io.read_responses` for a survey,
   by the plain table reader for a lavaan model);
2. else ``--db URL``;
3. else ``CSI_DATABASE_URL``;
4. else the default store ``sqlite:///./var/csi.sqlite``.

User errors (no such file, no store, no stored responses) raise :class:`DataSourceError`, a
:class:`~csi.errors.CsiError` the commands print as one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from csi.errors import CsiError

__all__ = ["DataSourceError", "Responses", "resolve_store_url", "load_responses", "load_model", "echo_rejected"]


class DataSourceError(CsiError, ValueError):
    """No responses could be found where the command looked (the message says where)."""


@dataclass(frozen=True)
class Responses:
    """The responses a command analyses.

    ``frame``: the canonical response frame (valid rows only); ``source``: where it came from
    (a file path or a store URL with the password hidden), for messages; ``rejected``: rows of
    the DATA file rejected at import (0 for the store, whose rows were checked on import);
    ``note``: which stored survey versions were read (store only), for stderr.
    """

    frame: pd.DataFrame
    source: str
    rejected: int = 0
    note: str = ""


def resolve_store_url(db: str | None) -> str:
    """``db`` if given, else ``CSI_DATABASE_URL``, else ``sqlite:///./var/csi.sqlite``."""
    from csi.store import default_database_url

    return db.strip() if db and db.strip() else default_database_url()


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _sqlite_file(url: str) -> Path | None:
    """The file of a file-backed SQLite URL, else None (in-memory, other back ends)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database).expanduser()


def _read_file(spec, data: Path, extra: list[str], encoding: str | None = None) -> Responses:
    if not data.exists():
        raise DataSourceError(f"{data}: no such data file")
    if isinstance(spec, str):  # a lavaan model: the plain table, columns matched to its names
        from csi.io.table_frame import match_names, model_names, read_table_frame

        return Responses(match_names(read_table_frame(data, encoding=encoding), model_names(spec)).reset_index(drop=True), str(data))
    from csi.io import read_responses

    imp = read_responses(data, spec, encoding=encoding)
    frame = imp.valid
    missing = [c for c in extra if c not in frame]
    if missing:  # --weights/--strata columns that are not survey fields, as written in the file
        from csi.io.table_frame import read_table_frame

        raw = read_table_frame(data, keep_rows=True, encoding=encoding)
        for c in missing:
            if c in raw and imp.platform in ("plain", "generic", "wenjuanxing", "google_forms"):
                frame = frame.assign(**{c: raw[c].reindex(frame.index).to_numpy()})
    return Responses(frame.reset_index(drop=True), str(data), len(imp.rejected))


def _read_store(spec, db: str | None) -> Responses:
    url = resolve_store_url(db)
    shown = _shown(url)
    if isinstance(spec, str):
        raise DataSourceError("a lavaan model needs a DATA file: the store holds responses of survey YAML "
                              "definitions only")
    file = _sqlite_file(url)
    if file is not None and not file.exists():
        raise DataSourceError(f"no DATA file given and no store at {shown} (give a DATA file, --db URL or "
                              "CSI_DATABASE_URL, or store responses first with `csi import`)")
    from csi.store import read_responses_frame, versions_line

    frame, versions = read_responses_frame(spec, url, with_versions=True)
    if frame.empty:
        raise DataSourceError(f"{shown}: no stored responses of survey {spec.id!r} version {spec.version} "
                              "(import them with `csi import`, or give a DATA file)")
    return Responses(frame.reset_index(drop=True), shown, note=versions_line(spec, len(frame), versions))


def load_responses(spec, data: Path | None = None, db: str | None = None, *,
                   extra: list[str] | tuple[str, ...] = (), encoding: str | None = None) -> Responses:
    """The responses for ``spec`` (a Survey, or lavaan text) from DATA, else the store.

    Parameters
    ----------
    spec : Survey or str
        The survey, or a lavaan model text (which needs ``data``).
    data : Path, optional
        A response file (CSV/TSV/XLSX/XLS or a platform export). When given, ``db`` is ignored.
    db : str, optional
        Store URL; default ``CSI_DATABASE_URL``, else ``sqlite:///./var/csi.sqlite``.
    extra : columns (``--weights``, ``--strata``) to take from DATA as written when they are
        not survey fields.
    encoding : str, optional
        Text encoding of DATA (``--encoding``); default detected.

    Raises
    ------
    DataSourceError
        No such file; a default SQLite store that does not exist; no stored responses.
    """
    if data is not None:
        return _read_file(spec, Path(data), list(extra), encoding)
    return _read_store(spec, db)


def load_model(model: Path, scale: tuple[float, float] | None = None):
    """A survey YAML (``.yaml``/``.yml``) as a Survey, any other file as lavaan text.

    A lavaan model needs ``scale`` (the items' theoretical bounds, ``--scale MIN,MAX``).
    """
    if not model.exists():
        raise DataSourceError(f"{model}: no such model file")
    if model.suffix.lower() in (".yaml", ".yml"):
        from csi.survey import load_survey

        return load_survey(model)
    if scale is None:
        raise DataSourceError(f"{model}: a lavaan model needs --scale MIN,MAX (the items' theoretical bounds)")
    return model.read_text(encoding="utf-8")


def echo_rejected(resp: Responses) -> None:
    """On stderr: the stored survey versions read, and a warning when rows of DATA were rejected."""
    import typer

    if resp.note:
        typer.echo(resp.note, err=True)
    if resp.rejected:
        typer.echo(f"warning: {resp.rejected} row(s) of {resp.source} rejected at import (see `csi import`); "
                   "analysing the valid rows", err=True)
