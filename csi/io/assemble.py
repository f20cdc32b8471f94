"""From a table body with its columns mapped to the canonical frame, its issues and its quarantine.

The steps of :func:`csi.io.responses.read_responses` after the column mapping, in order:
:func:`meta_columns` (respondent id, submission time, wave), :func:`answer_columns` (every
survey field converted, with each cell's reason when it cannot be), :func:`mark_nothing_ticked`,
:func:`row_issues` (cell, duplicate, show-if and required-answer problems, one per cell) and
:func:`quarantine` (the rejected rows as raw text without contact columns). Row labels are the
file's own row numbers throughout.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from csi.io.canonical import is_string_kind, quarter_labels
from csi.io.convert import convert_column
from csi.io.dates import date_answers, parse_timestamps
from csi.io.export_cells import NUMBERED_PLATFORMS, cells_are_option_numbers
from csi.io.import_checks import duration_reasons, scrub_frame, scrub_text_column, timezone_reasons
from csi.io.option_codes import presentation_order, recode_field
from csi.io.scrub import scrub_text
from csi.validate.rows import (
    duplicate_ids,
    issues_frame,
    required_missing,
    show_if_violations,
)

__all__ = ["meta_columns", "answer_columns", "mark_nothing_ticked", "row_issues", "quarantine"]

#: a cell problem: (source column, reason per row -- NaN where fine, the raw cells)
CellReasons = list[tuple[str, pd.Series, pd.Series]]


def to_datetime(s: pd.Series, tz: str | None = None, order: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Parse timestamps (typed, ISO 8601 or locale formats) to naive UTC; report unparseable.

    Naive timestamps are taken as UTC, or as local time in ``tz`` (e.g. Wenjuanxing's Beijing
    time) and converted; timestamps with an offset are converted to UTC. Day-first vs
    month-first is decided per column (:mod:`csi.io.dates`; ``order`` = the platform's order).
    """
    if tz is not None:
        ts, reason = to_datetime(s, order=order)
        try:
            local = ts.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
        except Exception:  # noqa: BLE001 - unknown zone name: a row issue (timezone_reasons)
            return ts, reason
        return local.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[ns]"), reason
    reason = None
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        return s.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[ns]"), reason
    if s.dtype.kind == "M":
        return s.astype("datetime64[ns]"), reason
    out, reason = parse_timestamps(s, hint=order)
    return out.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[ns]"), reason


def _respondent_ids(body: pd.DataFrame, by_field: dict[str, str], file_hash: str) -> pd.Series:
    """The file's respondent ids as text; blanks (or no id column) get ``<file hash>-<row>``."""
    idx = body.index
    if "respondent_id" in by_field:
        rid = body[by_field["respondent_id"]]
        rid = rid.astype("str").str.strip() if rid.dtype.kind not in "fiu" else rid.map(
            lambda v: "" if pd.isna(v) else (str(int(v)) if float(v).is_integer() else str(v))).astype("str")
        blank = rid == ""
        if blank.any():
            rid = rid.where(~blank, None)
    else:
        rid = pd.Series(None, index=idx, dtype="str")
    generated = pd.Series([f"{file_hash[:12]}-{r}" for r in idx], index=idx, dtype="str") if rid.isna().any() else None
    return rid.fillna(generated) if generated is not None else rid.astype("str")


def meta_columns(body: pd.DataFrame, by_field: dict[str, str], layout, *, file_hash: str,
                 date_order: str | None) -> tuple[dict[str, pd.Series], CellReasons]:
    """``respondent_id``, ``submitted_at`` (naive UTC) and ``wave`` (given, else the submission
    quarter), and the cell problems of the duration and submission-time columns."""
    reasons: CellReasons = []
    if "duration_s" in by_field:
        why = duration_reasons(body[by_field["duration_s"]])
        if why is not None:
            reasons.append((by_field["duration_s"], why, body[by_field["duration_s"]]))
    cols = {"respondent_id": _respondent_ids(body, by_field, file_hash)}
    if "submitted_at" in by_field:
        src = by_field["submitted_at"]
        ts, why = to_datetime(body[src], layout.source_tz, date_order or layout.date_order)
        why = timezone_reasons(body[src], layout.source_tz, why)
        if why is not None:
            reasons.append((src, why, body[src]))
    else:
        ts = pd.Series(pd.NaT, index=body.index, dtype="datetime64[ns]")
    cols["submitted_at"] = ts
    if "wave" in by_field:
        w = body[by_field["wave"]].astype("str").str.strip()
        w = w.where(w.fillna("") != "", None)
        cols["wave"] = w.fillna(quarter_labels(ts)) if w.isna().any() else w
    else:
        cols["wave"] = quarter_labels(ts)
    return cols, reasons


