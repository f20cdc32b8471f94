"""The contact vault: key derivation (checked against RFC 5869 written out with hmac), AES-GCM
sealing bound to its row, masking, and failing safely without or with a wrong key."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from csi.vault import VaultKeyError, decrypt, derive_key, encrypt, mask, require_key, vault_key

SECRET = "Zq3-test-secret-for-the-vault-0001"


def _hkdf_rfc5869(ikm: bytes, info: bytes, length: int = 32) -> bytes:
    # RFC 5869 section 2: no salt = HashLen zero bytes; T(1) = HMAC(PRK, info || 0x01)
    prk = hmac.new(b"\x00" * 32, ikm, hashlib.sha256).digest()
    okm, t, i = b"", b"", 1
    while len(okm) < length:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
        okm, i = okm + t, i + 1
    return okm[:length]


def test_rfc5869_test_case_3_with_the_reference_implementation():
    # RFC 5869 A.3 (SHA-256, zero-length salt and info): checks the helper this file relies on
    ikm = bytes.fromhex("0b" * 22)
    okm = _hkdf_rfc5869(ikm, b"", 42)
    assert okm.hex() == ("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
                         "9d201395faa4b61a96c8")


def test_key_is_hkdf_of_csi_pii_key_with_the_vault_label():
    key = derive_key(SECRET)
    assert key.key == _hkdf_rfc5869(SECRET.encode(), b"csi-vault-v1")
    assert key.key != _hkdf_rfc5869(SECRET.encode(), b"csi-pseudonym-v1")  # another label, another key
    assert key.key_id == hashlib.sha256(b"csi-vault-key-id\x00" + key.key).hexdigest()[:12]
    assert SECRET not in repr(key) and key.key.hex() not in repr(key)


def test_sealed_value_is_bound_to_its_row():
    k = derive_key(SECRET)
    blob = encrypt(k, "13812345678", survey_id="s", respondent_id="r1", field_id="phone")
    assert b"13812345678" not in blob and b"5678" not in blob
    assert decrypt(k, blob, survey_id="s", respondent_id="r1", field_id="phone") == "13812345678"
    with pytest.raises(VaultKeyError, match="wrong key or tampered"):
        decrypt(k, blob, survey_id="s", respondent_id="r2", field_id="phone")  # copied to another row
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(VaultKeyError):
        decrypt(k, tampered, survey_id="s", respondent_id="r1", field_id="phone")
    # the same value twice gives different ciphertexts (random nonce)
    assert blob != encrypt(k, "13812345678", survey_id="s", respondent_id="r1", field_id="phone")


def test_wrong_or_missing_key_fails_safely():
    k, other = derive_key(SECRET), derive_key(SECRET + "x")
    blob = encrypt(k, "li@example.com", survey_id="s", respondent_id="r", field_id="email")
    with pytest.raises(VaultKeyError, match="cannot be decrypted"):
        decrypt(other, blob, survey_id="s", respondent_id="r", field_id="email")
    with pytest.raises(VaultKeyError, match=f"encrypted with key {k.key_id}.*csi rotate-key"):
        decrypt(other, blob, survey_id="s", respondent_id="r", field_id="email", key_id=k.key_id)
    with pytest.raises(VaultKeyError, match="needs the encryption key CSI_PII_KEY"):
        require_key(env={}, secrets={})
    with pytest.raises(VaultKeyError, match="too short"):
        vault_key(env={"CSI_PII_KEY": "short"})
    assert vault_key(env={}, secrets={"CSI_PII_KEY": SECRET}) == k  # Streamlit secrets as fallback
    assert vault_key(env={}, secrets={}) is None


@pytest.mark.parametrize(("value", "kind", "shown"), [
    ("13812345678", "phone", "138****5678"),
    ("+86 138 1234 5678", "phone", "138****5678"),
    ("0755-8888 1234", "phone", "075****1234"),
    ("6212 3456", "phone", "******56"),  # a local landline: 3 + 4 would show 7 of its 8 digits
    ("5551234", "phone", "*****34"),
    ("li.na@example.com", "email", "l***@example.com"),
    ("王小明", "name", "王**"),
    ("上海市浦东新区世纪大道100号", "address", "上海***0号"),
    ("2026030112345678", "reference", "20***78"),
    ("abc", "other", "***"),
])
def test_mask(value, kind, shown):
    assert mask(value, kind) == shown
