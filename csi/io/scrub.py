"""Scrubbing contact data out of free text: phone numbers, e-mails and ID numbers.

:func:`scrub_text` replaces, in this order, e-mail addresses by ``[email]``, 18-digit Chinese
resident ID numbers (17 digits + digit or X) by ``[id]``, and phone numbers by ``[phone]``:
mainland mobiles (``1[3-9]`` + 9 digits, optionally ``+86``/``0086``, spaces or hyphens inside),
landlines with an area code (``010-12345678``, ``(0755) 1234 5678``, ``+86 21 5555 1234``) and
international numbers written with ``+`` (``+1 415 555 0100``, ``+44 20 7946 0958``). Plain
numbers that are not phone-shaped (order counts, prices, dates, 6-digit postcodes) are kept.
Free-text answers are scrubbed at import (:func:`csi.io.read_responses`) before anything is
stored; the import report counts the scrubbed cells.
"""

from __future__ import annotations

import re

__all__ = ["scrub_text", "scrub_series"]

_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_ID18 = re.compile(r"(?<![0-9])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9A-Za-z])")
_SEP = r"[\s\-.]?"
_CN_MOBILE = re.compile(
    r"(?<![0-9+])(?:(?:\+|00)86[\s\-]?)?1[3-9]\d" + _SEP + r"\d{4}" + _SEP + r"\d{4}(?![0-9])")
_CN_LANDLINE = re.compile(
    r"(?<![0-9+])(?:(?:\+|00)86[\s\-]?(?:\(0?\d{2,3}\)|0?\d{2,3})|\(0\d{2,3}\)|0\d{2,3})[\s\-]?"
    r"\d{3,4}[\s\-]?\d{4}(?:[\s\-]?(?:转|ext\.?|x)\s?\d{1,5})?(?![0-9])", re.I)
_INTL = re.compile(r"(?<![0-9A-Za-z])\+\d{1,3}(?:[\s\-.]?\(?\d{1,4}\)?){2,5}(?![0-9])")


def scrub_text(text: str) -> tuple[str, dict[str, int]]:
    """Replace contact data in ``text``; return the new text and counts per kind.

    Counts have the keys ``phone``, ``email``, ``id`` (number of replacements).

    Examples
    --------
    >>> scrub_text("请回电 13912345678，谢谢")
    ('请回电 [phone]，谢谢', {'phone': 1, 'email': 0, 'id': 0})
    >>> scrub_text("mail me: li.wei@example.com or +44 20 7946 0958")[0]
    'mail me: [email] or [phone]'
    >>> scrub_text("身份证 11010519491231002X 买了 3 件, 共 199.00 元")[0]
    '身份证 [id] 买了 3 件, 共 199.00 元'
    """
    counts = {"phone": 0, "email": 0, "id": 0}
    if not text:
        return text, counts
    text, counts["email"] = _EMAIL.subn("[email]", text)
    text, counts["id"] = _ID18.subn("[id]", text)
    n_phone = 0
    for pat in (_CN_MOBILE, _INTL, _CN_LANDLINE):
        text, k = pat.subn("[phone]", text)
        n_phone += k
    counts["phone"] = n_phone
    return text, counts


def scrub_series(values) -> tuple[list, int, dict[str, int]]:
    """Scrub every text cell of an iterable; return (values, cells changed, totals per kind).

    Non-text cells (None, NaN) are passed through unchanged.
    """
    out = []
    changed = 0
    totals = {"phone": 0, "email": 0, "id": 0}
    cache: dict[str, tuple[str, dict[str, int]]] = {}
    for v in values:
        if not isinstance(v, str) or not v:
            out.append(v)
            continue
        hit = cache.get(v)
        if hit is None:
            hit = cache[v] = scrub_text(v)
        new, counts = hit
        if new != v:
            changed += 1
            for k, c in counts.items():
                totals[k] += c
        out.append(new)
    return out, changed, totals
