"""Order numbers of invitations, kept under the contact-vault rules (issue 18).

An order number (订单号) identifies a buyer to anyone with the shop's back end, so the store
never holds it in plain text. Each invitation row keeps

- ``order_ref_enc``: the AES-GCM ciphertext (:func:`csi.vault.encrypt`), bound to the survey,
  the invitation (``invitation:<token hash>``) and the field ``order_ref``;
- ``order_ref_hash``: a keyed hash (:func:`csi.vault.lookup_hashes`, scope = survey id) that
  finds "already invited" orders without decrypting every row (unique per survey);
- ``order_ref_masked``: the text shown everywhere (``32***89``, :func:`csi.vault.mask`);
- ``order_key_id``: the key it was sealed with (how ``csi rotate-key`` finds what to redo).

Storing an order number needs ``CSI_PII_KEY``; without it an order file is refused with one
line. Reading one back needs the same key.
"""

from __future__ import annotations

from csi.vault import (
    KEY_VAR,
    VaultKey,
    VaultKeyError,
    decrypt,
    encrypt,
    lookup_hashes,
    mask,
    require_key,
)

__all__ = ["ORDER_FIELD", "order_key", "seal_order_refs", "order_ref_hashes", "open_order_ref"]

#: The field id the ciphertext is bound to.
ORDER_FIELD = "order_ref"


def order_key(key: VaultKey | None = None) -> VaultKey:
    """``key``, else the vault key from ``CSI_PII_KEY``; :class:`csi.vault.VaultKeyError` when unset."""
    return key if key is not None else require_key(why="storing order numbers with invitations (--orders)")


def _bound_to(token_hash: str) -> str:
    return f"invitation:{token_hash}"


def order_ref_hashes(key: VaultKey, refs: list[str], *, survey_id: str) -> list[str]:
    """The look-up hashes of ``refs`` for one survey (what ``order_ref_hash`` holds)."""
    return lookup_hashes(key, [str(r) for r in refs], scope=survey_id)


def seal_order_refs(key: VaultKey, refs: list[str | None], token_hashes: list[str], *,
                    survey_id: str) -> list[dict]:
    """The stored columns of each order number (all None for an invitation without one)."""
    hashes = iter(order_ref_hashes(key, [r for r in refs if r], survey_id=survey_id))
    out = []
    for ref, th in zip(refs, token_hashes, strict=True):
        if not ref:
            out.append({"order_ref_enc": None, "order_ref_hash": None, "order_ref_masked": None,
                        "order_key_id": None})
            continue
        text = str(ref)
        out.append({"order_ref_enc": encrypt(key, text, survey_id=survey_id, respondent_id=_bound_to(th),
                                             field_id=ORDER_FIELD),
                    "order_ref_hash": next(hashes), "order_ref_masked": mask(text, "reference"),
                    "order_key_id": key.key_id})
    return out


def open_order_ref(key: VaultKey, blob: bytes, *, survey_id: str, token_hash: str,
                   key_id: str | None = None) -> str:
    """The plain order number of one invitation row (VaultKeyError on a wrong key)."""
    if key_id is not None and key_id != key.key_id:
        raise VaultKeyError(f"the invitation order numbers of survey {survey_id!r} were encrypted with key "
                            f"{key_id}, but {KEY_VAR} is key {key.key_id}; set the right key or run "
                            "`csi rotate-key`.")
    try:
        return decrypt(key, blob, survey_id=survey_id, respondent_id=_bound_to(token_hash), field_id=ORDER_FIELD)
    except VaultKeyError:
        raise VaultKeyError(f"an invitation order number of survey {survey_id!r} cannot be decrypted with "
                            f"{KEY_VAR} (key {key.key_id}): wrong key or tampered data.") from None
