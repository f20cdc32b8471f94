"""The response store: survey versions, import batches, responses and the rejected-row quarantine.

Every write is one transaction: an import either stores its whole batch (responses, rejected
rows and the batch record) or nothing; a killed process leaves no partial batch. Re-importing a
file with the same hash adds nothing and says so (``BatchSummary.already_imported``); respondent
ids already stored for the survey are counted as ``duplicates`` and skipped.
"""

from __future__ import annotations

import json
import os
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa

from csi.errors import ResponseImportError, RowIssue, StoreError
from csi.io.canonical import (
    canonical_columns,
    field_kinds,
)
from csi.store.engine import get_engine, with_retry, write_transaction
from csi.store.frames import (
    _from_parquet,
    _insert_many,
    _rows_to_frame,
    _to_parquet,
    _types_from_parquet,
    missing_json,
)
from csi.store.schema import (
    batch_frames,
    import_batches,
    rejected_rows,
    responses,
    settings,
    survey_versions,
)
from csi.store.typed import ensure_answers_table, write_answers
from csi.store.versions import version_ids
from csi.survey import Survey

__all__ = ["Store", "BatchSummary"]

_HOOK = "CSI_TEST_IMPORT_SLEEP"  # seconds to sleep inside the import transaction (atomicity test)


@dataclass(frozen=True)
class BatchSummary:
    """What one import stored: counts, and whether the file had been imported before."""

    batch_id: int | None
    survey_id: str
    source_name: str
    rows_read: int
    imported: int
    rejected: int
    duplicates: int
    flagged: int
    already_imported: bool = False

    @property
    def message(self) -> str:
        if self.already_imported:
            return (f"{self.source_name}: already imported (same file hash, batch {self.batch_id}); "
                    "nothing added")
        return (f"{self.source_name}: {self.rows_read} rows read, {self.imported} imported, "
                f"{self.rejected} rejected, {self.duplicates} already stored, {self.flagged} flagged")


def _now() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def _iso(ts: pd.Series) -> list[str | None]:
    t = pd.to_datetime(ts)
    out = t.dt.strftime("%Y-%m-%dT%H:%M:%S.%f")
    return [None if pd.isna(v) else v for v in out]


def _answers_json(frame: pd.DataFrame, fields: list[str]) -> list[str]:
    """One JSON object per row (NaN -> omitted); pandas' C JSON writer, vectorised."""
    if not len(frame):
        return []
    sub = frame[fields]
    text = sub.to_json(orient="records", lines=True, force_ascii=False, double_precision=15)
    lines = text.splitlines()
    # nulls are dropped on read anyway; keep the text compact
    return [ln.replace(":null", ":null") for ln in lines]


