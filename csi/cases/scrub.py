"""Contact data typed into free text, replaced by placeholders before a comment reaches a case.

Issue 13 adds the importer's own scrubber (``csi.io.scrub.scrub_text``); it is used when
present, and this small fallback otherwise. Replaced: mainland mobile numbers (``[phone]``,
with or without +86 and separators), landlines with an area code, e-mail addresses
(``[email]``) and 18-digit resident ID numbers (``[id]``).
"""

from __future__ import annotations

import re

__all__ = ["scrub_comment"]

_ID = re.compile(r"(?<!\d)\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?!\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}[\s-]?\d{7,8}(?!\d)")


def _fallback(text: str) -> str:
    text = _ID.sub("[id]", text)
    text = _EMAIL.sub("[email]", text)
    text = _MOBILE.sub("[phone]", text)
    return _LANDLINE.sub("[phone]", text)


def scrub_comment(text: object) -> str | None:
    """The comment with contact data replaced (None for a missing comment).

    >>> scrub_comment("快递太慢，请打 138 1234 5678 或发 li@qq.com")
    '快递太慢，请打 [phone] 或发 [email]'
    >>> scrub_comment("身份证 11010519491231002X，座机 010-62345678")
    '身份证 [id]，座机 [phone]'
    """
    if text is None or (isinstance(text, float) and text != text):
        return None
    s = str(text)
    try:
        from csi.io.scrub import scrub_text  # issue 13
    except ImportError:
        return _fallback(s)
    return _fallback(scrub_text(s))
