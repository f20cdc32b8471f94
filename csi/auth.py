"""Manager login for the dashboard: where the password comes from and a constant-time check.

The password is configured, in this order of precedence, by

1. ``CSI_ADMIN_PASSWORD_HASH`` (environment) -- a salted PBKDF2 hash, recommended;
2. ``CSI_ADMIN_PASSWORD`` (environment) -- the plain password;
3. the same two keys in Streamlit secrets (``.streamlit/secrets.toml``), passed in by the app
   as a mapping (``csi`` never imports streamlit).

With none of them set the app runs in **local-demo mode**: no login, and every page says so.

Hash format (one line, four fields separated by ``$``)::

    pbkdf2_sha256$<iterations>$<salt_b64>$<hash_b64>

``salt_b64`` and ``hash_b64`` are standard base64 (with padding) of the raw salt bytes and of
``hashlib.pbkdf2_hmac("sha256", password_utf8, salt, iterations)`` (32 bytes). Make one with
``csi hash-password`` or :func:`hash_password`. Comparisons use :func:`hmac.compare_digest`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets as _secrets
from collections.abc import Mapping
from dataclasses import dataclass

from csi.errors import CsiError

__all__ = [
    "AuthConfig",
    "AuthConfigError",
    "DEFAULT_ITERATIONS",
    "HASH_SCHEME",
    "check_password",
    "hash_password",
    "resolve_auth",
    "verify_password",
]

#: Scheme tag that starts every stored hash.
HASH_SCHEME = "pbkdf2_sha256"
#: PBKDF2 iterations used by :func:`hash_password` (OWASP 2023 recommendation for SHA-256).
DEFAULT_ITERATIONS = 600_000

PASSWORD_VAR = "CSI_ADMIN_PASSWORD"
HASH_VAR = "CSI_ADMIN_PASSWORD_HASH"


class AuthConfigError(CsiError, ValueError):
    """The configured password hash is malformed."""


def hash_password(password: str, *, iterations: int = DEFAULT_ITERATIONS,
                  salt: bytes | None = None) -> str:
    """Hash a password as ``pbkdf2_sha256$<iterations>$<salt_b64>$<hash_b64>``.

    Parameters
    ----------
    password : str
        The password (UTF-8 encoded before hashing).
    iterations : int, default=600000
        PBKDF2-HMAC-SHA256 iterations.
    salt : bytes, optional
        Salt; 16 random bytes when omitted.

    Examples
    --------
    >>> h = hash_password("s3cret", iterations=1000, salt=b"0123456789abcdef")
    >>> h.split("$")[:2]
    ['pbkdf2_sha256', '1000']
    >>> verify_password("s3cret", h), verify_password("wrong", h)
    (True, False)
    """
    if not isinstance(iterations, int) or iterations < 1:
        raise AuthConfigError(
            f"The 'iterations' parameter of hash_password must be an int in the range [1, inf). "
            f"Got {iterations!r} instead.")
    salt = _secrets.token_bytes(16) if salt is None else salt
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    b64 = base64.b64encode
    return f"{HASH_SCHEME}${iterations}${b64(salt).decode()}${b64(digest).decode()}"


def _parse_hash(encoded: str) -> tuple[int, bytes, bytes]:
    parts = encoded.strip().split("$")
    if len(parts) != 4 or parts[0] != HASH_SCHEME:
        raise AuthConfigError(
            f"{HASH_VAR} is not a valid password hash; expected "
            f"'{HASH_SCHEME}$<iterations>$<salt_b64>$<hash_b64>' (make one with `csi hash-password`).")
    try:
        iterations = int(parts[1])
        salt = base64.b64decode(parts[2], validate=True)
        digest = base64.b64decode(parts[3], validate=True)
    except ValueError:
        raise AuthConfigError(
            f"{HASH_VAR} is not a valid password hash: iterations must be an integer and salt/hash "
            "standard base64.") from None
    if iterations < 1 or not digest:
        raise AuthConfigError(f"{HASH_VAR} is not a valid password hash: iterations must be >= 1.")
    return iterations, salt, digest


def verify_password(candidate: str, encoded: str) -> bool:
    """True when ``candidate`` matches the ``pbkdf2_sha256$...`` hash (constant-time compare)."""
    iterations, salt, digest = _parse_hash(encoded)
    got = hashlib.pbkdf2_hmac("sha256", candidate.encode("utf-8"), salt, iterations)
    return hmac.compare_digest(got, digest)


@dataclass(frozen=True)
class AuthConfig:
    """Where the manager password comes from.

    ``mode`` is ``"hash"``, ``"password"`` or ``"demo"`` (no password configured: local-demo
    mode, no login). ``source`` names the setting used (``"env"``, ``"secrets"`` or ``""``).
    The secret itself is kept out of ``repr``.
    """

    mode: str
    source: str = ""
    _secret: str = ""

    def __repr__(self) -> str:
        return f"AuthConfig(mode={self.mode!r}, source={self.source!r})"

    @property
    def demo(self) -> bool:
        """True in local-demo mode (no password configured)."""
        return self.mode == "demo"


def resolve_auth(env: Mapping[str, str] | None = None,
                 secrets: Mapping[str, object] | None = None) -> AuthConfig:
    """Find the configured manager password (see the module docstring for the precedence).

    Parameters
    ----------
    env : mapping, optional
        Environment variables; ``os.environ`` when omitted.
    secrets : mapping, optional
        Streamlit secrets (top-level keys ``CSI_ADMIN_PASSWORD_HASH`` / ``CSI_ADMIN_PASSWORD``).

    Raises
    ------
    AuthConfigError
        When a configured hash is malformed (checked here, not at the first login).

    Examples
    --------
    >>> resolve_auth(env={}, secrets={}).mode
    'demo'
    >>> resolve_auth(env={"CSI_ADMIN_PASSWORD": "pw"}).mode
    'password'
    """
    env = os.environ if env is None else env
    for source, mapping in (("env", env), ("secrets", secrets or {})):
        value = mapping.get(HASH_VAR)
        if value:
            _parse_hash(str(value))
            return AuthConfig("hash", source, str(value))
        value = mapping.get(PASSWORD_VAR)
        if value:
            return AuthConfig("password", source, str(value))
    return AuthConfig("demo")


def check_password(config: AuthConfig, candidate: str) -> bool:
    """True when ``candidate`` is the manager password (always True in demo mode).

    The comparison is constant-time (:func:`hmac.compare_digest` on bytes / on PBKDF2 digests).

    Examples
    --------
    >>> cfg = resolve_auth(env={"CSI_ADMIN_PASSWORD": "pw"})
    >>> check_password(cfg, "pw"), check_password(cfg, "px")
    (True, False)
    """
    if config.demo:
        return True
    if config.mode == "hash":
        return verify_password(candidate, config._secret)
    return hmac.compare_digest(candidate.encode("utf-8"), config._secret.encode("utf-8"))
