"""Contact-looking questions must say whether they hold contact data (issue 13, point 4).

A question whose id or text (in any language) looks like respondent contact data -- phone,
mobile, 手机, 电话, e-mail, 邮箱, address, 地址, name, 姓名, WeChat, 微信, QQ, 旺旺, ID card,
身份证, order-recipient fields (收货人, recipient, consignee), ZIP/postal code (邮编), IP
address -- must either be marked ``pii``
(or ``role: contact``) or declare ``contact_data: false``. Otherwise the survey is refused
with a located error, so a forgotten ``pii`` cannot let 400 phone numbers into the store.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from csi.survey.schema import SurveyDoc

__all__ = ["looks_like_contact", "check_contact_questions"]

#: (kind, pattern on the question id's snake_case tokens)
_ID_TOKENS = (  # IP first: "ip_address" is not a postal address
    ("ip_address", {"ip", "ipaddress", "ip_address"}),
    ("phone", {"phone", "mobile", "tel", "telephone", "cellphone", "cell", "shouji", "dianhua"}),
    ("email", {"email", "mail", "e_mail"}),
    ("address", {"address", "addr", "dizhi"}),
    ("name", {"name", "fullname", "firstname", "lastname", "surname", "xingming"}),
    ("wechat", {"wechat", "weixin", "wx"}),
    ("qq", {"qq"}),
    ("wangwang", {"wangwang", "aliwangwang"}),
    ("id_card", {"idcard", "id_card", "shenfenzheng", "passport"}),
    ("recipient", {"recipient", "receiver", "consignee", "shouhuoren"}),
    ("postal_code", {"zip", "zipcode", "postcode", "postal", "postalcode", "youbian"}),
)
_TEXT = (
    ("ip_address", re.compile(r"\bip\s*address|\bIP\s*地址", re.I)),
    ("phone", re.compile(r"phone|mobile|\btel\b|telephone|手机|电话|联系方式|手机号", re.I)),
    ("email", re.compile(r"e-?mail|邮箱|电子邮件|邮件地址", re.I)),
    ("address", re.compile(r"\baddress|地址|住址|收货地", re.I)),
    ("name", re.compile(r"\b(your|full|first|last|sur)\s*name\b|^name\b|姓名|名字|称呼", re.I)),
    ("wechat", re.compile(r"wechat|weixin|微信", re.I)),
    ("qq", re.compile(r"(?<![a-z])qq(?![a-z])", re.I)),
    ("wangwang", re.compile(r"旺旺|wangwang", re.I)),
    ("id_card", re.compile(r"身份证|\bid\s*card\b|identity card|passport", re.I)),
    ("recipient", re.compile(r"收货人|收件人|recipient|consignee", re.I)),
    ("postal_code", re.compile(r"\bzip\s*(code)?\b|\bpost(al)?\s*code|邮编|邮政编码", re.I)),
)


def looks_like_contact(qid: str, texts: list[str]) -> str | None:
    """The kind of contact data a question's id or texts suggest, or None.

    >>> looks_like_contact("mobile_no", [])
    'phone'
    >>> looks_like_contact("q7", ["请留下您的微信号"])
    'wechat'
    >>> looks_like_contact("region", ["您所在的地区", "Your region"]) is None
    True
    >>> looks_like_contact("q9", ["邮政编码", "ZIP / postal code"])
    'postal_code'
    """
    tokens = set(qid.lower().split("_")) | {qid.lower()}
    for kind, words in _ID_TOKENS:
        if tokens & words:
            return kind
    for text in texts:
        t = unicodedata.normalize("NFKC", str(text))
        for kind, pat in _TEXT:
            if pat.search(t):
                return kind
    return None


def _texts(value: Any) -> list[str]:
    if value is None:
        return []
    return list(value.values()) if isinstance(value, dict) else [str(value)]


def check_contact_questions(doc: SurveyDoc) -> Iterator[tuple[tuple, str]]:
    """Yield ``(loc, message)`` for each contact-looking question without a declaration."""
    for i, q in enumerate(doc.questions):
        if q.pii is not None or q.role == "contact" or q.contact_data is False:
            continue
        kind = looks_like_contact(q.id, _texts(q.text) + _texts(q.short))
        if kind is not None:
            yield ("questions", i, "id"), (
                f"question {q.id!r} looks like contact data ({kind}); mark it `pii: {_pii_kind(kind)}` "
                "(dropped at import, never stored raw) or declare `contact_data: false`")


def _pii_kind(kind: str) -> str:
    if kind == "ip_address":
        return "ip"
    return kind if kind in ("phone", "email", "address", "name") else "other"
