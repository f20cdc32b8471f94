"""Submissions through the open link (``?survey=<id>`` without a token): rate limited per client.

The limit is checked and recorded before the response is written (one lock, so a burst of
concurrent submissions never gets more than ``limit`` through); a submission that then fails
validation gives its slot back. Every accepted submission is stored -- nothing accepted is
lost -- and every refused one raises :class:`RateLimitedError` having stored nothing.
"""

from __future__ import annotations

from csi.errors import CsiError
from csi.invite.ratelimit import RateLimiter

__all__ = ["RateLimitedError", "submit_open"]


class RateLimitedError(CsiError, RuntimeError):
    """Too many open-link submissions from one client within the window; nothing was stored."""


def submit_open(store, survey, answers: dict, *, submission_key: str, limiter: RateLimiter,
                client: str) -> str:
    """Store one open-link response if ``client`` is under the limit; return its respondent id.

    ``client`` is a hashed client key (:func:`csi.invite.ratelimit.client_key`). A double
    click (same ``submission_key``) returns the stored response without taking a slot.

    Raises
    ------
    RateLimitedError
        The client has used its ``limiter.limit`` submissions of the window.
    ResponseImportError
        Invalid answers (the slot is given back).
    """
    import sqlalchemy as sa

    from csi.store.schema import responses

    with store.engine.connect() as conn:
        prior = conn.execute(sa.select(responses.c.respondent_id).where(
            responses.c.survey_id == survey.id,
            responses.c.submission_key == str(submission_key)[:128])).first()
    if prior is not None:
        return str(prior[0])
    if not limiter.acquire(client):
        raise RateLimitedError(f"more than {limiter.limit} submissions from one client within "
                               f"{limiter.window / 60:g} minutes; try again later")
    try:
        return store.submit_response(survey, answers, submission_key=submission_key)
    except Exception:
        limiter.release(client)
        raise
