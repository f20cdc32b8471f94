"""Invitation tokens: unguessable, single-use, stored only as a hash.

A token is 16 random bytes from :mod:`secrets` (128 bits), URL-safe base64 without padding
(22 characters). The store keeps ``sha256(token)`` in hex: the tokens are random, not
passwords, so a plain hash is enough (as for API tokens) and a stolen database gives no
usable link.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from urllib.parse import urlencode

__all__ = ["TOKEN_BYTES", "new_token", "hash_token", "looks_like_token", "form_url",
           "public_base_url", "DEFAULT_PUBLIC_URL"]

TOKEN_BYTES = 16
DEFAULT_PUBLIC_URL = "http://localhost:8501"
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_token() -> str:
    """A fresh random token (22 URL-safe characters, 128 bits).

    >>> t = new_token()
    >>> len(t), looks_like_token(t), t != new_token()
    (22, True, True)
    """
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """SHA-256 (hex) of a token, as stored.

    >>> hash_token("abc")[:16]
    'ba7816bf8f01cfea'
    """
    return hashlib.sha256(str(token).encode("utf-8")).hexdigest()


def looks_like_token(token: str | None) -> bool:
    """Whether ``token`` has a token's shape (16-64 URL-safe characters); no store look-up."""
    return bool(token) and bool(_TOKEN_RE.match(str(token)))


def public_base_url(base: str | None = None) -> str:
    """The app's public address: ``base``, else ``CSI_PUBLIC_URL``, else
    ``http://localhost:8501`` (no trailing slash)."""
    url = (base or os.environ.get("CSI_PUBLIC_URL", "") or DEFAULT_PUBLIC_URL).strip()
    return url.rstrip("/")


def form_url(survey_id: str, token: str | None = None, *, base: str | None = None,
             lang: str | None = None) -> str:
    """The full link of the respondent form: the open link, or an invitation's link.

    >>> form_url("ecommerce_csi", base="https://shop.example/")
    'https://shop.example/?survey=ecommerce_csi'
    >>> form_url("ecommerce_csi", "tok123", base="https://shop.example", lang="en")
    'https://shop.example/?survey=ecommerce_csi&t=tok123&lang=en'
    """
    params = {"survey": survey_id}
    if token:
        params["t"] = token
    if lang:
        params["lang"] = lang
    return f"{public_base_url(base)}/?{urlencode(params)}"
