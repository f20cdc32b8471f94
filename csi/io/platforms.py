"""Survey-platform layouts: detection from the first lines, header rows, column names, test rows.

Supported layouts (``--platform`` names):

- ``plain``: one header row of field ids (what ``csi simulate`` writes); read typed and fast.
- ``wenjuanxing`` (问卷星): label or code export; metadata columns 序号, 提交答卷时间, 所用时间, 来源,
  来源详情, 来自IP; questions ``N、题目``; matrix/multi-select sub-columns ``第N题(子项)`` or
  ``N、题目—子项`` (multi-select sub-columns hold 1/0 (code export) or the label/empty (label
  export) and are joined into one answer); multi-select in one column joined with ``┋``;
  codes -2 (skipped) / -3 (not shown) are structural missing; options may be numbered 1..k.
- ``qualtrics``: three header rows (export tags, question text, ``{"ImportId": ...}``); preview
  and test responses (``Status``/``DistributionChannel`` = preview/test) are rejected with
  that reason (kept in the quarantine, counted).
- ``surveymonkey``: two header rows; a matrix's question text appears once in row 1 above its
  first sub-column and the sub-labels in row 2; ``Response`` / ``Open-Ended Response`` in row 2
  for single columns; cells as answer text or as numerical values (option numbers 1..k in
  presentation order, a ticked multi-select option its own number).
- ``google_forms``: ``Timestamp`` first; grid columns ``Title [Row]``; locale timestamps.
- ``generic``: one header row of texts (question text, ids or a mapping file).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from csi.errors import ResponseImportError
from csi.io.mapping import META_ALIASES, field_texts, normalize
from csi.io.tables import Table, unique_names
from csi.survey import Survey

__all__ = ["PLATFORMS", "Layout", "detect_layout"]

PLATFORMS = ("plain", "wenjuanxing", "qualtrics", "surveymonkey", "google_forms", "generic")

_WJX_META = ("序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP")
_WJX_SUB = re.compile(r"^(?:第\s*(\d+)\s*题\s*[(（](.+)[)）]|(\d+)\s*[、.]\s*(.+?)\s*[—–-]{1,2}\s*(.+))$")
_GRID = re.compile(r"^(.+?)\s*\[(.+)\]\s*$")


@dataclass
class Layout:
    """How to read one platform's export: header rows, column names, conversion options."""

    name: str
    header_rows: int
    names: list[str]
    typed: bool = False
    positional: bool = False
    multi_sep: str | None = None
    extra_missing: tuple = ()
    #: sub-column groups (matrix rows or multi-select options): [(question text | None, [(column, sub-label)])]
    groups: list[tuple[str | None, list[tuple[str, str]]]] = field(default_factory=list)
    #: time zone of naive timestamps in the export (converted to UTC); None = already UTC
    source_tz: str | None = None
    #: documented order of numeric dates (``mdy``, ``dmy``, ``ymd``) when a column does not tell
    date_order: str | None = None
    #: single columns renamed before mapping (e.g. Google Forms grid ``Title [Row]`` -> ``Row``)
    renames: dict[str, str] = field(default_factory=dict)
    #: keep responses the platform marks unfinished (Qualtrics ``Finished`` = False/0)
    include_unfinished: bool = False
    #: cell problems found while preparing the body: [(source column, reasons, raw)]
    cell_issues: list = field(default_factory=list)
    #: column name used here -> the header as written in the file (issues name the latter)
    written: dict[str, str] = field(default_factory=dict)

    def prepare(self, body: pd.DataFrame, survey: Survey) -> tuple[pd.DataFrame, pd.Series]:
        """Platform clean-up of the body: returns (frame, drop reason per row or None).

        Sub-column groups become either matrix items (every sub-label is an item's text or
        short label: the column is renamed to it) or one multi-select answer (the sub-labels are
        options of a multiple-choice question, found by the group's question text or by the
        option labels: the ticked options are joined with ``┋`` into a column named by the
        question id). Anything else keeps its sub-label and is reported as unmapped if unknown.
        """
        drop = pd.Series(None, index=body.index, dtype=object)
        renames = dict(self.renames)
        texts = field_texts(survey)
        multi = {q.id: q for q in survey.questions if q.type == "multiple_choice"}
        joined: dict[str, pd.Series] = {}
        used: list[str] = []
        for qtext, parts in self.groups:
            if all(normalize(sub) in texts for _, sub in parts):
                renames.update({c: sub for c, sub in parts})
                continue
            target = texts.get(normalize(qtext)) if qtext else None
            unlabelled = all(sub == "" for _, sub in parts)
            if target not in multi and not unlabelled:
                target = _multi_by_options(multi, [sub for _, sub in parts])
            if target not in multi and unlabelled:
                # not a multi-select: the first column is the answer, the others (an "Other"
                # text box) stay columns of their own, listed as unmapped
                renames.update({c: (qtext if k == 0 else f"{qtext} (column {k + 1})")
                                for k, (c, _) in enumerate(parts)})
                continue
            if target is None:
                renames.update({c: sub for c, sub in parts})
                continue
            # a sub-column that is no option of the question (SurveyMonkey's "Other (please
            # specify)" text box) stays a column of its own (listed as unmapped), never a tick
            known = [(c, sub) for c, sub in parts if sub == "" or _option_position(multi[target], sub) is not None]
            renames.update({c: sub for c, sub in parts if (c, sub) not in known})
            parts = known
            joined[target], issues = _join_multi(body, parts, multi[target])
            self.cell_issues.extend(issues)
            used += [c for c, _ in parts]
        body = body.drop(columns=used).rename(columns=renames)
        before = list(body.columns)
        body.columns = unique_names(before)
        inverse = {new: old for old, new in renames.items()}
        for name, raw in zip(body.columns, before, strict=True):
            src = inverse.get(raw)
            if src is not None:
                self.written.setdefault(name, self.written.get(src, src))
        if joined:
            self.multi_sep = "┋"
            body = pd.concat([body, pd.DataFrame(joined, index=body.index)], axis=1)
        if self.name == "qualtrics":
            drop = _qualtrics_test_rows(body, drop, self.include_unfinished)
        return body, drop


