"""Invitations: single-use form links (tokens stored hashed), their QR codes, the order file
they are made from, and the per-client rate limit of the open link.

- :mod:`csi.invite.tokens` -- token generation, hashing and the public URL;
- :mod:`csi.invite.qr` -- a QR code (PNG bytes) for a URL (``segno``);
- :mod:`csi.invite.orders` -- the order file (order reference + segment values) -> rows;
- :mod:`csi.invite.registry` -- invitations in the store: create, look up, mark opened,
  answer once; response tracking (sent, opened, completed, rate by wave and channel);
- :mod:`csi.invite.ratelimit` -- sliding-window limit of open-link submissions per client.
"""

from csi.invite.qr import qr_png
from csi.invite.registry import (
    Invitation,
    TokenCheck,
    check_token,
    create_invitations,
    invitation_answers,
    invitation_status,
    mark_opened,
    response_rates,
    submit_with_token,
)
from csi.invite.tokens import form_url, hash_token, new_token, public_base_url

__all__ = ["Invitation", "TokenCheck", "check_token", "create_invitations", "invitation_answers", "invitation_status",
           "mark_opened", "response_rates", "submit_with_token", "qr_png", "form_url",
           "hash_token", "new_token", "public_base_url"]