class Store:
    """Handle on one response store (a SQLAlchemy URL). Build with :func:`csi.store.open_store`."""

    def __init__(self, url: str):
        self.url = url
        self.engine = get_engine(url)

    # -- settings / surveys ---------------------------------------------------------------
    def pii_salt(self) -> str:
        """Legacy salt (``CSI_PII_SALT`` or a random per-store salt kept in ``csi_settings``).

        No longer used for contact data: a salt kept in the same database lets anyone holding
        the file brute-force a phone number. Pseudonyms are keyed HMACs with ``CSI_PII_KEY``
        (:mod:`csi.io.pseudonym`).
        """
        env = os.environ.get("CSI_PII_SALT", "")
        if env:
            return env

        def run() -> str:
            with write_transaction(self.engine) as conn, conn.begin():
                row = conn.execute(sa.select(settings.c.value).where(settings.c.key == "pii_salt")).first()
                if row:
                    return row[0]
                salt = secrets.token_hex(16)
                try:
                    with conn.begin_nested():
                        conn.execute(settings.insert().values(key="pii_salt", value=salt))
                except sa.exc.IntegrityError:  # created concurrently: use that one
                    return conn.execute(sa.select(settings.c.value).where(settings.c.key == "pii_salt")).scalar_one()
                return salt

        return with_retry(run)

    def _survey_version_id(self, conn, survey: Survey) -> int:
        sha = survey.sha256
        row = conn.execute(sa.select(survey_versions.c.id).where(survey_versions.c.sha256 == sha)).first()
        if row:
            return int(row[0])
        try:  # a concurrent writer may insert the same version first (PostgreSQL): savepoint
            with conn.begin_nested():
                res = conn.execute(survey_versions.insert().values(
                    survey_id=survey.id, version=survey.version, sha256=sha, yaml_text=survey.source_text,
                    created_at=_now()))
            return int(res.inserted_primary_key[0])
        except sa.exc.IntegrityError:
            return int(conn.execute(sa.select(survey_versions.c.id).where(survey_versions.c.sha256 == sha)).scalar_one())

    def save_survey(self, survey: Survey) -> int:
        """Store the survey's YAML text (once per distinct text); return its version row id."""
        def run() -> int:
            with write_transaction(self.engine) as conn, conn.begin():
                return self._survey_version_id(conn, survey)
        return with_retry(run)

    def surveys(self) -> pd.DataFrame:
        """Stored survey versions: ``id, survey_id, version, sha256, created_at, n_responses``."""
        counts = (sa.select(responses.c.survey_version_id, sa.func.count().label("n"))
                  .group_by(responses.c.survey_version_id).subquery())
        q = (sa.select(survey_versions.c.id, survey_versions.c.survey_id, survey_versions.c.version,
                       survey_versions.c.sha256, survey_versions.c.created_at,
                       sa.func.coalesce(counts.c.n, 0).label("n_responses"))
             .join(counts, counts.c.survey_version_id == survey_versions.c.id, isouter=True)
             .order_by(survey_versions.c.id))
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        return pd.DataFrame(rows, columns=["id", "survey_id", "version", "sha256", "created_at", "n_responses"])

    def load_survey(self, survey_id: str, version: str | None = None) -> Survey:
        """The stored survey (newest stored version, or ``version``) parsed from its YAML text."""
        from csi.survey import parse_survey

        q = sa.select(survey_versions.c.yaml_text).where(survey_versions.c.survey_id == survey_id)
        if version is not None:
            q = q.where(survey_versions.c.version == version)
        with self.engine.connect() as conn:
            row = conn.execute(q.order_by(survey_versions.c.id.desc())).first()
        if row is None:
            raise StoreError(f"survey {survey_id!r}{' version ' + version if version else ''} is not in the store")
        return parse_survey(row[0], file=f"<store:{survey_id}>")

    # -- writes ------------------------------------------------------------------------------
    def import_frame(self, survey: Survey, frame: pd.DataFrame, *, source_name: str, file_hash: str | None,
                     platform: str | None = None, rejected: pd.DataFrame | None = None,
                     issues: list[RowIssue] | None = None, rows_read: int | None = None,
                     encoding: str | None = None, flagged: pd.DataFrame | None = None,
                     pii_hashes: pd.DataFrame | None = None,
                     missing_types: pd.DataFrame | None = None) -> BatchSummary:
        """Store a canonical frame (one import batch) in ONE transaction.

        ``missing_types`` (``ImportResult.missing_types``) is kept per response (column
        ``missing``) and in the batch's Parquet copy; read it back with
        ``responses_frame(..., with_missing_types=True)``.

        Rows whose ``respondent_id`` is already stored for the survey are skipped and counted
        as ``duplicates``; a ``file_hash`` already imported for this survey adds nothing
        (``already_imported``). ``rejected`` (raw rows with ``source_row``/``reason``) goes
        to the quarantine. ``frame``'s index is taken as the source row number when it is
        named ``source_row``. The answers are also written to the version's typed table
        (:mod:`csi.store.typed`), with the per-cell ``missing_types`` codes when given.
        """
        rejected = rejected if rejected is not None else pd.DataFrame(columns=["source_row", "reason"])
        rows_read = rows_read if rows_read is not None else len(frame) + len(rejected)
        missing = [c for c in canonical_columns(survey) if c not in frame.columns]
        if missing:
            raise ResponseImportError(f"the frame lacks canonical column(s) {', '.join(missing[:5])}")
        fields = list(field_kinds(survey))
        flag_text: dict[str, str] = {}
        if flagged is not None and len(flagged):
            for rid, grp in flagged.groupby("respondent_id", sort=False):
                flag_text[str(rid)] = json.dumps(sorted(set(grp["flag"])))
        ids = frame["respondent_id"].astype("str").tolist()
        src_rows = (frame.index.to_numpy() if frame.index.name == "source_row" else np.arange(1, len(frame) + 1))
        answers = _answers_json(frame, fields)
        miss_json = missing_json(missing_types, frame.index)
        submitted = _iso(frame["submitted_at"])
        waves = [None if pd.isna(w) else str(w) for w in frame["wave"]]
        pii_json = None
        if pii_hashes is not None and len(pii_hashes.columns):
            pii_json = [json.dumps({k: v for k, v in r.items() if v is not None}) for r in
                        pii_hashes.reindex(frame.index).to_dict("records")]
        rej_records = []
        if len(rejected):
            raw_cols = [c for c in rejected.columns if c not in ("source_row", "reason")]
            raws = rejected[raw_cols].astype("str").fillna("").to_dict("records") if raw_cols else [{}] * len(rejected)
            for sr, reason, raw in zip(rejected["source_row"], rejected["reason"], raws, strict=True):
                rej_records.append({"source_row": None if pd.isna(sr) else int(sr), "reason": str(reason),
                                    "raw": json.dumps(raw, ensure_ascii=False)})

        def run() -> BatchSummary:
            with write_transaction(self.engine) as conn, conn.begin():
                sv = self._survey_version_id(conn, survey)
                if file_hash:
                    prev = conn.execute(sa.select(import_batches.c.id).where(
                        import_batches.c.survey_id == survey.id, import_batches.c.file_hash == file_hash,
                        import_batches.c.kind == "import")).first()
                    if prev is not None:
                        return BatchSummary(int(prev[0]), survey.id, source_name, rows_read, 0, 0, 0, 0, True)
                existing = self._existing_ids(conn, survey.id, ids)
                keep = [i for i, rid in enumerate(ids) if rid not in existing]
                n_flagged = sum(1 for i in keep if ids[i] in flag_text)
                res = conn.execute(import_batches.insert().values(
                    survey_id=survey.id, survey_version_id=sv, kind="import", source_name=source_name[:255],
                    file_hash=file_hash, platform=platform, encoding=encoding, rows_read=rows_read,
                    imported=len(keep), rejected=len(rejected), duplicates=len(ids) - len(keep),
                    flagged=n_flagged, created_at=_now()))
                batch_id = int(res.inserted_primary_key[0])
                recs = [{"survey_id": survey.id, "survey_version_id": sv, "batch_id": batch_id,
                         "respondent_id": ids[i], "submission_key": None, "source_row": int(src_rows[i]),
                         "submitted_at": submitted[i], "wave": waves[i], "answers": answers[i],
                         "flags": flag_text.get(ids[i]), "pii": pii_json[i] if pii_json else None,
                         "missing": miss_json[i]}
                        for i in keep]
                _insert_many(conn, recs)
                if keep:
                    _write_typed(conn, sv, survey, frame.iloc[keep], batch_id, [submitted[i] for i in keep],
                                 missing_types)
                if rej_records:
                    conn.execute(rejected_rows.insert(), [r | {"batch_id": batch_id} for r in rej_records])
                if keep:
                    conn.execute(batch_frames.insert().values(
                        batch_id=batch_id, survey_id=survey.id, n_rows=len(keep),
                        data=_to_parquet(frame, keep, canonical_columns(survey), missing_types)))
                _test_hook()
                return BatchSummary(batch_id, survey.id, source_name, rows_read, len(keep), len(rejected),
                                    len(ids) - len(keep), n_flagged)

        try:
            return with_retry(run)
        except sa.exc.IntegrityError:  # the same respondents stored concurrently: count them now
            return with_retry(run)

    def _existing_ids(self, conn, survey_id: str, ids: list[str]) -> set[str]:
        out: set[str] = set()
        for start in range(0, len(ids), 900):
            chunk = ids[start:start + 900]
            q = sa.select(responses.c.respondent_id).where(responses.c.survey_id == survey_id,
                                                           responses.c.respondent_id.in_(chunk))
            out.update(r[0] for r in conn.execute(q))
        return out

    def submit_response(self, survey: Survey, answers: dict, *, submission_key: str,
                        claim=None) -> str:
        """Store one form submission in one transaction; return its respondent id.

        ``answers`` maps field ids to answers (codes or labels, as the import accepts); it is
        validated exactly like an imported row (a problem raises :class:`ResponseImportError`
        with the issues). The same ``submission_key`` twice stores one response (double-click
        safe) and returns the first respondent id. ``respondent_id`` and ``submitted_at`` are
        generated (uuid4, now UTC) when absent. ``claim(conn, respondent_id)``, when given, runs
        inside the write transaction before the insert (an invitation token is marked used
        there); if it raises, nothing is stored.
        """
        from csi.io.responses import validate_answers

        key = str(submission_key)[:128]
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(responses.c.respondent_id).where(
                responses.c.survey_id == survey.id, responses.c.submission_key == key)).first()
        if row:
            return str(row[0])
        given = dict(answers)
        given.setdefault("respondent_id", uuid.uuid4().hex)
        given.setdefault("submitted_at", datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds"))
        frame, pii, mtypes = validate_answers(survey, given, with_missing_types=True,
                                              pii_key=_form_pii_key() if _has_pii(survey, given) else None)
        rid = str(frame["respondent_id"].iloc[0])
        rec = {"survey_id": survey.id, "respondent_id": rid, "submission_key": key, "source_row": None,
               "submitted_at": _iso(frame["submitted_at"])[0], "wave": str(frame["wave"].iloc[0]),
               "answers": _answers_json(frame, list(field_kinds(survey)))[0], "flags": None,
               "pii": json.dumps(pii) if pii else None, "batch_id": None,
               "missing": missing_json(mtypes, frame.index)[0]}

        def run() -> str:
            with write_transaction(self.engine) as conn, conn.begin():
                prev = conn.execute(sa.select(responses.c.respondent_id).where(
                    responses.c.survey_id == survey.id, responses.c.submission_key == key)).first()
                if prev:
                    return str(prev[0])
                if claim is not None:
                    claim(conn, rid)
                sv = self._survey_version_id(conn, survey)
                res = conn.execute(responses.insert().values(**rec, survey_version_id=sv))
                write_answers(conn, ensure_answers_table(conn, sv, survey), survey, frame,
                              [int(res.inserted_primary_key[0])], submitted=[rec["submitted_at"]],
                              missing_types=mtypes)
                return rid

        try:
            return with_retry(run)
        except sa.exc.IntegrityError:
            with self.engine.connect() as conn:
                prev = conn.execute(sa.select(responses.c.respondent_id).where(
                    responses.c.survey_id == survey.id, responses.c.submission_key == key)).first()
            if prev:
                return str(prev[0])
            raise StoreError(f"respondent id {rid!r} is already stored for survey {survey.id!r}") from None

    # -- reads -------------------------------------------------------------------------------
    def count_responses(self, survey: Survey | str) -> int:
        sid = survey if isinstance(survey, str) else survey.id
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(responses)
                                    .where(responses.c.survey_id == sid)).scalar_one())

    def responses_frame(self, survey: Survey, *, waves=None, segment=None, versions=None,
                        with_missing_types: bool = False):
        """The stored responses of ``survey`` as the canonical frame (no PII), oldest first.

        Only rows stored under ``survey``'s version and under versions whose items and scales
        agree (:mod:`csi.store.versions`); ``versions``: explicit version labels instead.
        :meth:`frame_versions` says which versions a frame spans.

        ``waves``: a wave label or a list of labels to keep; ``segment``: ``(field, value)``,
        ``{field: value | [values]}`` to keep (e.g. ``("channel", "tmall")``).
        Imported batches are read from their Parquet copies (columnar); form submissions from
        their JSON answers (pyarrow's JSON reader). Rows are ordered by ``submitted_at``.
        ``with_missing_types=True`` returns ``(frame, missing_types)``, the second aligned with
        the first (see :mod:`csi.io.missing_types`).
        """
        with self.engine.connect() as conn:
            vids, _ = version_ids(conn, survey, versions)
            in_batches = sa.select(import_batches.c.id).where(import_batches.c.survey_version_id.in_(vids))
            blobs = conn.execute(sa.select(batch_frames.c.data).where(batch_frames.c.survey_id == survey.id)
                                 .where(batch_frames.c.batch_id.in_(in_batches))
                                 .order_by(batch_frames.c.batch_id)).all()
            if waves is not None:
                waves = [waves] if isinstance(waves, str) else list(waves)
            # Rows without a Parquet copy (form submissions: no batch, or a batch without a
            # copy), read by one indexed look-up on batch_id per such batch: a single query
            # with "batch_id IS NULL OR batch_id NOT IN (...)" scans every response of the
            # survey (~40 ms at 100,000 rows) to find none.
            no_copy = conn.execute(sa.select(import_batches.c.id)
                                   .where(import_batches.c.survey_id == survey.id)
                                   .where(import_batches.c.id.not_in(sa.select(batch_frames.c.batch_id)))).scalars().all()
            rows = []
            for in_batch in [responses.c.batch_id.is_(None)] + [responses.c.batch_id == b for b in no_copy]:
                q = (sa.select(responses.c.id, responses.c.respondent_id, responses.c.submitted_at, responses.c.wave,
                               responses.c.answers, responses.c.missing)
                     .where(responses.c.survey_id == survey.id).where(in_batch)
                     .where(responses.c.survey_version_id.in_(vids)))
                if waves is not None:
                    q = q.where(responses.c.wave.in_(waves))
                rows.extend(conn.execute(q).all())
            rows = sorted(rows, key=lambda r: r[0])  # in id order, as stored
            row_missing = [r[5] for r in rows]
            rows = [r[1:5] for r in rows]
        parts = [_from_parquet(b[0], survey) for b in blobs]
        tparts = [_types_from_parquet(b[0]) for b in blobs] if with_missing_types else []
        if waves is not None:
            keep_w = [p["wave"].isin(waves) for p in parts]
            parts = [p.loc[k] for p, k in zip(parts, keep_w, strict=True)]
            if with_missing_types:
                tparts = [t.loc[k.to_numpy()] for t, k in zip(tparts, keep_w, strict=True)]
        if rows or not parts:
            parts.append(_rows_to_frame(survey, rows))
            if with_missing_types:
                tparts.append(pd.DataFrame([json.loads(m) if m else {} for m in row_missing],
                                           index=pd.RangeIndex(len(rows)), dtype=object))
        if with_missing_types:
            tparts = [t.set_axis(p.index) for p, t in zip(parts, tparts, strict=True)]
            parts = [pd.concat([p, t.add_prefix("\0mt\0")], axis=1) for p, t in zip(parts, tparts, strict=True)]
        parts = [p for p in parts if len(p)] or parts[:1]
        frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
        frame = frame.sort_values("submitted_at", kind="stable", na_position="last").reset_index(drop=True)
        if segment is not None:
            conds = dict([segment]) if isinstance(segment, tuple) else dict(segment)
            mask = pd.Series(True, index=frame.index)
            for fid, val in conds.items():
                if fid not in frame:
                    raise StoreError(f"unknown segment field {fid!r}")
                vals = [val] if isinstance(val, str | int | float) else list(val)
                mask &= frame[fid].astype("str").isin([str(v) for v in vals])
            frame = frame.loc[mask].reset_index(drop=True)
        if with_missing_types:
            tcols = [c for c in frame.columns if c.startswith("\0mt\0")]
            types = frame[tcols].rename(columns=lambda c: c[4:])
            types = types.loc[:, types.notna().any()].astype(object)
            return frame.drop(columns=tcols), types
        return frame

    def frame_versions(self, survey: Survey, versions=None) -> list[str]:
        """The version labels :meth:`responses_frame` reads for ``survey`` (for the app to show)."""
        with self.engine.connect() as conn:
            return version_ids(conn, survey, versions)[1]

    def batches(self, survey: Survey | str) -> pd.DataFrame:
        """Import batches of the survey, newest first."""
        sid = survey if isinstance(survey, str) else survey.id
        cols = ["id", "kind", "source_name", "file_hash", "platform", "encoding", "rows_read", "imported",
                "rejected", "duplicates", "flagged", "created_at"]
        q = (sa.select(*[import_batches.c[c] for c in cols]).where(import_batches.c.survey_id == sid)
             .order_by(import_batches.c.id.desc()))
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        return pd.DataFrame(rows, columns=["batch_id"] + cols[1:])

    def rejected_rows(self, batch_id: int) -> pd.DataFrame:
        """The quarantined rows of a batch: ``source_row``, ``reason`` and the raw columns (text)."""
        q = (sa.select(rejected_rows.c.source_row, rejected_rows.c.reason, rejected_rows.c.raw)
             .where(rejected_rows.c.batch_id == int(batch_id)).order_by(rejected_rows.c.id))
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        raws = [json.loads(r[2]) for r in rows]
        base = pd.DataFrame({"source_row": [r[0] for r in rows], "reason": [r[1] for r in rows]})
        return pd.concat([base, pd.DataFrame(raws, index=base.index)], axis=1) if rows else base


