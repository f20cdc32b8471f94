"""Who is using the app: the signed-in user and role (set by ``app.py`` on every run), the
client address for the login throttle, and the Streamlit-secrets fallbacks for keys."""

from __future__ import annotations

import streamlit as st

from app_pages.common import T

__all__ = ["current_user", "client_address", "secret", "role_label", "vault_key_or_none"]


def current_user() -> tuple[str, str]:
    """``(username, role)`` of this session (``("demo", "admin")`` in local-demo mode)."""
    return st.session_state.get("user", "demo"), st.session_state.get("role", "admin")


def client_address() -> str:
    """The browser as the login throttle and the audit log name it: a salted hash of its
    address (the raw IP is never stored or shown), read by
    :func:`csi.accounts.client.client_address` (``X-Forwarded-For`` only behind a declared
    proxy, so a client cannot pick its own)."""
    from app_pages import common
    from csi.accounts.client import client_address as address
    from csi.invite.ratelimit import client_key

    try:
        addr = address(st.context.ip_address, st.context.headers.get("X-Forwarded-For"))
    except Exception:  # noqa: BLE001 - no request context (bare mode)
        addr = None
    if not isinstance(addr, str):  # AppTest has no real request
        return "unknown"
    return "c-" + client_key(addr, common.store().pii_salt())[:16]


def secret(name: str) -> dict:
    """``{name: value}`` from Streamlit secrets, or ``{}`` (no secrets.toml is the normal case)."""
    try:
        return {name: st.secrets[name]} if name in st.secrets else {}
    except Exception:  # noqa: BLE001
        return {}


def vault_key_or_none():
    """The contact-vault key from ``CSI_PII_KEY`` (environment, then secrets), or None."""
    from csi.vault import KEY_VAR, vault_key

    return vault_key(None, secret(KEY_VAR))


def role_label(role: str) -> str:
    return T(f"role_{role}")


def audit_download(what: str) -> None:
    """``on_click`` of a download button that hands out response-level data: audited."""
    from app_pages import common
    from csi.accounts.audit import record

    user, _ = current_user()
    record(common.store(), user, "responses_exported", detail=what, client=client_address())
