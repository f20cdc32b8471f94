"""Mapping source columns to survey fields, and answer labels to codes.

Columns are matched, in this order: an explicit mapping (``{source column: field id}``, e.g.
from a YAML file; a key ``"#N"`` names the platform's question number N, so ``"#5": pq1`` maps
the column headed ``5、...`` / ``Q5 ...``), the field id itself (case-insensitive), the question/item text or short label
in any of the survey's languages (normalized: Unicode NFKC, case, whitespace and punctuation
ignored, a leading platform question number such as ``3、`` or ``Q3.`` removed), and known
metadata headers (``序号``, ``ResponseId``, ``Timestamp``, ...). Columns that match nothing are
listed as unmapped -- never guessed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

from csi.errors import ResponseImportError
from csi.survey import Survey

__all__ = ["normalize", "strip_number", "META_ALIASES", "field_texts", "map_columns",
           "load_mapping", "load_mapping_file", "label_codes"]

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_QNUM = re.compile(r"^\s*(?:第\s*\d+\s*题|q?\d+(?:\.\d+)*)\s*[、.:：)）]?\s*", re.IGNORECASE)

#: Metadata column -> normalized header aliases used by the platforms.
META_ALIASES: dict[str, tuple[str, ...]] = {
    "respondent_id": ("respondentid", "序号", "responseid", "respondent", "id", "答卷编号", "编号"),
    "submitted_at": ("submittedat", "提交答卷时间", "提交时间", "enddate", "recordeddate", "timestamp",
                     "时间戳记", "datemodified", "enddatetime"),
    "wave": ("wave", "期次", "波次"),
    "duration_s": ("durations", "duration", "durationinseconds", "所用时间", "用时"),
}


def normalize(text: object) -> str:
    """Comparable form of a header or label: NFKC, lower case, no spaces or punctuation.

    >>> normalize(" Overall, how satisfied are you?  ")
    'overallhowsatisfiedareyou'
    >>> normalize("非常 满意！")
    '非常满意'
    """
    return _PUNCT.sub("", unicodedata.normalize("NFKC", str(text)).lower())


def strip_number(header: str) -> tuple[str, int | None]:
    """Split a platform question number off a header: ``"3、商品质量"`` -> ``("商品质量", 3)``.

    >>> strip_number("12、您的地区")
    ('您的地区', 12)
    >>> strip_number("Q3. Quality")
    ('Quality', 3)
    >>> strip_number("pq1")
    ('pq1', None)
    """
    m = _QNUM.match(header)
    if not m or m.end() == 0 or m.end() == len(header):
        return header, None
    num = re.search(r"\d+", m.group(0))
    return header[m.end():], int(num.group(0)) if num else None


@functools.lru_cache(maxsize=32)
def field_texts(survey: Survey) -> dict[str, str]:
    """Normalized text/short label (every language) -> field id, for items and questions."""
    out: dict[str, str] = {}

    def add(text: object, fid: str) -> None:
        if text is None:
            return
        values = text.values() if isinstance(text, dict) else [text]
        for v in values:
            key = normalize(v)
            if key:
                out.setdefault(key, fid)

    for iid, info in survey.items.items():
        add(info.item.text, iid)
        add(info.item.short, iid)
        if info.item.labels:  # issue 20: a header "text (1 = anchor, 10 = anchor)" is the item too
            add(_with_anchors(survey, info.item), iid)
    for q in survey.questions:
        add(q.text, q.id)
        add(q.short, q.id)
    return out


@functools.lru_cache(maxsize=32)
def survey_strings(survey: Survey) -> tuple[str, ...]:
    """Every display text of the survey as written (item, question, option and scale labels,
    all languages): the evidence :func:`csi.io.encoding.detect_encoding` looks for in a file."""
    out: list[str] = []

    def add(text: object) -> None:
        if text is not None:
            out.extend(str(v) for v in (text.values() if isinstance(text, dict) else [text]))

    for info in survey.items.values():
        add(info.item.text)
        add(info.item.short)
        for lab in info.item.labels.values():
            add(lab)
    for q in survey.questions:
        add(q.text)
        add(q.short)
        for o in q.options or ():
            add(o.label)
    for sc in survey.scales.values():
        for lab in sc.labels.values():
            add(lab)
        add(sc.dont_know_label)
    return tuple(dict.fromkeys(t for t in out if t))


def _with_anchors(survey: Survey, item) -> dict[str, str]:
    """The item's text followed by its own anchors, per language, as forms print them
    ("... perform? (1 = falls short, 10 = exceeds)"); compared after :func:`normalize`."""
    out = {}
    langs = survey.languages
    for lang in langs:
        anchors = " ".join(f"{int(p) if float(p).is_integer() else p} = {survey.t(t, lang)}"
                           for p, t in sorted(item.labels.items()))
        out[lang] = f"{survey.t(item.text, lang)} ({anchors})"
    return out


def load_mapping(path: str | Path) -> dict[str, str]:
    """Read a YAML mapping file ``{source column: field id}`` (its ``codes:`` block ignored)."""
    return load_mapping_file(path)[0]


def load_mapping_file(path: str | Path) -> tuple[dict[str, str], dict[str, dict]]:
    """Read a YAML mapping file: ``({source column: field id}, {field id: {code: value}})``.

    Besides ``source column: field id`` lines, an optional ``codes:`` block gives, per field,
    how this export numbers its options (``codes: {cs1: {1: 10, 2: 9, ...}}``); it wins over
    the survey's ``export_codes`` for this import (see :mod:`csi.io.option_codes`).
    """
    from ruamel.yaml import YAML

    try:
        data = YAML(typ="safe").load(Path(path).read_text(encoding="utf-8"))
    except Exception as exc:  # noqa: BLE001 - YAML or I/O error -> one clean message
        raise ResponseImportError(f"{path}: cannot read the mapping file ({exc.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise ResponseImportError(f"{path}: a mapping file must map source column names to field ids")
    data = dict(data)
    codes = data.pop("codes", None) or {}
    if not isinstance(codes, dict) or not all(
            isinstance(f, str) and isinstance(m, dict) and all(isinstance(k, int | float) and not isinstance(k, bool)
                                                             for k in m) for f, m in codes.items()):
        raise ResponseImportError(f"{path}: `codes:` must map field ids to {{option number: stored value}}")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise ResponseImportError(f"{path}: a mapping file must map source column names to field ids")
    return data, {f: dict(m) for f, m in codes.items()}


def map_columns(columns: list[str], survey: Survey, *, mapping: dict[str, str] | None = None,
                fields: list[str]) -> tuple[dict[str, str], list[str]]:
    """Match ``columns`` to canonical ``fields`` and metadata; return ({column: field}, unmapped).

    A field is taken by the first column that matches it; later columns matching the same field
    are unmapped. Raises :class:`ResponseImportError` when the explicit mapping names an unknown
    field.
    """
    valid = set(fields) | set(META_ALIASES) | set(survey.pii_fields)
    mapping = dict(mapping or {})
    bad = sorted(v for v in mapping.values() if v not in valid)
    if bad:
        raise ResponseImportError(f"the mapping names unknown field(s) {', '.join(bad)}; "
                                  f"expected survey field ids")
    by_id = {f.lower(): f for f in valid}
    texts = field_texts(survey)
    meta = {alias: key for key, aliases in META_ALIASES.items() for alias in aliases}
    out: dict[str, str] = {}
    taken: set[str] = set()
    unmapped: list[str] = []
    by_number = {int(k[1:]): v for k, v in mapping.items() if re.fullmatch(r"#\d+", k.strip())}
    for col in columns:
        target = mapping.get(col)
        if target is None and by_number:
            target = by_number.get(strip_number(col)[1])
        if target is None:
            target = by_id.get(col.strip().lower())
        if target is None:
            bare, _ = strip_number(col)
            key = normalize(bare)
            target = texts.get(key) or meta.get(key) or meta.get(normalize(col))
        if target is None or target in taken:
            unmapped.append(col)
            continue
        out[col] = target
        taken.add(target)
    return out, unmapped


_GENERIC5 = {  # common 5-point labels (Wenjuanxing defaults) for scales with exactly 5 points
    "非常满意": 5, "满意": 4, "比较满意": 4, "一般": 3, "不满意": 2, "不太满意": 2, "非常不满意": 1,
    "非常同意": 5, "同意": 4, "比较同意": 4, "不同意": 2, "不太同意": 2, "非常不同意": 1,
}
_POINTS = re.compile(r"^(-?\d+(?:\.\d+)?)\s*(?:分|points?|pts?)?(?:\s.*)?$", re.IGNORECASE)


def label_codes(scale, *, yes_no: bool = False) -> dict[str, float]:
    """Normalized label -> code for a scale: its labels and don't-know label in every language.

    ``yes_no`` adds 是/否, yes/no, true/false. Numbers with a unit (``"7分"``, ``"10分 非常满意"``)
    are parsed by :func:`parse_points`, not listed here.
    """
    out: dict[str, float] = {}

    def add(text: object, code: float) -> None:
        values = text.values() if isinstance(text, dict) else [text]
        for v in values:
            if normalize(v):
                out.setdefault(normalize(v), float(code))

    if scale is not None:
        for point, text in scale.labels.items():
            add(text, point)
        if scale.dont_know is not None and scale.dont_know_label is not None:
            add(scale.dont_know_label, scale.dont_know)
            for dk in ("不知道", "不清楚", "不适用", "dontknow", "dk", "na", "n/a", "notapplicable"):
                out.setdefault(normalize(dk), float(scale.dont_know))
        if scale.min == 1 and scale.max == 5:
            for k, v in _GENERIC5.items():
                out.setdefault(normalize(k), float(v))
    if yes_no:
        for k, v in (("是", 1), ("否", 0), ("yes", 1), ("no", 0), ("true", 1), ("false", 0),
                     ("有", 1), ("没有", 0), ("y", 1), ("n", 0)):
            out.setdefault(k, float(v))
    return out


def parse_points(text: str) -> float | None:
    """A number at the start of a label: ``"7分"`` -> 7, ``"10分 非常满意"`` -> 10; else None.

    >>> parse_points("10分 非常满意"), parse_points("7 points"), parse_points("很好")
    (10.0, 7.0, None)
    """
    m = _POINTS.match(unicodedata.normalize("NFKC", text).strip())
    return float(m.group(1)) if m else None
