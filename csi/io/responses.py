"""``read_responses``: a response file -> canonical frame, quarantined rows and a row-level report.

Pipeline: bytes -> encoding (:mod:`csi.io.encoding`) -> table (:mod:`csi.io.tables`) -> platform
layout (:mod:`csi.io.platforms`) -> column mapping (:mod:`csi.io.mapping`) -> vectorised value
conversion (:mod:`csi.io.convert`) -> row checks (:mod:`csi.validate`). Every data row ends up
either in ``valid`` or in ``rejected`` (with its reasons): ``len(valid) + len(rejected) ==
rows_read`` always. Contact data (PII) is dropped (see :mod:`csi.io.pii`).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from csi.errors import ResponseImportError, RowIssue
from csi.io.assemble import (
    answer_columns,
    mark_nothing_ticked,
    meta_columns,
    quarantine,
    row_issues,
)
from csi.io.canonical import (
    META_COLUMNS,
    canonical_columns,
    field_kinds,
    is_string_kind,
)
from csi.io.convert import field_specs
from csi.io.dates import DATE_ORDERS
from csi.io.mapping import map_columns, survey_strings
from csi.io.missing_types import missing_types_frame
from csi.io.pii import contact_columns
from csi.io.platforms import detect_layout
from csi.io.pseudonym import pseudonym_key, pseudonymize
from csi.io.scrub import scrub_text
from csi.io.tables import open_table
from csi.survey import Survey
from csi.validate.quality_flags import quality_flags
from csi.validate.rows import ISSUE_COLUMNS, show_if_masks

__all__ = ["ImportResult", "read_responses", "MAX_FILE_BYTES"]

#: Files above this size are refused (a clean error instead of exhausting memory).
MAX_FILE_BYTES = 2 * 1024**3


@dataclass
class ImportResult:
    """The outcome of reading one response file.

    ``valid``: canonical frame (index ``source_row`` = 1-based data-row number); ``rejected``:
    the raw rows (text, contact columns removed) plus ``source_row`` and ``reason``;
    ``issues``: every problem found (one per cell or row); ``flagged``: quality flags of valid
    rows (``respondent_id, source_row, flag, detail``; rows are kept); ``duplicates``: rows
    rejected because their respondent id occurs higher up in the same file; ``pii_hashes``:
    keyed HMAC-SHA256 pseudonyms of contact columns (only with ``pii_key``), indexed like
    ``valid``. Row numbers (``source_row``, ``RowIssue.row``) are the file's own: spreadsheet
    row N is row N, header rows counted. ``recodings``: one line per column whose platform
    option numbers were read as stored values; ``excluded``: rows left out as previews, tests
    or unfinished responses (in ``rejected`` with the reason, in no other check);
    ``scrubbed``: free-text cells with contact data replaced (``cells``, ``phone``, ``email``,
    ``id``).
    """

    valid: pd.DataFrame
    rejected: pd.DataFrame
    issues: list[RowIssue]
    flagged: pd.DataFrame
    platform: str
    encoding: str
    unmapped_columns: list[str]
    rows_read: int
    duplicates: int
    file_hash: str
    file_name: str = "<data>"
    pii_columns: list[str] = field(default_factory=list)
    pii_hashes: pd.DataFrame | None = None
    column_map: dict[str, str] = field(default_factory=dict)
    recodings: list[str] = field(default_factory=list)
    excluded: int = 0
    scrubbed: dict[str, int] = field(default_factory=dict)
    #: issue 14: why each missing answer of ``valid`` is missing (``dont_know``, ``not_shown``,
    #: ``skipped``, ``no_answer``; NaN where answered), see :mod:`csi.io.missing_types`.
    missing_types: pd.DataFrame | None = None
    #: issue 18: raw contact values of valid rows by survey contact field (only with
    #: ``keep_contact=True``, for the encrypted vault; never stored as they are)
    contacts: pd.DataFrame | None = field(default=None, repr=False)

    def issues_frame(self) -> pd.DataFrame:
        """The issues as a frame with columns ``row, column, value, reason``."""
        return pd.DataFrame([(i.row, i.column, i.value, i.expected) for i in self.issues], columns=ISSUE_COLUMNS)


def _read_bytes(path_or_buffer, file_name: str | None) -> tuple[bytes, str]:
    if isinstance(path_or_buffer, bytes | bytearray):
        return bytes(path_or_buffer), file_name or "<bytes>"
    if isinstance(path_or_buffer, str | Path):
        p = Path(path_or_buffer)
        try:
            if p.stat().st_size > MAX_FILE_BYTES:
                raise ResponseImportError(f"{p}: file larger than {MAX_FILE_BYTES} bytes")
            return p.read_bytes(), file_name or p.name
        except OSError as exc:
            raise ResponseImportError(f"{p}: cannot read the file ({exc.strerror or exc})") from None
    if hasattr(path_or_buffer, "read"):
        data = path_or_buffer.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        return bytes(data), file_name or getattr(path_or_buffer, "name", "<buffer>")
    raise ResponseImportError(f"cannot read responses from a {type(path_or_buffer).__name__}")


def read_responses(path_or_buffer, survey: Survey, *, platform: str | None = None, encoding: str | None = None,
                   mapping: dict[str, str] | None = None, file_name: str | None = None,
                   pii_salt: str | None = None, check_quality: bool = True, pii_key: bytes | None = None,
                   codes: dict[str, dict] | None = None, include_unfinished: bool = False,
                   keep_contact: bool = False, date_order: str | None = None) -> ImportResult:
    """Read a response file (CSV/TSV/XLSX/XLS or a platform export) into the canonical frame.

    Parameters
    ----------
    path_or_buffer : path, bytes or binary file object
    survey : Survey
        The survey the responses answer.
    platform : {"plain", "wenjuanxing", "qualtrics", "surveymonkey", "google_forms", "generic"}, optional
        Layout override (default: detected from the first lines).
    encoding : str, optional
        Text encoding override (default: BOM, strict UTF-8, UTF-16, then the best-scored legacy
        encoding, see :mod:`csi.io.encoding`).
    mapping : dict, optional
        Explicit ``{source column: field id}`` (wins over every automatic match).
    pii_key : bytes, optional
        A key from :func:`csi.io.pseudonym.pseudonym_key`: contact columns are kept as keyed
        HMAC-SHA256 pseudonyms in ``pii_hashes`` (never raw); otherwise they are dropped.
    pii_salt : str, optional
        The secret itself instead of ``pii_key`` (the key is derived from it).
    codes : dict, optional
        Per-import ``{field id: {option number: stored value}}`` (a mapping file's ``codes:``),
        winning over the survey's ``export_codes`` (see :mod:`csi.io.option_codes`).
    include_unfinished : bool, default=False
        Keep responses the platform marks unfinished (Qualtrics ``Finished`` = 0/False);
        by default they are excluded like previews and tests.
    keep_contact : bool, default=False
        Also return the raw values of the survey's contact fields in ``contacts`` (for
        :mod:`csi.vault`, which encrypts them; issue 18).
    date_order : {"dmy", "mdy", "ymd"}, optional
        Order of numeric dates such as ``03/04/2026`` when the column's values do not tell
        (default: the platform's documented order, see :mod:`csi.io.dates`).

    Returns
    -------
    ImportResult

    Raises
    ------
    ResponseImportError
        The file is unusable: not a table, undecodable, or no column matches the survey.
    """
    if date_order is not None and date_order not in DATE_ORDERS:
        raise ResponseImportError(f"date_order must be one of {', '.join(DATE_ORDERS)}; got {date_order!r}")
    data, name = _read_bytes(path_or_buffer, file_name)
    file_hash = hashlib.sha256(data).hexdigest()
    table = open_table(data, file_name=name, encoding=encoding, evidence=survey_strings(survey))
    kinds = field_kinds(survey)
    layout = detect_layout(table, set(kinds) | set(survey.pii_fields), platform)
    string_cols = {"respondent_id", "wave"} | {f for f, k in kinds.items() if is_string_kind(k)}
    body, bad_rows = table.body(layout.header_rows, layout.names, typed=layout.typed, string_columns=string_cols)
    layout.include_unfinished = include_unfinished
    body, drop = layout.prepare(body, survey)
    excluded = drop.notna()
    if pii_key is None and pii_salt is not None:
        pii_key = pseudonym_key(pii_salt)
    colmap, unmapped = map_columns(list(body.columns), survey, mapping=mapping, fields=list(kinds))
    pii_fields = set(survey.pii_fields)
    pii_cols = [c for c, f in colmap.items() if f in pii_fields] + contact_columns(unmapped)
    unmapped = [c for c in unmapped if c not in pii_cols and not c.startswith("__")]
    answer_cols = [c for c, f in colmap.items() if f in kinds]
    if not answer_cols:
        raise ResponseImportError(
            f"{name}: no column matches a field of survey {survey.id!r} "
            f"(wrong survey, or pass --mapping); columns: {', '.join(map(str, list(body.columns)[:8]))}")
    n = len(body)
    idx = body.index
    by_field = {f: c for c, f in colmap.items()}
    specs = field_specs(survey, kinds, extra_missing=layout.extra_missing)
    scrubbed = {"cells": 0, "phone": 0, "email": 0, "id": 0}
    cols, meta_reasons = meta_columns(body, by_field, layout, file_hash=file_hash, date_order=date_order)
    answers, answer_reasons, recodings = answer_columns(body, survey, kinds, specs, by_field, layout, codes=codes,
                                                        date_order=date_order, scrubbed=scrubbed)
    cols.update(answers)
    # copy=False: no consolidation of a million-row float block (3 ms instead of ~0.5 s)
    frame = pd.DataFrame({c: cols[c] for c in canonical_columns(survey)}, index=idx, copy=False)
    shown = show_if_masks(frame, survey)
    mark_nothing_ticked(frame, kinds, by_field, shown)
    cell_reasons = list(layout.cell_issues) + meta_reasons + answer_reasons
    iss, dups = row_issues(frame, survey, shown, excluded=excluded, drop=drop, cell_reasons=cell_reasons,
                           colmap=colmap, layout=layout)
    reject_mask = idx.isin(list(set(iss["row"].tolist())))
    rej, iss = quarantine(body, iss, reject_mask, pii_cols, bad_rows)
    valid = frame.loc[~reject_mask] if reject_mask.any() else frame
    valid.index = valid.index.rename("source_row")
    mtypes = missing_types_frame(frame, survey, kinds, {f: body[c] for f, c in by_field.items() if f in kinds},
                                 shown)
    mtypes = (mtypes.loc[~reject_mask] if reject_mask.any() else mtypes).rename_axis("source_row")
    kept = ~reject_mask
    dur = body.loc[kept, by_field["duration_s"]] if "duration_s" in by_field else None
    flagged = _quality_flags(valid, survey, dur, run=check_quality)
    pii_hashes = None
    if pii_key is not None and pii_cols:
        pii_hashes = pd.DataFrame({c: pseudonymize(body.loc[kept, c], pii_key) for c in pii_cols})
        pii_hashes.index = valid.index
    contacts = None
    if keep_contact:  # issue 18: raw values for the encrypted vault only
        contacts = _contact_values(body.loc[kept], colmap, pii_fields, valid.index)
    text_cols = {c for c, f in colmap.items() if kinds.get(f) == "text"} | set(unmapped)
    issues = [RowIssue(name, None if pd.isna(r) else int(r), None if c is None or (isinstance(c, float) and pd.isna(c)) else str(c),
                       _safe_value(v, c, pii_cols, text_cols), str(why))
              for r, c, v, why in iss.sort_values("row", kind="stable").itertuples(index=False)]
    return ImportResult(valid=valid, rejected=rej, issues=issues, flagged=flagged, platform=layout.name,
                        encoding=table.encoding, unmapped_columns=unmapped, rows_read=n + len(bad_rows),
                        duplicates=len(dups), file_hash=file_hash, file_name=name, pii_columns=pii_cols,
                        pii_hashes=pii_hashes, column_map=colmap, recodings=recodings,
                        excluded=int(excluded.sum()), scrubbed=scrubbed, missing_types=mtypes,
                        contacts=contacts)


def _quality_flags(valid: pd.DataFrame, survey: Survey, duration: pd.Series | None, *, run: bool = True,
                   ) -> pd.DataFrame:
    """Quality flags of the kept rows (``respondent_id, source_row, flag, detail``; rows stay);
    none when not ``run``."""
    if run:
        if duration is not None and duration.dtype.kind not in "fiu":
            # unparseable durations were rejected (duration_reasons); blanks stay NaN
            duration = pd.to_numeric(duration.astype("str").str.extract(r"(\d+(?:\.\d+)?)")[0], errors="coerce")
        fl = quality_flags(valid, survey, duration)
    else:
        fl = pd.DataFrame(columns=["row", "flag", "detail"])
    return pd.DataFrame({"respondent_id": valid["respondent_id"].reindex(fl["row"]).to_numpy(),
                         "source_row": fl["row"].to_numpy(), "flag": fl["flag"].to_numpy(),
                         "detail": fl["detail"].to_numpy()})


def _contact_values(body: pd.DataFrame, colmap: dict[str, str], pii_fields: set[str],
                    index: pd.Index) -> pd.DataFrame:
    """Raw contact values by survey contact field (stripped; blank -> None), for the vault only."""
    def text(v: object) -> str | None:
        return None if pd.isna(v) or str(v).strip() == "" else str(v).strip()
    return pd.DataFrame({f: body[c].map(text).to_numpy(dtype=object)
                         for c, f in colmap.items() if f in pii_fields}, index=index)


def _safe_value(v, column, pii_cols, text_cols=()) -> object:
    if column in pii_cols:
        return "(withheld)"
    if column in text_cols and isinstance(v, str):
        return scrub_text(v)[0]
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


def read_frame_bytes(frame: pd.DataFrame) -> bytes:
    """The plain CSV bytes of a canonical frame (UTF-8, ISO timestamps) -- for tests and export."""
    buf = io.StringIO()
    frame.to_csv(buf, index=False, date_format="%Y-%m-%dT%H:%M:%S")
    return buf.getvalue().encode("utf-8")


def validate_answers(survey: Survey, answers: dict, *, pii_salt: str | None = None,
                     pii_key: bytes | None = None, with_missing_types: bool = False):
    """Validate one respondent's answers (a form submission) exactly like an imported row.

    ``answers`` maps field ids (and ``respondent_id``/``submitted_at``/``wave``) to values;
    multiple-choice answers may be lists of codes. Returns the one-row canonical frame and the
    keyed pseudonyms of any contact fields (empty without ``pii_key``/``pii_salt``; raw values
    are never kept); with ``with_missing_types`` also the row's missingness types (as
    ``ImportResult.missing_types``: a field given as None or "" is ``not_shown`` when its
    ``show_if`` is false, ``dont_know`` for the don't-know code, else ``no_answer``).

    Raises
    ------
    ResponseImportError
        Unknown field ids, or any answer the import would reject (with the issues).
    """
    allowed = set(canonical_columns(survey)) | set(survey.pii_fields)
    unknown = sorted(k for k in answers if k not in allowed)
    if unknown:
        raise ResponseImportError(f"unknown field(s) {', '.join(unknown)} for survey {survey.id!r}")
    row = {k: (";".join(map(str, v)) if isinstance(v, list | tuple | set) else v) for k, v in answers.items()}
    cols = [c for c in canonical_columns(survey) + list(survey.pii_fields) if c in row]
    buf = io.StringIO()
    pd.DataFrame([{c: ("" if row[c] is None else row[c]) for c in cols}], columns=cols).to_csv(buf, index=False)
    kinds = field_kinds(survey)
    res = read_responses(buf.getvalue().encode("utf-8"), survey, platform="plain", file_name="<form>",
                         pii_salt=pii_salt, pii_key=pii_key, check_quality=False,
                         mapping={c: c for c in cols if c in kinds or c in survey.pii_fields or c in META_COLUMNS})
    if res.issues:
        raise ResponseImportError("; ".join(f"{i.column}: {i.expected} (got {i.value!r})" for i in res.issues),
                                  issues=res.issues)
    pii = {}
    if res.pii_hashes is not None:
        pii = {k: v for k, v in res.pii_hashes.iloc[0].to_dict().items() if v is not None}
    if with_missing_types:
        mt = pd.DataFrame(index=res.valid.index) if res.missing_types is None else res.missing_types
        return res.valid.reset_index(drop=True), pii, mt.reset_index(drop=True)
    return res.valid.reset_index(drop=True), pii
