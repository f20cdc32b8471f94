"""Login throttling per account and per client, with exponential back-off.

Every login attempt is stored (``login_attempts``: account name, client, ok, time). For an
account (and, separately, for a client address) the *consecutive failures* are the failed
attempts since its last successful login. The first ``free`` failures cost nothing; after
that each further attempt must wait

    wait(k) = min(cap, base * 2 ** (k - free))   seconds after the last failure,

where ``k`` is the number of consecutive failures (OWASP's "exponential back-off with a cap").
Defaults: 5 free failures per account, 10 per client (an office shares one address), base
1 s, cap 15 min -- so 20 wrong passwords in a row cannot be typed in less than about 1 h 40 min,
and the 21st attempt straight after the 20th is refused with the time left. An attempt made
while a wait is running is refused without checking the password and does not count as a
failure (the wait does not grow while the user waits). A success resets the counter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from csi.accounts.audit import iso, utcnow
from csi.store.schema import login_attempts

__all__ = ["Policy", "ThrottleState", "DEFAULT_ACCOUNT", "DEFAULT_CLIENT", "backoff_seconds",
           "throttle_state", "record_attempt", "wait_parts"]


@dataclass(frozen=True)
class Policy:
    """Back-off policy: ``free`` failures without a wait, then ``base * 2**(k-free)`` s up to ``cap``."""

    free: int
    base: float = 1.0
    cap: float = 900.0


DEFAULT_ACCOUNT = Policy(free=5)
DEFAULT_CLIENT = Policy(free=10)


def backoff_seconds(failures: int, policy: Policy = DEFAULT_ACCOUNT) -> float:
    """Seconds to wait after the last of ``failures`` consecutive failures.

    >>> [backoff_seconds(k) for k in (0, 4, 5, 6, 8, 20)]
    [0.0, 0.0, 1.0, 2.0, 8.0, 900.0]
    """
    if failures < policy.free:
        return 0.0
    return float(min(policy.cap, policy.base * 2.0 ** min(failures - policy.free, 60)))


@dataclass(frozen=True)
class ThrottleState:
    """Whether a login may be tried now: ``wait_seconds`` > 0 means refused; ``scope`` is
    ``"account"`` or ``"client"`` (whichever makes the wait), ``failures`` its count."""

    wait_seconds: float
    scope: str | None
    failures: int

    @property
    def refused(self) -> bool:
        return self.wait_seconds > 0


def _failures(conn, column, value: str) -> tuple[int, datetime | None]:
    last_ok = conn.execute(sa.select(sa.func.max(login_attempts.c.id))
                           .where(column == value, login_attempts.c.ok.is_(True))).scalar()
    q = sa.select(sa.func.count(), sa.func.max(login_attempts.c.at)).where(
        column == value, login_attempts.c.ok.is_(False))
    if last_ok is not None:
        q = q.where(login_attempts.c.id > last_ok)
    n, last = conn.execute(q).one()
    return int(n), (datetime.fromisoformat(last) if last else None)


def throttle_state(conn, username: str, client: str, *, now: datetime | None = None,
                   account: Policy = DEFAULT_ACCOUNT, per_client: Policy = DEFAULT_CLIENT) -> ThrottleState:
    """The back-off in force for ``username`` from ``client`` at ``now`` (naive UTC)."""
    now = now or utcnow()
    best = ThrottleState(0.0, None, 0)
    for scope, column, value, policy in (("account", login_attempts.c.username, username, account),
                                         ("client", login_attempts.c.client, client, per_client)):
        n, last = _failures(conn, column, value)
        if last is None:
            continue
        until = last + timedelta(seconds=backoff_seconds(n, policy))
        wait = (until - now).total_seconds()
        if wait > best.wait_seconds:
            best = ThrottleState(wait, scope, n)
    return best


def record_attempt(conn, username: str, client: str, ok: bool, *, now: datetime | None = None) -> None:
    """Store one checked attempt (inside an open write transaction)."""
    conn.execute(login_attempts.insert().values(username=str(username)[:64], client=str(client)[:64],
                                                ok=bool(ok), at=iso(now or utcnow())))


def wait_parts(seconds: float) -> tuple[int, str]:
    """A wait for display: whole minutes (rounded up) from 60 s, else whole seconds.

    >>> wait_parts(0.2), wait_parts(59.1), wait_parts(61), wait_parts(900)
    ((1, 's'), (60, 's'), (2, 'min'), (15, 'min'))
    """
    import math

    s = max(1, math.ceil(seconds))
    return (math.ceil(s / 60), "min") if s > 60 else (s, "s")
