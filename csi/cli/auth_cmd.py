"""``csi hash-password``: make a value for ``CSI_ADMIN_PASSWORD_HASH``."""

from __future__ import annotations

import typer

from csi.auth import DEFAULT_ITERATIONS, AuthConfigError, hash_password
from csi.cli.main import app, fail


@app.command("hash-password")
def hash_password_cmd(
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True,
                                 help="The manager password (prompted, not echoed, when omitted)."),
    iterations: int = typer.Option(DEFAULT_ITERATIONS, help="PBKDF2-HMAC-SHA256 iterations."),
) -> None:
    """Print a salted hash for CSI_ADMIN_PASSWORD_HASH (pbkdf2_sha256$<iterations>$<salt_b64>$<hash_b64>)."""
    try:
        typer.echo(hash_password(password, iterations=iterations))
    except AuthConfigError as exc:
        raise fail(exc) from None
