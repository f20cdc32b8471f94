"""``csi users add|list|disable|enable|reset|role`` and ``csi audit``: staff accounts and the audit log.

Commands run with direct access to the store, so they act as an administrator; the audit log
names the actor ``cli:<operating-system user>``. Passwords are prompted (not echoed) unless
given with ``--password`` (for scripts; avoid it on shared machines).
"""

from __future__ import annotations

import getpass
import json
from typing import Annotated

import typer

from csi.cli.main import app, fail
from csi.errors import CsiError

__all__ = ["users_app", "cli_actor"]

users_app = typer.Typer(help="Staff accounts: roles admin, analyst, agent, viewer.", no_args_is_help=True)
app.add_typer(users_app, name="users")

_DB = typer.Option(help="Store URL (default: CSI_DATABASE_URL or sqlite:///./var/csi.sqlite).")


def cli_actor() -> str:
    """The audit-log name of whoever runs the command line."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no user name in some containers
        return "cli"


def _store(db: str | None):
    from csi.store import open_store

    return open_store(db)


@users_app.command("add")
def add_cmd(
    username: Annotated[str, typer.Argument(help="Login name (a-z, 0-9, . _ -).", show_default=False)],
    role: Annotated[str, typer.Option(help="admin, analyst, agent or viewer.")] = "agent",
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True,
                                          help="The password (prompted when omitted).")] = ...,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    db: Annotated[str | None, _DB] = None,
) -> None:
    """Create a staff account."""
    from csi.accounts.users import add_user

    try:
        u = add_user(_store(db), username, password, role, actor=cli_actor(), display_name=name)
    except CsiError as exc:
        raise fail(exc) from None
    typer.echo(f"user {u.username} added (role {u.role})")


@users_app.command("list")
def list_cmd(db: Annotated[str | None, _DB] = None,
             as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List the staff accounts (never their password hashes)."""
    from csi.accounts.users import list_users

    try:
        frame = list_users(_store(db))
    except CsiError as exc:
        raise fail(exc) from None
    if as_json:
        typer.echo(json.dumps(frame.to_dict("records"), ensure_ascii=False, indent=2))
        return
    if not len(frame):
        typer.echo("no staff accounts (the CSI_ADMIN_PASSWORD login is the only one)")
    for r in frame.itertuples(index=False):
        typer.echo(f"{r.username:<20} {r.role:<8} {'disabled' if r.disabled else 'active':<8} {r.display_name or ''}")


@users_app.command("disable")
def disable_cmd(username: Annotated[str, typer.Argument(show_default=False)],
                db: Annotated[str | None, _DB] = None) -> None:
    """Disable an account (its sessions end at once)."""
    from csi.accounts.users import set_disabled

    try:
        set_disabled(_store(db), username, True, actor=cli_actor())
    except CsiError as exc:
        raise fail(exc) from None
    typer.echo(f"user {username} disabled")


@users_app.command("enable")
def enable_cmd(username: Annotated[str, typer.Argument(show_default=False)],
               db: Annotated[str | None, _DB] = None) -> None:
    """Re-enable a disabled account."""
    from csi.accounts.users import set_disabled

    try:
        set_disabled(_store(db), username, False, actor=cli_actor())
    except CsiError as exc:
        raise fail(exc) from None
    typer.echo(f"user {username} enabled")


@users_app.command("reset")
def reset_cmd(
    username: Annotated[str, typer.Argument(show_default=False)],
    password: Annotated[str, typer.Option(prompt="New password", hide_input=True, confirmation_prompt=True,
                                          help="The new password (prompted when omitted).")] = ...,
    db: Annotated[str | None, _DB] = None,
) -> None:
    """Set a new password (the account's sessions end)."""
    from csi.accounts.users import reset_password

    try:
        reset_password(_store(db), username, password, actor=cli_actor())
    except CsiError as exc:
        raise fail(exc) from None
    typer.echo(f"password of {username} reset")


@users_app.command("role")
def role_cmd(username: Annotated[str, typer.Argument(show_default=False)],
             role: Annotated[str, typer.Argument(help="admin, analyst, agent or viewer.", show_default=False)],
             db: Annotated[str | None, _DB] = None) -> None:
    """Change an account's role (audited)."""
    from csi.accounts.users import set_role

    try:
        set_role(_store(db), username, role, actor=cli_actor())
    except CsiError as exc:
        raise fail(exc) from None
    typer.echo(f"user {username} is now {role}")


@app.command("audit")
def audit_cmd(
    limit: Annotated[int, typer.Option(help="Newest N entries.")] = 50,
    action: Annotated[str | None, typer.Option(help="Only this action (e.g. contact_revealed).")] = None,
    db: Annotated[str | None, _DB] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show the audit log (logins, failed logins, reveals, exports, role changes, purges)."""
    from csi.accounts.audit import read_audit

    try:
        frame = read_audit(_store(db), limit=limit, action=action)
    except CsiError as exc:
        raise fail(exc) from None
    if as_json:
        typer.echo(json.dumps(frame.to_dict("records"), ensure_ascii=False, indent=2))
        return
    for r in frame.itertuples(index=False):
        typer.echo(f"{r.at[:19]}  {r.actor:<16} {r.action:<17} {r.target or '':<10} {r.detail or ''}")
