"""Staff accounts: roles (:mod:`.roles`), users (:mod:`.users`), login throttling
(:mod:`.throttle`), sessions (:mod:`.login`) and the audit log (:mod:`.audit`)."""

from csi.accounts.roles import ROLES, can, pages_for

__all__ = ["ROLES", "can", "pages_for"]
