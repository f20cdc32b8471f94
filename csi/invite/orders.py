"""The order file behind invitations: one row per order -> order reference and segment values.

A CSV (UTF-8 or GB18030, as Taobao/Tmall and JD seller back-ends export them) or XLSX with
an order-number column -- ``order_ref``, ``order_id``, ``订单编号`` (Taobao/Tmall),
``订单号`` (JD), ... -- and optionally columns named like the survey's segment questions
(``channel``, ``category``, ...), holding option codes or option labels in any survey
language, and ``wave``. Every other column (buyer name, phone, address) is ignored and never
stored. Order numbers written for Excel as ``="1234"`` or ``'1234`` are unwrapped.

Platform exports may list an order once per product (JD's order export has one row per SKU,
Taobao's 宝贝报表 one per item under its 主订单编号): the rows of one order number become one
order -- one invitation. A segment value the rows of an order disagree on (two product
categories in one parcel) is left out, so the form asks it.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd

from csi.errors import ResponseImportError, RowIssue
from csi.io.encoding import decode_bytes, detect_encoding
from csi.survey.survey import Survey

__all__ = ["ORDER_REF_COLUMNS", "read_orders", "segment_code"]

#: Accepted headers of the order-number column, in order of preference.
ORDER_REF_COLUMNS = ("order_ref", "order_id", "order_no", "order", "订单编号", "主订单编号",
                     "订单号", "订单ID", "订单id")
_EXCEL_WRAPPED = re.compile(r'^=?"(.*)"$')


def _clean_ref(v: object) -> str:
    s = "" if v is None or (isinstance(v, float) and v != v) else str(v).strip()
    m = _EXCEL_WRAPPED.match(s)
    if m:
        s = m.group(1).strip()
    return s.lstrip("'\t").strip()


def segment_code(survey: Survey, qid: str, value: object) -> str | None:
    """The option code of segment question ``qid`` for ``value`` (a code or a label in any of
    the survey's languages); None when nothing matches.

    >>> from csi.survey import load_survey
    >>> s = load_survey("surveys/ecommerce_csi.yaml")
    >>> segment_code(s, "channel", "京东"), segment_code(s, "channel", "tmall"), segment_code(s, "channel", "x")
    ('jd', 'tmall', None)
    """
    text = str(value).strip()
    q = survey.question_map[qid]
    for o in q.options:
        labels = [o.label] if isinstance(o.label, str) else list(o.label.values())
        if text == str(o.code) or text in labels or text.lower() in (str(lb).lower() for lb in labels):
            return str(o.code)
    return None


def _read_table(path: Path) -> pd.DataFrame:
    data = path.read_bytes()
    if not data.strip():
        raise ResponseImportError(f"{path.name}: the order file is empty")
    if data[:4] == b"PK\x03\x04" or path.suffix.lower() in (".xlsx", ".xls"):
        try:
            return pd.read_excel(io.BytesIO(data), dtype=str)
        except Exception as exc:  # noqa: BLE001 - any reader failure: not a spreadsheet
            raise ResponseImportError(f"{path.name}: not a readable spreadsheet ({exc.__class__.__name__})") from None
    try:
        text = decode_bytes(data, detect_encoding(data))
    except ResponseImportError as exc:
        raise ResponseImportError(f"{path.name}: {exc}") from None
    try:
        return pd.read_csv(io.StringIO(text.lstrip("\ufeff")), dtype=str, keep_default_na=False,
                           sep=None, engine="python")
    except (pd.errors.ParserError, ValueError) as exc:
        raise ResponseImportError(f"{path.name}: not a readable CSV table ({exc})") from None


def read_orders(path: str | Path, survey: Survey) -> pd.DataFrame:
    """The orders of ``path``: ``order_ref`` plus the segment columns present (option codes)
    and ``wave`` when given; one row per order number (its rows merged), in file order. The
    index, ``row``, is each order's first row in the file (1 = first data row).

    Raises
    ------
    ResponseImportError
        No order-number column, an empty or overlong order number, or a segment value that is
        not an option of its question -- every problem with its row (1 = first data row) and
        column, all at once.
    """
    path = Path(path)
    raw = _read_table(path)
    raw.columns = [str(c).strip() for c in raw.columns]
    ref_col = next((c for c in ORDER_REF_COLUMNS if c in raw.columns), None)
    if ref_col is None:
        raise ResponseImportError(
            f"{path.name}: no order-number column; expected one of {', '.join(ORDER_REF_COLUMNS)} "
            f"(columns found: {', '.join(raw.columns[:12])})")
    issues: list[RowIssue] = []
    refs = [_clean_ref(v) for v in raw[ref_col]]
    first: dict[str, int] = {}  # order number -> its first row (0-based)
    for i, ref in enumerate(refs):
        if not ref:
            issues.append(RowIssue(path.name, i + 1, ref_col, "", "an order number"))
        elif len(ref) > 128:
            issues.append(RowIssue(path.name, i + 1, ref_col, ref[:20] + "…", "at most 128 characters"))
        else:
            first.setdefault(ref, i)
    keep = list(first.values())  # one row per order, in file order
    out = pd.DataFrame({"order_ref": list(first)}, index=pd.Index([i + 1 for i in keep], name="row"))
    for q in survey.segments:
        if q.id not in raw.columns:
            continue
        expected = ", ".join(str(o.code) for o in q.options)
        per_order: dict[str, set[str]] = {}
        for i, v in enumerate(raw[q.id]):
            text = "" if v is None or (isinstance(v, float) and v != v) else str(v).strip()
            code = segment_code(survey, q.id, text) if text else None
            if text and code is None:
                issues.append(RowIssue(path.name, i + 1, q.id, text, f"one of {expected} (or their labels)"))
            if code is not None and refs[i] in first:
                per_order.setdefault(refs[i], set()).add(code)
        out[q.id] = [next(iter(c)) if len(c := per_order.get(r, set())) == 1 else None for r in first]
    if "wave" in raw.columns:
        waves = [str(v).strip() or None for v in raw["wave"]]
        out["wave"] = [waves[i] for i in keep]
    if issues:
        head = "; ".join(str(i) for i in issues[:5])
        raise ResponseImportError(f"{path.name}: {len(issues)} problem(s) in the order file: {head}",
                                  issues=issues)
    return out
