"""Pseudonymous contact hashes: keyed HMAC-SHA256 with a key kept outside the database.

``csi import --keep-pii`` keeps no contact datum, only ``HMAC-SHA256(k, value)`` per contact
cell, so repeat respondents can be linked. The secret comes from the environment variable
``CSI_PII_KEY`` (or, for the dashboard, ``CSI_PII_KEY`` in Streamlit's ``secrets.toml``:
``./.streamlit/secrets.toml`` or ``~/.streamlit/secrets.toml``, read here as TOML so that
``csi/`` never imports streamlit). The same secret serves issue 18's encryption: the pseudonym
key is a sub-key derived with the fixed label ``b"csi-pseudonym-v1"`` (HMAC-SHA256 of the label
under the secret, as HKDF-Expand does for one block), so the two uses never share a key.

Unlike a salted SHA-256 with the salt in the same database, an attacker holding the database
file cannot brute-force an 11-digit phone number without the secret. Without a key,
``--keep-pii`` is refused (:class:`PseudonymKeyError`, exit 2).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import tomllib
from pathlib import Path

import pandas as pd

from csi.errors import CsiError

__all__ = ["PseudonymKeyError", "pseudonym_key", "pseudonymize", "KEY_ENV", "MIN_KEY_CHARS"]

KEY_ENV = "CSI_PII_KEY"
#: The secret must have at least this many characters (e.g. ``secrets.token_hex(16)`` = 32).
MIN_KEY_CHARS = 16
_LABEL = b"csi-pseudonym-v1"


class PseudonymKeyError(CsiError, RuntimeError):
    """No (usable) pseudonymisation key: ``CSI_PII_KEY`` is unset or too short."""


def _secrets_value() -> str | None:
    for path in (Path.cwd() / ".streamlit" / "secrets.toml", Path.home() / ".streamlit" / "secrets.toml"):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            continue
        value = data.get(KEY_ENV)
        if isinstance(value, str) and value:
            return value
    return None


def pseudonym_key(secret: str | None = None) -> bytes:
    """The derived 32-byte pseudonym key from ``secret`` (default: ``CSI_PII_KEY``, then secrets).

    Raises
    ------
    PseudonymKeyError
        No secret, or one shorter than :data:`MIN_KEY_CHARS` characters.

    >>> len(pseudonym_key("0123456789abcdef0123"))
    32
    """
    secret = secret if secret is not None else (os.environ.get(KEY_ENV) or _secrets_value())
    if not secret:
        raise PseudonymKeyError(
            f"--keep-pii needs a pseudonymisation key outside the database: set {KEY_ENV} "
            f"(at least {MIN_KEY_CHARS} characters, e.g. python -c 'import secrets; print(secrets.token_hex(16))')")
    if len(secret) < MIN_KEY_CHARS:
        raise PseudonymKeyError(f"{KEY_ENV} is too short ({len(secret)} characters); use at least {MIN_KEY_CHARS}")
    return hmac.new(secret.encode("utf-8"), _LABEL + b"\x01", hashlib.sha256).digest()


def pseudonymize(values: pd.Series, key: bytes) -> pd.Series:
    """Keyed HMAC-SHA256 (hex) of each non-empty value (stripped); empty/NaN -> None.

    >>> k = pseudonym_key("0123456789abcdef0123")
    >>> h = pseudonymize(pd.Series(["13912345678", " 13912345678", None]), k).tolist()
    >>> h[0] == h[1], len(h[0]), h[2]
    (True, 64, None)
    """
    def one(v: object) -> str | None:
        if v is None or (isinstance(v, float) and pd.isna(v)) or str(v).strip() == "":
            return None
        return hmac.new(key, str(v).strip().encode("utf-8"), hashlib.sha256).hexdigest()

    return pd.Series([one(v) for v in values], index=values.index, dtype=object)