def answer_columns(body: pd.DataFrame, survey, kinds: dict[str, str], specs: dict, by_field: dict[str, str],
                   layout, *, codes: dict | None, date_order: str | None, scrubbed: dict[str, int],
                   ) -> tuple[dict[str, pd.Series], CellReasons, list[str]]:
    """Every survey field as its stored values (NaN for a field the file lacks), the cells
    that could not be converted, and one note per column whose option numbers were recoded.
    Contact data in free text is replaced in place (counted in ``scrubbed``)."""
    idx, n = body.index, len(body)
    cols: dict[str, pd.Series] = {}
    reasons: CellReasons = []
    recodings: list[str] = []
    # Wenjuanxing 按选项序号 / SurveyMonkey numerical values: option numbers, decided per file
    numbered = layout.name in NUMBERED_PLATFORMS and cells_are_option_numbers(
        body, by_field, kinds, specs, {f: presentation_order(survey, f, k) for f, k in kinds.items()}) is True
    for fid, kind in kinds.items():
        src = by_field.get(fid)
        if src is None:
            cols[fid] = pd.Series(np.nan, index=idx, dtype="str") if is_string_kind(kind) else \
                pd.Series(np.full(n, np.nan), index=idx, copy=False)
            continue
        raw_col, spec, note = recode_field(body[src], survey, fid, kind, specs[fid], layout=layout, source=src,
                                           codes=codes, numbered=numbered)
        if note:
            recodings.append(note)
        vals, why = convert_column(raw_col, spec, positional=layout.positional or spec is not specs[fid],
                                   multi_sep=layout.multi_sep)
        if kind == "text":
            vals = scrub_text_column(vals, scrubbed)
        elif kind == "date":  # ISO dates, day/month order per column (issue 13, point 7)
            vals, dwhy = date_answers(vals, hint=date_order or layout.date_order)
            why = dwhy if why is None else (why if dwhy is None else why.fillna(dwhy))
        cols[fid] = vals
        if why is not None:
            reasons.append((src, why, body[src]))
    return cols, reasons, recodings


def mark_nothing_ticked(frame: pd.DataFrame, kinds: dict[str, str], by_field: dict[str, str],
                        shown: dict[str, pd.Series]) -> None:
    """Multiple choice: an empty cell where the question was shown means "nothing ticked" ("")."""
    for fid, kind in kinds.items():
        if kind == "multiple_choice" and fid in by_field:
            m = frame[fid].isna() & shown.get(fid, pd.Series(True, index=frame.index))
            if m.any():
                frame.loc[m, fid] = ""


def row_issues(frame: pd.DataFrame, survey, shown: dict[str, pd.Series], *, excluded: pd.Series,
               drop: pd.Series, cell_reasons: CellReasons, colmap: dict[str, str], layout,
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every problem (``row, column, value, reason``; the column as the file writes it), one per
    cell, and the duplicate-id issues among them. Rows excluded as previews, tests or unfinished
    take part in no check (issue 13, point 2); their exclusion is their issue."""
    checked = frame.loc[~excluded] if excluded.any() else frame
    shown_c = {k: v.loc[~excluded] for k, v in shown.items()} if excluded.any() else shown
    keep = (~excluded).to_numpy()
    parts = [issues_frame(why.index[ok], src, raw[ok].tolist(), why[ok])
             for src, why, raw in cell_reasons for ok in [(why.notna().to_numpy() & keep)]]
    by_field = {f: c for c, f in colmap.items()}
    dups = duplicate_ids(checked) if checked["respondent_id"].duplicated().any() else issues_frame()
    if len(dups):
        dups = dups.assign(column=by_field.get("respondent_id", "respondent_id"))
    parts += [dups, show_if_violations(checked, survey, shown_c), required_missing(checked, survey, shown_c)]
    if drop.notna().any():
        parts.append(issues_frame(drop.index[drop.notna()], None, [None] * int(drop.notna().sum()), drop[drop.notna()]))
    parts = [p for p in parts if len(p)]
    iss = pd.concat(parts, ignore_index=True) if parts else issues_frame()
    iss["column"] = [layout.written.get(by_field.get(c, c), by_field.get(c, c)) for c in iss["column"]]
    # one problem per cell: a value that failed conversion is not also "required answer missing"
    iss = iss.loc[~iss.duplicated(["row", "column"], keep="first") | iss["column"].isna()]
    return iss, dups


def _raw_text(body: pd.DataFrame, drop_cols: list[str]) -> pd.DataFrame:
    keep = body.drop(columns=[c for c in drop_cols if c in body])
    return keep.astype("str").fillna("")


def quarantine(body: pd.DataFrame, iss: pd.DataFrame, reject_mask: np.ndarray, pii_cols: list[str],
               bad_rows) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rejected rows (raw text, no contact column: ``source_row``, ``reason``, then the
    file's columns) and the issues with the unreadable lines' issues added."""
    if reject_mask.any():
        raw = scrub_frame(_raw_text(body.loc[reject_mask], pii_cols))  # the quarantine keeps no contact datum
        reasons = iss.groupby("row", sort=False)["reason"].agg(lambda r: "; ".join(dict.fromkeys(r)))
        rej = raw.assign(source_row=raw.index, reason=reasons.reindex(raw.index).to_numpy())
    else:
        rej = pd.DataFrame({"source_row": pd.Series([], dtype=int), "reason": pd.Series([], dtype="str")})
    if bad_rows:
        withheld = "(withheld: the file has contact columns)" if pii_cols else None
        extra = pd.DataFrame({"source_row": [b.row for b in bad_rows],
                              "reason": [b.reason for b in bad_rows],
                              "raw_line": [withheld or scrub_text(b.raw)[0] for b in bad_rows]})
        rej = pd.concat([rej, extra], ignore_index=True)
        iss = pd.concat([iss, issues_frame([b.row for b in bad_rows], None, [None] * len(bad_rows),
                                           [b.reason for b in bad_rows])], ignore_index=True)
    rej = rej[["source_row", "reason"] + [c for c in rej.columns if c not in ("source_row", "reason")]]
    return rej.reset_index(drop=True), iss
