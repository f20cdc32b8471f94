"""The contact vault: respondent contact data encrypted at rest, masked for display.

Only surveys that opt in (``followup.keep_contact: true``, with the respondent's consent) keep
contact data, and only with a key from outside the database: ``CSI_PII_KEY`` in the
environment or in Streamlit secrets. The encryption key is derived from it with HKDF-SHA256
(``info=b"csi-vault-v1"``, no salt, 32 bytes), so the one secret also serves the import's keyed
pseudonyms under a different label. Each value is sealed with AES-256-GCM (12-byte random
nonce, stored as ``nonce || ciphertext || tag``); the associated data binds it to its survey,
respondent and field, so a ciphertext copied to another row does not decrypt. Every row records
the ``key_id`` of its key (the first 12 hex digits of SHA-256 over a fixed label and the key),
which is how :func:`rotate_key` finds what to re-encrypt and how a wrong key is reported.

Without a key, keeping contact data is refused (:class:`VaultKeyError`, one line); with a wrong
key, decryption fails with the same error class -- never with garbage.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets as _secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from csi.errors import CsiError

__all__ = ["KEY_VAR", "OLD_KEY_VAR", "HKDF_INFO", "MIN_SECRET_LENGTH", "VaultKey", "VaultKeyError",
           "derive_key", "vault_key", "require_key", "encrypt", "decrypt", "lookup_hashes", "mask", "new_secret"]

KEY_VAR = "CSI_PII_KEY"
#: The previous secret, read by ``csi rotate-key``.
OLD_KEY_VAR = "CSI_PII_KEY_OLD"
HKDF_INFO = b"csi-vault-v1"
#: HKDF label of the look-up subkey (:func:`lookup_hashes`).
LOOKUP_INFO = b"csi-lookup-v1"
MIN_SECRET_LENGTH = 16
_NONCE = 12


class VaultKeyError(CsiError, RuntimeError):
    """No usable key: missing, too short, or not the key the data were encrypted with."""


@dataclass(frozen=True)
class VaultKey:
    """A derived AES-256 key and its public ``key_id`` (the raw key is kept out of repr)."""

    key_id: str
    key: bytes = field(repr=False)


def derive_key(secret: str) -> VaultKey:
    """The vault key derived from the secret ``CSI_PII_KEY`` (HKDF-SHA256, info ``csi-vault-v1``).

    >>> k = derive_key("correct horse battery staple")
    >>> len(k.key), len(k.key_id), k == derive_key("correct horse battery staple")
    (32, 12, True)
    """
    secret = str(secret).strip()
    if len(secret) < MIN_SECRET_LENGTH:
        raise VaultKeyError(f"{KEY_VAR} is too short ({len(secret)} characters); expected at least "
                            f"{MIN_SECRET_LENGTH} (make one with `csi new-key`).")
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(secret.encode("utf-8"))
    key_id = hashlib.sha256(b"csi-vault-key-id\x00" + key).hexdigest()[:12]
    return VaultKey(key_id, key)


def vault_key(env: Mapping[str, str] | None = None, secrets: Mapping[str, object] | None = None,
              *, var: str = KEY_VAR) -> VaultKey | None:
    """The key from ``env`` (default ``os.environ``), else Streamlit ``secrets``; None when unset."""
    env = os.environ if env is None else env
    for mapping in (env, secrets or {}):
        value = mapping.get(var)
        if value:
            return derive_key(str(value))
    return None


def require_key(env: Mapping[str, str] | None = None, secrets: Mapping[str, object] | None = None, *,
                why: str = "keeping contact data") -> VaultKey:
    """:func:`vault_key`, or :class:`VaultKeyError` with a one-line reason when none is set."""
    key = vault_key(env, secrets)
    if key is None:
        raise VaultKeyError(f"{why} needs the encryption key {KEY_VAR} (environment or Streamlit "
                            "secrets); none is set, so no contact data is kept or shown.")
    return key


def _aad(survey_id: str, respondent_id: str, field_id: str) -> bytes:
    return "\x00".join((survey_id, respondent_id, field_id)).encode("utf-8")


def encrypt(key: VaultKey, value: str, *, survey_id: str, respondent_id: str, field_id: str) -> bytes:
    """Seal one value (``nonce || ciphertext || tag``), bound to its survey, respondent and field.

    >>> k = derive_key("0123456789abcdef0123")
    >>> blob = encrypt(k, "13812345678", survey_id="s", respondent_id="r1", field_id="phone")
    >>> b"13812345678" in blob, decrypt(k, blob, survey_id="s", respondent_id="r1", field_id="phone")
    (False, '13812345678')
    """
    nonce = _secrets.token_bytes(_NONCE)
    return nonce + AESGCM(key.key).encrypt(nonce, value.encode("utf-8"), _aad(survey_id, respondent_id, field_id))


def decrypt(key: VaultKey, blob: bytes, *, survey_id: str, respondent_id: str, field_id: str,
            key_id: str | None = None) -> str:
    """Open a sealed value; :class:`VaultKeyError` when ``key`` is not the one it was sealed with."""
    if key_id is not None and key_id != key.key_id:
        raise VaultKeyError(f"the contact data of respondent {respondent_id!r} were encrypted with key "
                            f"{key_id}, but {KEY_VAR} is key {key.key_id}; set the right key or run "
                            "`csi rotate-key`.")
    try:
        plain = AESGCM(key.key).decrypt(bytes(blob[:_NONCE]), bytes(blob[_NONCE:]),
                                        _aad(survey_id, respondent_id, field_id))
    except InvalidTag:
        raise VaultKeyError(f"the contact data of respondent {respondent_id!r} cannot be decrypted with "
                            f"{KEY_VAR} (key {key.key_id}): wrong key or tampered data.") from None
    return plain.decode("utf-8")


def lookup_hashes(key: VaultKey, values: list[str], *, scope: str) -> list[str]:
    """Keyed hashes of ``values`` for equality look-ups without the plain text (hex, 64 digits).

    HMAC-SHA256 under a subkey of ``key`` (HKDF-SHA256 of the vault key, info ``csi-lookup-v1``),
    over ``scope || 0x00 || value``: equal within one scope (a survey) and key, unrelated across
    them, and -- unlike a plain SHA-256 of an order number -- not found by trying numbers without
    the key. A new key gives new hashes (:func:`csi.cases.contacts.rotate_key` recomputes them).

    >>> k = derive_key("0123456789abcdef0123")
    >>> a, b = lookup_hashes(k, ["3261847590123456789", "3261847590123456789"], scope="s")
    >>> a == b, len(a), a == lookup_hashes(k, ["3261847590123456789"], scope="t")[0]
    (True, 64, False)
    """
    sub = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=LOOKUP_INFO).derive(key.key)
    head = scope.encode("utf-8") + b"\x00"
    return [hmac.new(sub, head + str(v).encode("utf-8"), hashlib.sha256).hexdigest() for v in values]


def mask(value: str, kind: str = "other") -> str:
    """The value as shown everywhere: most characters replaced by ``*``.

    Phones of 11 or more digits keep the first 3 and last 4 (the Chinese convention for
    mobile numbers); shorter ones (a landline without its area code) only the last 2, so
    most of the number stays hidden. E-mails keep the first character and the domain, names
    the first character, others the first and last 2.

    >>> mask("13812345678", "phone"), mask("+86 138-1234-5678", "phone"), mask("6212 3456", "phone")
    ('138****5678', '138****5678', '******56')
    >>> mask("zhang.san@qq.com", "email"), mask("张三丰", "name"), mask("E20260301123456", "reference")
    ('z***@qq.com', '张**', 'E2***56')
    """
    text = str(value).strip()
    if not text:
        return ""
    if kind == "phone":
        digits = re.sub(r"\D", "", text)
        if digits.startswith("86") and len(digits) == 13:
            digits = digits[2:]
        if len(digits) >= 11:
            return f"{digits[:3]}****{digits[-4:]}"
        if len(digits) >= 6:
            return "*" * (len(digits) - 2) + digits[-2:]
        return "*" * len(digits)
    if kind == "email" and "@" in text:
        local, domain = text.split("@", 1)
        return f"{local[:1]}***@{domain}"
    if kind == "name":
        return text[:1] + "*" * max(len(text) - 1, 1)
    if len(text) <= 4:
        return "*" * len(text)
    return f"{text[:2]}***{text[-2:]}"


def new_secret() -> str:
    """A fresh random value for ``CSI_PII_KEY`` (43 URL-safe characters, 256 bits)."""
    return _secrets.token_urlsafe(32)
