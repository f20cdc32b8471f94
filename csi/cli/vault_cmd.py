"""``csi purge``, ``csi rotate-key`` and ``csi new-key``: retention and keys of the contact vault."""

from __future__ import annotations

from typing import Annotated

import typer

from csi.cli.main import app, fail
from csi.cli.users_cmd import cli_actor
from csi.errors import CsiError

__all__ = ["purge_cmd", "rotate_key_cmd", "new_key_cmd"]

_DB = typer.Option(help="Store URL (default: CSI_DATABASE_URL or sqlite:///./var/csi.sqlite).")


@app.command("purge")
def purge_cmd(
    older_than: Annotated[float, typer.Option("--older-than", help="Delete contact data kept longer than DAYS.",
                                              metavar="DAYS", show_default=False)],
    db: Annotated[str | None, _DB] = None,
) -> None:
    """Delete kept contact data older than DAYS (cases stay, masked contact gone; audited)."""
    from csi.cases.contacts import purge_contacts
    from csi.store import open_store

    try:
        n = purge_contacts(open_store(db), older_than, actor=cli_actor())
    except CsiError as exc:
        raise fail(exc) from None
    typer.echo(f"{n} contact value(s) older than {older_than:g} days deleted")


@app.command("rotate-key")
def rotate_key_cmd(db: Annotated[str | None, _DB] = None) -> None:
    """Re-encrypt kept contact values and order numbers: old key CSI_PII_KEY_OLD -> new CSI_PII_KEY."""
    from csi.cases.contacts import rotate_key
    from csi.store import open_store
    from csi.vault import KEY_VAR, OLD_KEY_VAR, VaultKeyError, vault_key

    try:
        new = vault_key()
        old = vault_key(var=OLD_KEY_VAR)
        if new is None or old is None:
            raise VaultKeyError(f"set {OLD_KEY_VAR} to the current key and {KEY_VAR} to the new one "
                                f"(make one with `csi new-key`).")
        n = rotate_key(open_store(db), old, new, actor=cli_actor())
    except CsiError as exc:
        raise fail(exc) from None
    typer.echo(f"{n} contact value(s) and order number(s) re-encrypted: key {old.key_id} -> {new.key_id}; "
               f"keep only {KEY_VAR} from now on")


@app.command("new-key")
def new_key_cmd() -> None:
    """Print a fresh random secret for CSI_PII_KEY."""
    from csi.vault import new_secret

    typer.echo(new_secret())
