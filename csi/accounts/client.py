"""Which client a request comes from: the address the login throttle and the open-link rate
limit count by.

The address is the TCP peer the server sees. ``X-Forwarded-For`` is a request header any
client can write, so it is read only behind a reverse proxy the operator declares with
``CSI_BEHIND_PROXY=1``, and then only its *last* entry -- the one the proxy appended; earlier
entries are the client's own claim. Trusting the header otherwise would let a guesser (or a
ballot-stuffer) claim a new address on every request and never be throttled.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

__all__ = ["PROXY_VAR", "behind_proxy", "client_address"]

PROXY_VAR = "CSI_BEHIND_PROXY"


def behind_proxy(env: Mapping[str, str] | None = None) -> bool:
    """True when ``CSI_BEHIND_PROXY`` is ``1``, ``true`` or ``yes``."""
    env = os.environ if env is None else env
    return str(env.get(PROXY_VAR, "")).strip().lower() in ("1", "true", "yes")


def client_address(peer: object, forwarded_for: object = None, *,
                   env: Mapping[str, str] | None = None) -> str | None:
    """The client's address (at most 64 characters), or None when the server has none.

    >>> client_address("203.0.113.7", "198.51.100.1", env={})
    '203.0.113.7'
    >>> client_address("10.0.0.2", "198.51.100.1, 203.0.113.7", env={"CSI_BEHIND_PROXY": "1"})
    '203.0.113.7'
    """
    if behind_proxy(env) and isinstance(forwarded_for, str) and forwarded_for.strip():
        last = forwarded_for.split(",")[-1].strip()
        if last:
            return last[:64]
    return peer[:64] if isinstance(peer, str) and peer else None
