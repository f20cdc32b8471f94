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
  first sub-column and the sub-labels in row 2; ``Response`` in row 2 for single columns.
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
from csi.io.mapping import META_ALIASES, normalize
from csi.io.tables import Table, unique_names

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
    #: sub-column groups joined into one multi-select answer: new name -> [(column, option label)]
    multi_groups: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    #: matrix sub-columns renamed to their sub-label (mapped by item text)
    renames: dict[str, str] = field(default_factory=dict)

    def prepare(self, body: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
        """Platform clean-up of the body: returns (frame, drop reason per row or None)."""
        drop = pd.Series(None, index=body.index, dtype=object)
        if self.renames:
            body = body.rename(columns=self.renames)
            body.columns = unique_names(list(body.columns))
        for new, parts in self.multi_groups.items():
            body = body.assign(**{new: _join_multi(body, parts)}).drop(columns=[c for c, _ in parts])
        if self.name == "qualtrics":
            drop = _qualtrics_test_rows(body, drop)
        return body, drop


def _join_multi(body: pd.DataFrame, parts: list[tuple[str, str]]) -> pd.Series:
    """Join multi-select sub-columns (1/0, or the option label when ticked) with ``┋``."""
    picked = []
    for col, label in parts:
        v = body[col].astype("str").fillna("").str.strip()
        ticked = ~v.isin(["", "0", "-2", "-3", "nan"])
        picked.append(np.where(ticked, label, ""))
    if not picked:
        return pd.Series("", index=body.index)
    arr = np.array(picked, dtype=object).T
    joined = ["┋".join(p for p in row if p) for row in arr]
    structural = body[parts[0][0]].astype("str").fillna("").str.strip().isin(["-2", "-3"])
    out = pd.Series(joined, index=body.index, dtype=object)
    return out.where(~structural, np.nan)


def _qualtrics_test_rows(body: pd.DataFrame, drop: pd.Series) -> pd.Series:
    drop = drop.copy()
    for col, bad in (("Status", {"survey preview", "survey test", "1", "2", "preview", "test",
                                 "spam", "8", "16", "imported", "4"}),
                     ("DistributionChannel", {"preview", "test"})):
        if col in body:
            v = body[col].astype("str").fillna("").str.strip().str.lower()
            mask = v.isin(bad) & drop.isna()
            drop[mask] = f"Qualtrics {col} = {{}}; preview/test responses are not imported"
            drop[mask] = [f"Qualtrics {col} = {x!r}: preview/test response, not imported" for x in body.loc[mask, col]]
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
    if "Respondent ID" in head and ("Collector ID" in head or "Start Date" in head):
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
    groups: dict[str, list[tuple[str, str]]] = {}
    renames: dict[str, str] = {}
    subs: dict[str, list[tuple[str, str]]] = {}
    for col in names:
        m = _WJX_SUB.match(col)
        if not m:
            continue
        num = m.group(1) or m.group(3)
        sub = (m.group(2) or m.group(5)).strip()
        subs.setdefault(num, []).append((col, sub))
    for num, parts in subs.items():
        # A multi-select's sub-labels are option labels; a matrix's are item texts. The caller
        # cannot tell yet, so keep both readings: matrix sub-columns are renamed to their
        # sub-label (mapped by item text); the rest are joined as a multi-select named by number.
        groups[f"__wjx_multi_{num}"] = parts
        for col, sub in parts:
            renames[col] = sub
    return Layout("wenjuanxing", 1, names, positional=True, multi_sep="┋", extra_missing=(-2, -3),
                  multi_groups=groups, renames=renames)


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
    return Layout("qualtrics", 3, unique_names(names), positional=True, multi_sep=",")


def _surveymonkey(pv: list[list[str]]) -> Layout:
    top, sub = pv[0], pv[1]
    names = []
    for i, t in enumerate(top):
        s = sub[i].strip() if i < len(sub) else ""
        t = t.strip()
        if s and s not in ("Response", "Open-Ended Response"):
            names.append(s)  # a matrix sub-column: its row label (item text)
        else:
            names.append(t)
    return Layout("surveymonkey", 2, unique_names(names))
