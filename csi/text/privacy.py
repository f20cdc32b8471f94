"""Contact data out of comment texts before they are shown or exported.

:func:`scrub_contacts` is the one place the comment analysis scrubs text: URLs and QQ / WeChat
ids after their keyword become ``[url]`` and ``[account]``; then the importer's scrubber
(:func:`csi.io.scrub.scrub_text`) replaces phone numbers (mainland mobiles, landlines,
international), e-mail addresses and 18-digit resident ID numbers by ``[phone]``, ``[email]``
and ``[id]``.
"""

from __future__ import annotations

import re

from csi.io.scrub import scrub_text

__all__ = ["scrub_contacts"]

_RULES = [
    ("[url]", re.compile(r"(?:https?://|www\.)\S+", re.I)),
    ("[account]", re.compile(r"(?:qq|wx|vx|微信|微信号|v信|企鹅)\s*[:：号]?\s*[A-Za-z0-9_-]{5,}", re.I)),
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
            counts[token] = n
    text, kinds = scrub_text(text)
    counts.update({f"[{kind}]": n for kind, n in kinds.items() if n})
    return text, counts