def _multi_by_options(multi: dict, subs: list[str]) -> str | None:
    for qid, q in multi.items():
        labels = set()
        for o in q.options:
            labels.add(normalize(o.code))
            labels.update(normalize(t) for t in (o.label.values() if isinstance(o.label, dict) else [o.label]))
        hits = sum(normalize(s) in labels for s in subs)
        if subs and hits >= max(1, len(subs) - 1):  # allow one "Other" column
            return qid
    return None


_UNTICKED = {"", "0", "nan", "0.0"}
_STRUCTURAL = {"-2", "-3", "(跳过)", "-2.0", "-3.0"}


def _option_position(question, label: str) -> str | None:
    for pos, o in enumerate(question.options, start=1):
        texts = list(o.label.values()) if isinstance(o.label, dict) else [o.label]
        if normalize(label) in {normalize(t) for t in texts} | {normalize(o.code)}:
            return str(pos)
    return None


def _join_multi(body: pd.DataFrame, parts: list[tuple[str, str]], question) -> tuple[pd.Series, list]:
    """Join multi-select sub-columns with ``┋``; return the answers and the cell problems.

    A sub-column cell is ticked when it holds 1 (code export), the option's own number
    (SurveyMonkey numeric) or the option's label (label export); 0 or empty is not ticked;
    -2/-3 (``(跳过)``) are the declared missing codes. Anything else (``x``, ``-``, ``2`` for
    the first option) is a row issue naming the sub-column and the value -- never read as
    ticked. All sub-columns missing means not shown/skipped: NaN.
    """
    picked = []
    missing = None
    issues = []
    for col, label in parts:
        v = body[col].astype("str").fillna("").str.strip()
        v = v.where(v.str.lower() != "nan", "")
        if label == "":  # an unlabelled sub-column: its cells name the chosen option
            out, structural, bad = _option_cells(v, question)
            missing = structural if missing is None else (missing & structural)
            if bad.any():
                why = pd.Series(None, index=body.index, dtype=object)
                why[bad] = "multi-select column: expected an option label, code or number, or empty"
                issues.append((col, why, body[col]))
            picked.append(out.to_numpy(dtype=object))
            continue
        pos = _option_position(question, label)
        ticks = {"1", "1.0", label} | ({pos} if pos else set())
        structural = v.isin(_STRUCTURAL)
        missing = structural if missing is None else (missing & structural)
        ticked = v.isin(ticks) | (v.map(normalize) == normalize(label))
        bad = ~(ticked | structural | v.isin(_UNTICKED))
        if bad.any():
            why = pd.Series(None, index=body.index, dtype=object)
            why[bad] = (f"multi-select sub-column: expected 1 (ticked), 0 or empty (not ticked), "
                        f"{label!r} or -2/-3 (skipped/not shown)")
            issues.append((col, why, body[col]))
        picked.append(np.where(ticked, label, ""))
    arr = np.array(picked, dtype=object).T
    joined = ["┋".join(p for p in row if p) for row in arr]
    out = pd.Series(joined, index=body.index, dtype=object)
    return (out.where(~missing, np.nan) if missing is not None else out), issues


