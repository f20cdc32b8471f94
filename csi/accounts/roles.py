"""Roles and what each may see and do: the one place the app asks for page access.

Roles (issue 18):

- ``admin`` -- users, surveys, settings: every page, every action, any case's contact;
- ``analyst`` -- every analysis page (and the data page), never contact data;
- ``agent`` -- the follow-up list only; may reveal and update the cases assigned to them;
- ``viewer`` -- the overview only.

Page keys are the ``url_path`` values of ``app.py``'s pages (``overview``, ``followup``, ...).
"""

from __future__ import annotations

from csi.errors import ParameterError

__all__ = ["ROLES", "PAGE_KEYS", "ACTIONS", "pages_for", "can", "check_role"]

#: Every role, most privileged first.
ROLES = ("admin", "analyst", "agent", "viewer")

#: Every page of the dashboard, in menu order (``url_path`` of ``st.Page``).
PAGE_KEYS = ("overview", "drivers", "complaints", "comments", "segments", "quality", "data", "editor", "take",
             "followup", "audit", "users", "settings")

_PAGES: dict[str, tuple[str, ...]] = {
    "admin": PAGE_KEYS,
    "analyst": ("overview", "drivers", "complaints", "comments", "segments", "quality", "data", "take"),
    "agent": ("followup",),
    "viewer": ("overview",),
}

#: Actions and the roles allowed them. ``own`` means "only on cases assigned to the user".
ACTIONS: dict[str, dict[str, str]] = {
    "manage_users": {"admin": "all"},
    "read_audit": {"admin": "all"},
    "edit_settings": {"admin": "all"},  # issue 19: alert rules
    "edit_survey": {"admin": "all"},
    "import_data": {"admin": "all", "analyst": "all"},
    "view_cases": {"admin": "all", "agent": "own"},
    "assign_cases": {"admin": "all"},
    "update_case": {"admin": "all", "agent": "own"},
    "reveal_contact": {"admin": "all", "agent": "own"},
    "export_cases": {"admin": "all", "agent": "own"},
}


def check_role(role: str) -> str:
    """Return ``role`` if it is one of :data:`ROLES`, else raise :class:`ParameterError`.

    >>> check_role("agent")
    'agent'
    """
    if role not in ROLES:
        raise ParameterError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}.")
    return role


def pages_for(role: str) -> tuple[str, ...]:
    """The page keys ``role`` may open, in menu order.

    >>> pages_for("viewer"), pages_for("agent")
    (('overview',), ('followup',))
    >>> "followup" in pages_for("analyst")
    False
    """
    return _PAGES[check_role(role)]


def can(role: str, action: str, *, user: str | None = None, owner: str | None = None) -> bool:
    """True when ``role`` may do ``action`` (on a case owned by ``owner``, for ``own`` grants).

    >>> can("agent", "reveal_contact", user="li", owner="li"), can("agent", "reveal_contact", user="li", owner="wang")
    (True, False)
    >>> can("analyst", "reveal_contact"), can("admin", "reveal_contact", user="a", owner=None)
    (False, True)
    """
    check_role(role)
    if action not in ACTIONS:
        raise ParameterError(f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}.")
    scope = ACTIONS[action].get(role)
    if scope is None:
        return False
    if scope == "all":
        return True
    return user is not None and owner is not None and user == owner
