"""Option numbers of platform *code* exports -> the survey's stored values (issue 13, point 1).

Every choice-like field has a **presentation order**, the order the form shows its options:
a Likert item its scale points from ``min`` to ``max`` and then the "don't know" option; a
yes/no question and a binary 0/1 item *yes before no* (stored 1, 0); a choice question its
options as listed. Code exports (Wenjuanxing 按选项序号, Qualtrics and SurveyMonkey numeric
values) number the options 1, 2, ... in that order, so option k is the k-th value of the
presentation order (是 = 1, 否 = 2 -> stored 1, 0).

A column is read as stored values when every number in it is one (a 1-10 item exported as
1-10, a 0/1 item exported as 0/1), and as option numbers when every number is an option number
and some are not stored values (a yes/no column of 1s and 2s). In a Wenjuanxing or SurveyMonkey
file whose other columns show it is a code export (:mod:`csi.io.export_cells`), a column that
fits both readings is read as option numbers (a 0–10 question answered 1–9 only). A column that
fits neither keeps its numbers, so the cells outside the scale become row issues. A declared ``export_codes``
(item, question or scale in the YAML; or the mapping file's ``codes:`` block per import) is
applied as given, always. Every recoding that changes a value is stated in the import report,
per column (``cc1: platform codes 1/2 read as yes/no (1/0)``).
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from csi.survey import Survey

__all__ = ["presentation_order", "declared_codes", "recode_column", "choice_note", "recode_field", "YES_NO_LABELS"]

#: stored value -> report label for yes/no fields
YES_NO_LABELS = {1.0: "yes", 0.0: "no"}


def _num(v) -> float | None:
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, int | float | np.integer | np.floating):
        return None if np.isnan(v) else float(v)
    t = str(v).strip()
    if not t:
        return None
    try:
        return float(t)
    except ValueError:
        return None


def presentation_order(survey: Survey, fid: str, kind: str) -> list[float] | None:
    """Stored values of a numeric choice field in the order the form shows them, or None.

    >>> from csi.survey import load_survey
    >>> s = load_survey("surveys/ecommerce_csi.yaml")
    >>> presentation_order(s, "cc1", "item"), presentation_order(s, "complaint_resolved", "yes_no")
    ([1.0, 0.0], [1.0, 0.0])
    >>> presentation_order(s, "pq1", "item")[-3:]
    [9.0, 10.0, 99.0]
    """
    if kind == "yes_no":
        return [1.0, 0.0]
    if kind == "item":
        sc = survey.items[fid].scale
    elif kind == "rating":
        q = survey.question_map[fid]
        sc = survey.scales.get(q.scale) if q.scale else None
    else:
        return None
    if sc is None:
        return None
    pts = [float(p) for p in sc.points]
    if pts == [0.0, 1.0]:  # a binary yes/no item: yes before no
        pts = [1.0, 0.0]
    if sc.dont_know is not None:
        pts.append(float(sc.dont_know))
    return pts


def declared_codes(survey: Survey, fid: str, kind: str, mapping_codes: dict | None = None) -> dict | None:
    """The declared ``{option number: stored value}`` of a field, or None (presentation order).

    Precedence: the mapping file's ``codes:`` entry for ``fid``, the item's / question's
    ``export_codes``, the scale's ``export_codes``.
    """
    if mapping_codes and fid in mapping_codes:
        return {float(k): v for k, v in mapping_codes[fid].items()}
    if kind == "item":
        info = survey.items[fid]
        own = info.item.export_codes or info.scale.export_codes
    else:
        q = survey.question_map.get(fid)
        if q is None:
            return None
        own = q.export_codes
        if own is None and q.scale and q.scale in survey.scales:
            own = survey.scales[q.scale].export_codes
    return {float(k): v for k, v in own.items()} if own else None


def _fmt(values) -> str:
    vals = [int(v) if isinstance(v, float) and v.is_integer() else v for v in values]
    if len(vals) > 3 and all(isinstance(v, int) for v in vals) and vals == list(range(vals[0], vals[0] + len(vals))):
        return f"{vals[0]}–{vals[-1]}"
    return "/".join(str(v) for v in vals)


def recode_column(s: pd.Series, *, order: list[float] | None, declared: dict | None, allowed: np.ndarray,
                  missing: np.ndarray, source: str, labels: dict[float, str] | None = None,
                  numbered: bool = False) -> tuple[pd.Series, str | None]:
    """Read option numbers of a numeric choice column as stored values (see the module notes).

    ``numbered``: the file is known to hold option numbers (:mod:`csi.io.export_cells`), so a
    column whose numbers are all option numbers is read as such even when they are also stored
    values (a 0–10 question answered 1–9 only); a column that can only be stored values (a 0
    in a 0/1 item) is still read as stored values.

    Returns the column (numbers replaced, text cells such as labels kept for the label
    conversion) and the report line, or None when nothing was recoded.
    """
    if order is None and declared is None:
        return s, None
    codes = declared if declared is not None else {float(k): v for k, v in enumerate(order, start=1)}
    if isinstance(s.dtype, pd.CategoricalDtype):
        uniques = list(s.cat.categories)
    else:
        uniques = list(pd.unique(s.dropna())) if len(s) else []
    nums = {u: _num(u) for u in uniques}
    present = {v for v in nums.values() if v is not None and not np.isin(v, missing)}
    if not present:
        return s, None
    if declared is None:
        if present <= set(allowed.tolist()) and not (numbered and present <= set(codes)):
            return s, None  # the column holds stored values
        if not present <= set(codes):
            return s, None  # fits neither: the out-of-scale cells become row issues
    lookup = {u: codes[v] for u, v in nums.items() if v is not None and v in codes}
    changed = {k: codes[k] for k in sorted(present) if k in codes and codes[k] != k}
    if not lookup or (not changed and declared is None):
        return s, None
    if s.dtype.kind in "fiu":
        out = s.astype(np.float64).map(lambda v: codes.get(float(v), v) if not pd.isna(v) else v)
    else:
        obj = s.astype(object)
        out = obj.map(lambda v: lookup.get(v, v))
        if isinstance(s.dtype, pd.CategoricalDtype):
            out = out.astype(object)
    used = sorted(k for k in present if k in codes)
    if len(used) > 4:  # a long scale: name the codes that changed
        used = sorted(changed)
    shown = [labels.get(float(codes[k]), codes[k]) if labels else codes[k] for k in used]
    shown = [_fmt([v]) if isinstance(v, float) else v for v in shown]
    stored = [codes[k] for k in used]
    note = f"{source}: platform codes {_fmt(used)} read as {_fmt(shown)}"
    if labels and shown != stored:
        note += f" ({_fmt(stored)})"
    return out, note


def choice_note(raw: pd.Series, option_map: dict[str, str], positions: dict[str, str], source: str,
                sep: str | None, normalize) -> str | None:
    """The report line for a choice column read by option numbers, or None.

    ``option_map``: normalized code/label -> code; ``positions``: option number -> code.
    """
    if isinstance(raw.dtype, pd.CategoricalDtype):
        uniques = [str(u) for u in raw.cat.categories]
    else:
        uniques = [str(u) for u in pd.unique(raw.dropna())]
    used: set[str] = set()
    for u in uniques:
        parts = u.split(sep) if sep else [u]
        for p in parts:
            p = p.strip()
            if p.endswith(".0"):
                p = p[:-2]
            if p in positions and normalize(p) not in option_map:
                used.add(p)
    if not used:
        return None
    keys = sorted(used, key=int)
    return f"{source}: platform codes {'/'.join(keys)} read as {'/'.join(positions[k] for k in keys)}"


def recode_field(raw: pd.Series, survey: Survey, fid: str, kind: str, spec, *, layout, source: str,
                 codes: dict | None = None, numbered: bool = False):
    """One source column before conversion: ``(column, spec, report line or None)``.

    Numeric choice fields (Likert items, ratings, yes/no) get their option numbers read as
    stored values (:func:`recode_column`; ``numbered``: the file holds option numbers);
    choice questions with declared ``export_codes`` get a spec whose option numbers are those
    codes. Our own ``plain`` layout is read as stored values only.
    """
    if layout.name == "plain":
        return raw, spec, None
    declared = declared_codes(survey, fid, kind, codes)
    if kind in ("item", "rating", "yes_no") and spec.allowed is not None:
        order = presentation_order(survey, fid, kind)
        labels = dict(YES_NO_LABELS) if order and order[:2] == [1.0, 0.0] else {}
        sc = spec.scale
        if sc is not None and sc.dont_know is not None:
            labels[float(sc.dont_know)] = "don't know"
        out, note = recode_column(raw, order=order, declared=declared, allowed=spec.allowed,
                                  missing=spec.missing_codes, source=source, labels=labels, numbered=numbered)
        return out, spec, note
    if kind in ("single_choice", "multiple_choice"):
        from csi.io.mapping import normalize

        positional = layout.positional
        if declared is not None:
            spec = copy.copy(spec)
            spec.positions = {_code_text(k): str(v) for k, v in declared.items()}
            spec.option_map = {k: v for k, v in spec.option_map.items() if k not in spec.positions}
            positional = True
        if not positional:
            return raw, spec, None
        sep = layout.multi_sep if kind == "multiple_choice" else None
        return raw, spec, choice_note(raw, spec.option_map, spec.positions, source, sep, normalize)
    return raw, spec, None


def _code_text(k: float) -> str:
    return str(int(k)) if float(k).is_integer() else str(k)