def _option_cells(v: pd.Series, question) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Cells that each name one chosen option: ``(option label or "", structural, bad)``."""
    labels = {}
    for pos, o in enumerate(question.options, start=1):
        lab = next(iter(o.label.values())) if isinstance(o.label, dict) else o.label
        keys = {normalize(o.code), str(pos)} | {normalize(t) for t in (o.label.values() if isinstance(o.label, dict)
                                                                        else [o.label])}
        labels.update({k: lab for k in keys})
    out = v.map(lambda t: labels.get(normalize(t), labels.get(t.removesuffix(".0"), "")) if t else "")
    structural = v.isin(_STRUCTURAL)
    bad = (out == "") & ~structural & ~v.isin(_UNTICKED)
    return out, structural, bad


# Qualtrics "Response Type" (``Status``): 0 IP Address, 1 Survey Preview, 2 Survey Test,
# 4 Imported, 8 Spam, 9 Preview Spam, 12 Imported Spam, 16 Offline, 17 Offline Preview.
_QUALTRICS_TEST = {"Status": {"survey preview", "survey test", "spam", "preview spam", "imported spam",
                              "offline survey preview", "1", "2", "8", "9", "12", "17"},
                   "DistributionChannel": {"preview", "test"}}
_UNFINISHED = {"false", "0", "0.0"}


def _qualtrics_test_rows(body: pd.DataFrame, drop: pd.Series, include_unfinished: bool = False) -> pd.Series:
    """Preview/test/spam responses (``Status``/``DistributionChannel``) and, unless
    ``include_unfinished``, unfinished ones (``Finished`` = False/0) get an exclusion reason."""
    drop = drop.copy()
    for col, bad in _QUALTRICS_TEST.items():
        if col in body:
            raw = body[col].astype("str").fillna("").str.strip()
            mask = raw.str.lower().isin(bad) & drop.isna()
            drop[mask] = [f"Qualtrics {col} = {x!r}: preview/test response, not imported" for x in raw[mask]]
    if not include_unfinished and "Finished" in body:
        raw = body["Finished"].astype("str").fillna("").str.strip()
        mask = raw.str.lower().isin(_UNFINISHED) & drop.isna()
        drop[mask] = (f"Qualtrics Finished = {raw[mask].iloc[0]!r}: unfinished response, not imported "
                      "(include_unfinished / --include-unfinished keeps it)") if mask.any() else None
    return drop


def _is_plain(header: list[str], fields: set[str]) -> bool:
    meta = {"respondent_id", "submitted_at", "wave"}
    cells = [h.strip() for h in header if h.strip()]
    hits = sum(1 for h in cells if h in fields or h in meta)
    return bool(cells) and hits >= max(1, len(cells) // 2)


def _detect(preview: list[list[str]], fields: set[str]) -> str:
    head = [c.strip() for c in preview[0]]
    if "序号" in head and ("提交答卷时间" in head or "所用时间" in head):
        return "wenjuanxing"
    if len(preview) >= 3 and any(c.strip().startswith('{"ImportId"') for c in preview[2]):
        return "qualtrics"
    if ("Respondent ID" in head and ("Collector ID" in head or "Start Date" in head)) or \
            ("RespondentID" in head and ("CollectorID" in head or "StartDate" in head)):  # older exports
        return "surveymonkey"
    if head and normalize(head[0]) in ("timestamp", "时间戳记", "时间戳"):
        return "google_forms"
    if _is_plain(head, fields):
        return "plain"
    return "generic"


def detect_layout(table: Table, fields: set[str], platform: str | None = None) -> Layout:
    """The :class:`Layout` of ``table``: ``platform`` if given, else detected from its first lines."""
    if platform is not None and platform not in PLATFORMS:
        raise ResponseImportError(f"unknown platform {platform!r}; expected one of {', '.join(PLATFORMS)}")
    name = platform or _detect(table.preview, fields)
    pv = table.preview
    if name == "plain":
        return Layout("plain", 1, unique_names(pv[0]), typed=True, multi_sep=";")
    if name == "generic":
        return Layout("generic", 1, unique_names(pv[0]))
    if name == "google_forms":
        return _google(pv[0])
    if name == "wenjuanxing":
        return _wenjuanxing(pv[0])
    if name == "qualtrics":
        if len(pv) < 3:
            raise ResponseImportError("a Qualtrics export needs three header rows")
        return _qualtrics(pv)
    if len(pv) < 2:
        raise ResponseImportError("a SurveyMonkey export needs two header rows")
    return _surveymonkey(pv)


def _wenjuanxing(header: list[str]) -> Layout:
    names = unique_names(header)
    groups: dict[str, tuple[str | None, list[tuple[str, str]]]] = {}
    for col in names:
        m = _WJX_SUB.match(col)
        if not m:
            continue
        num = m.group(1) or m.group(3)
        qtext = m.group(4).strip() if m.group(4) else None
        sub = (m.group(2) or m.group(5)).strip()
        groups.setdefault(num, (qtext, []))[1].append((col, sub))
    # Wenjuanxing prints submission times in Beijing time (UTC+8).
    return Layout("wenjuanxing", 1, names, positional=True, multi_sep="┋", extra_missing=(-2, -3),
                  groups=list(groups.values()), source_tz="Asia/Shanghai")


def _grouped(top: list[str], sub: list[str], single: tuple[str, ...]) -> tuple[list[str], list]:
    """Names and sub-column groups from a question row over a sub-label row (SurveyMonkey)."""
    names: list[str] = []
    groups: list[tuple[str | None, list[tuple[str, str]]]] = []
    current: str | None = None
    for i, t in enumerate(top):
        t = t.strip()
        s = sub[i].strip() if i < len(sub) else ""
        if t:
            current = t
        if s and s.lower() not in single:
            names.append(f"{current} :: {s}")
            if t or not groups or groups[-1][0] != current:
                groups.append((current, []))
            groups[-1][1].append((names[-1], s))
        elif not t and not s and current is not None and i > 0:
            # a further column of the question with no sub-label (SurveyMonkey "Condensed"
            # columns): the cells hold the chosen options' texts; grouped with the column before
            in_group = bool(groups) and groups[-1][0] == current and groups[-1][1] and \
                groups[-1][1][-1][0] == names[-1]
            if not in_group:  # the column before was the question's only column so far
                names[-1] = f"{current} :: #1"
                groups.append((current, [(names[-1], "")]))
            names.append(f"{current} :: #{len(groups[-1][1]) + 1}")
            groups[-1][1].append((names[-1], ""))
        else:
            names.append(t or (current or ""))
    return names, groups


def _google(header: list[str]) -> Layout:
    names = unique_names(header)
    renames = {}
    for col in names:
        m = _GRID.match(col)
        if m:
            renames[col] = m.group(2).strip()
    return Layout("google_forms", 1, names, multi_sep=", ", renames=renames)


def _qualtrics(pv: list[list[str]]) -> Layout:
    tags, texts, imports = pv[0], pv[1], pv[2]
    names = []
    tz = None
    for cell in imports:
        try:
            tz = tz or json.loads(cell).get("timeZone")
        except (ValueError, AttributeError):
            continue
    for i, tag in enumerate(tags):
        text = texts[i] if i < len(texts) else ""
        try:
            import_id = json.loads(imports[i]).get("ImportId", "") if i < len(imports) else ""
        except (ValueError, AttributeError):
            import_id = ""
        meta = normalize(tag)
        if meta in {a for al in META_ALIASES.values() for a in al} or tag in ("Status", "DistributionChannel"):
            names.append(tag)
            continue
        # Matrix texts are "Question - Sub-label": the sub-label is the item text.
        sub = text.rsplit(" - ", 1)[-1] if " - " in text else text
        names.append(sub or tag or import_id)
    names = unique_names(names)
    written = {n: t for n, t in zip(names, tags, strict=False) if t and t != n}
    return Layout("qualtrics", 3, names, positional=True, multi_sep=",",
                  source_tz=tz if tz and tz.upper() != "UTC" else None, written=written)


#: SurveyMonkey's row-2 label of a question's only column (case varies between export versions:
#: "Open-Ended Response" and "Open-ended response" are both seen in published readers)
_SM_SINGLE = ("response", "open-ended response")


_TAG = re.compile(r"<[^>]+>")


def _surveymonkey(pv: list[list[str]]) -> Layout:
    """SurveyMonkey "All individual responses", columns Expanded, cells as answer text or as
    "Numerical Value" (``positional``: option k is the k-th answer choice as the form shows it).

    Older exports head the metadata ``RespondentID, CollectorID, StartDate, EndDate, ...,
    LastName, Custom Data`` and may carry the question's HTML formatting in the header rows
    (``<strong>Overall ...</strong>``): tags are dropped from the headers, the text kept.
    """
    top, sub = ([_TAG.sub("", c).strip() for c in row] for row in (pv[0], pv[1]))
    names, groups = _grouped(top, sub, _SM_SINGLE)
    names = unique_names(names)
    return Layout("surveymonkey", 2, names, positional=True, groups=groups, date_order="mdy")
