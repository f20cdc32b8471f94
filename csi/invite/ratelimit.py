"""Per-client rate limit of open-link form submissions (a sliding window, thread-safe).

Clients are identified by a salted hash of their address (the raw IP is never kept). The
limiter lives in the app process (``st.cache_resource``), so it covers every browser session
of one server; with several server processes each keeps its own count.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque

__all__ = ["RateLimiter", "client_key"]


def client_key(address: str | None, salt: str = "") -> str:
    """A salted SHA-256 of a client address (``"unknown"`` when the address is not known).

    >>> client_key("203.0.113.7", "s") == client_key("203.0.113.7", "s") != client_key("203.0.113.8", "s")
    True
    """
    return hashlib.sha256(f"{salt}\x1f{address or 'unknown'}".encode()).hexdigest()


class RateLimiter:
    """At most ``limit`` accepted events per key within ``window`` seconds.

    :meth:`acquire` checks and records in one step (under a lock), so concurrent submissions
    from one client can never exceed the limit; :meth:`release` gives a slot back when the
    submission it was taken for was not stored.

    Examples
    --------
    >>> rl = RateLimiter(limit=2, window=60)
    >>> [rl.acquire("a", now=t) for t in (0, 1, 2)], rl.acquire("b", now=2), rl.acquire("a", now=61)
    ([True, True, False], True, True)
    """

    def __init__(self, limit: int, window: float):
        self.limit = int(limit)
        self.window = float(window)
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str, *, now: float | None = None) -> bool:
        """Record one event for ``key`` if under the limit; return whether it was accepted."""
        t = time.monotonic() if now is None else float(now)
        with self._lock:
            q = self._events.setdefault(key, deque())
            while q and q[0] <= t - self.window:
                q.popleft()
            if len(q) >= self.limit:
                return False
            q.append(t)
            return True

    def release(self, key: str) -> None:
        """Give back the newest slot of ``key`` (its submission was not stored)."""
        with self._lock:
            q = self._events.get(key)
            if q:
                q.pop()

    def remaining(self, key: str, *, now: float | None = None) -> int:
        """Events ``key`` may still have in the current window."""
        t = time.monotonic() if now is None else float(now)
        with self._lock:
            q = self._events.get(key, deque())
            return max(self.limit - sum(1 for e in q if e > t - self.window), 0)
