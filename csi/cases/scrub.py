"""A comment with contact data replaced by placeholders before it reaches a case.

The replacement is the importer's scrubber (:func:`csi.io.scrub.scrub_text`): mobile and
landline numbers (``[phone]``), e-mail addresses (``[email]``) and 18-digit resident ID
numbers (``[id]``).
"""

from __future__ import annotations

from csi.io.scrub import scrub_text

__all__ = ["scrub_comment"]


def scrub_comment(text: object) -> str | None:
    """The comment with contact data replaced (None for a missing comment).

    >>> scrub_comment("快递太慢，请打 138 1234 5678 或发 li@qq.com")
    '快递太慢，请打 [phone] 或发 [email]'
    >>> scrub_comment("身份证 11010519491231002X，座机 010-62345678")
    '身份证 [id]，座机 [phone]'
    """
    if text is None or (isinstance(text, float) and text != text):
        return None
    return scrub_text(str(text))[0]
