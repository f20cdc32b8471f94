"""Contact data out of comment texts before they are shown or exported.

:func:`scrub_contacts` is the one place the comment analysis scrubs text: phone numbers
(mainland mobiles, landlines, international), e-mail addresses, 18-digit resident ID numbers,
QQ / WeChat ids after their keyword, and URLs become ``[phone]``, ``[email]``, ``[id]``,
``[account]`` and ``[url]``. (The import scrubber of ``csi.io`` can replace it once merged.)
"""

from __future__ import annotations

import re

__all__ = ["scrub_contacts"]

_RULES = [
    ("[email]", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")),
    ("[url]", re.compile(r"(?:https?://|www\.)\S+", re.I)),
    ("[id]", re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")),
    ("[account]", re.compile(r"(?:qq|wx|vx|微信|微信号|v信|企鹅)\s*[:：号]?\s*[A-Za-z0-9_-]{5,}", re.I)),
    ("[phone]", re.compile(r"(?:\+|00)\d{1,3}[\s-]?\d{2,4}(?:[\s-]?\d{3,4}){2,3}(?!\d)")),
    ("[phone]", re.compile(r"(?<!\d)1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)")),
    ("[phone]", re.compile(r"(?<!\d)0\d{2,3}[\s-]?\d{7,8}(?!\d)")),
    ("[phone]", re.compile(r"(?<!\d)(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?!\d)")),
]


def scrub_contacts(text: str) -> tuple[str, dict[str, int]]:
    """``text`` with contact data replaced, and how many of each kind were replaced.

    >>> text, counts = scrub_contacts("电话13812345678，邮箱a.b@qq.com，微信：abc_123456")
    >>> text, sorted(counts.items())
    ('电话[phone]，邮箱[email]，[account]', [('[account]', 1), ('[email]', 1), ('[phone]', 1)])
    >>> scrub_contacts("等了18天，花了299元")[0]
    '等了18天，花了299元'
    """
    counts: dict[str, int] = {}
    for token, rx in _RULES:
        text, n = rx.subn(token, text)
        if n:
            counts[token] = counts.get(token, 0) + n
    return text, counts
