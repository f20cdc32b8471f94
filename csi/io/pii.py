"""Respondent contact data (PII): recognising contact columns, and salted hashing.

Decision (issues 4, 13): columns marked PII in the survey (:attr:`Survey.pii_fields`) and
recognised contact columns (IP, e-mail, phone, name, address -- also its parts city, state,
ZIP, country as SurveyMonkey's Contact Information question writes them --, company, WeChat, QQ,
旺旺, ID card, order recipient -- e.g. Wenjuanxing's ``来自IP``, headers such as 手机/电话/邮箱/姓名/地址/微信号/QQ号/
身份证号码/收货人/phone/email/name/address/IP) are **dropped** at import by default, also from
the quarantined rows. With ``csi import --keep-pii`` the store keeps only keyed HMAC-SHA256
pseudonyms (:mod:`csi.io.pseudonym`, key ``CSI_PII_KEY`` outside the database); raw values are
never stored, shown, exported or logged. :func:`hash_values` (salted SHA-256) is the legacy
scheme, kept for stores written before issue 13.
"""

from __future__ import annotations

import hashlib
import re

import pandas as pd

from csi.io.mapping import normalize

__all__ = ["contact_kind", "contact_columns", "hash_values"]

_PATTERNS = (
    ("ip", re.compile(r"(^|[^a-z])ip([^a-z]|$)|ipaddress|来自ip|ip地址", re.IGNORECASE)),
    ("email", re.compile(r"e-?mail|邮箱|电子邮件|邮件地址", re.IGNORECASE)),
    ("phone", re.compile(r"phone|mobile|手机|电话|联系方式|tel(ephone)?($|[^a-z])", re.IGNORECASE)),
    ("name", re.compile(r"^(full|first|last)?\s*name$|^姓名|您的姓名|^name[:：\s]|recipient(first|last)name", re.IGNORECASE)),
    ("address", re.compile(r"address|地址|住址|收货地|邮编|邮政编码|zip|post(al)?\s*code|postcode"
                           r"|^(city|town|city\s*/\s*town|state|province|state\s*/\s*province|country|region)$",
                           re.IGNORECASE)),
    ("company", re.compile(r"^(company|organi[sz]ation|employer)$|company\s*name|公司名称|工作单位", re.IGNORECASE)),
    ("location", re.compile(r"locationlatitude|locationlongitude", re.IGNORECASE)),
    ("wechat", re.compile(r"wechat|weixin|微信", re.IGNORECASE)),
    ("qq", re.compile(r"(?<![a-z])qq(?![a-z])", re.IGNORECASE)),
    ("wangwang", re.compile(r"旺旺|wangwang", re.IGNORECASE)),
    ("id_card", re.compile(r"身份证|id\s*card|idcard|identity\s*card|passport", re.IGNORECASE)),
    ("recipient", re.compile(r"收货人|收件人|recipient|consignee", re.IGNORECASE)),
)


def contact_kind(header: str) -> str | None:
    """The kind of contact data a column header names, or None.

    >>> [contact_kind(h) for h in ["来自IP", "IPAddress", "手机号码", "Email", "pq1", "Timestamp"]]
    ['ip', 'ip', 'phone', 'email', None, None]
    >>> [contact_kind(h) for h in ["微信号", "QQ号", "旺旺名", "身份证号码", "收货人", "Consignee"]]
    ['wechat', 'qq', 'wangwang', 'id_card', 'recipient', 'recipient']

    SurveyMonkey's Contact Information sub-columns (an unmapped column named only "City/Town"
    or "Country" is part of an address; a survey question *about* the region is mapped to its
    field and never looked at here):

    >>> [contact_kind(h) for h in ["City/Town", "State/Province", "ZIP/Postal Code", "Country", "Company"]]
    ['address', 'address', 'address', 'address', 'company']
    >>> [contact_kind(h) for h in ["Your region", "Country of purchase", "company size"]]
    [None, None, None]
    """
    text = str(header).strip()
    squashed = normalize(text)
    for kind, pat in _PATTERNS:
        if pat.search(text) or pat.search(squashed):
            return kind
    return None


def contact_columns(columns: list[str], exclude: set[str] = frozenset()) -> list[str]:
    """Columns (not in ``exclude``, e.g. already mapped to survey fields) that hold contact data."""
    return [c for c in columns if c not in exclude and contact_kind(c) is not None]


def hash_values(values: pd.Series, salt: str) -> pd.Series:
    """Salted SHA-256 (hex) of each non-empty value; NaN stays NaN.

    >>> hash_values(pd.Series(["138", None]), "s").tolist()[1] is None
    True
    """
    def one(v: object) -> str | None:
        if v is None or (isinstance(v, float) and pd.isna(v)) or str(v).strip() == "":
            return None
        return hashlib.sha256((salt + "\x00" + str(v).strip()).encode("utf-8")).hexdigest()

    return pd.Series([one(v) for v in values], index=values.index, dtype=object)