def _form_pii_key() -> bytes | None:
    """The pseudonym key for form submissions, or None (contact answers are then dropped)."""
    from csi.io.pseudonym import PseudonymKeyError, pseudonym_key

    try:
        return pseudonym_key()
    except PseudonymKeyError:
        return None


def _write_typed(conn, sv: int, survey: Survey, rows: pd.DataFrame, batch_id: int, submitted, missing_types) -> None:
    """The batch's rows in the version's typed table (same transaction), keyed by responses.id."""
    ids = dict(conn.execute(sa.select(responses.c.respondent_id, responses.c.id)
                            .where(responses.c.batch_id == batch_id)).all())
    rid = rows["respondent_id"].astype("str").tolist()
    write_answers(conn, ensure_answers_table(conn, sv, survey), survey, rows, [ids[r] for r in rid],
                  submitted=submitted, missing_types=missing_types)


def _has_pii(survey: Survey, answers: dict) -> bool:
    return any(f in answers and answers[f] not in (None, "") for f in survey.pii_fields)


def _test_hook() -> None:
    """Atomicity-test hook: with ``CSI_TEST_IMPORT_SLEEP=S`` the import sleeps S seconds inside its
    transaction, after writing every row (touching ``CSI_TEST_IMPORT_MARKER`` first, if set)."""
    delay = os.environ.get(_HOOK, "")
    if delay:
        import time
        from pathlib import Path

        marker = os.environ.get("CSI_TEST_IMPORT_MARKER", "")
        if marker:
            Path(marker).write_text("in transaction", encoding="utf-8")
        time.sleep(float(delay))
