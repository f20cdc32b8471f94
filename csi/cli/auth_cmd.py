"""``csi hash-password``: make a value for ``CSI_ADMIN_PASSWORD_HASH``.

The password is best not an argument (it would land in the shell history and ``ps``): on a
terminal it is prompted twice, not echoed; otherwise the first line of standard input is
read (``printf '%s\\n' "$PW" | csi hash-password``; the line end is not part of it).
"""

from __future__ import annotations

import sys

import typer

from csi.auth import DEFAULT_ITERATIONS, AuthConfigError, hash_password
from csi.cli.main import app, fail


def read_password(stdin=None) -> str:
    """The password: prompted twice on a terminal, else the first line of ``stdin``."""
    stdin = sys.stdin if stdin is None else stdin
    if stdin.isatty():
        return typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    line = stdin.readline()
    if not line:
        raise fail("no password on standard input (give it as one line, or run on a terminal to be prompted)")
    return line.rstrip("\r\n")


@app.command("hash-password")
def hash_password_cmd(
    password: str | None = typer.Option(None, help="The password (avoid: it stays in the shell history; "
                                        "default: prompted on a terminal, else one line of stdin)."),
    iterations: int = typer.Option(DEFAULT_ITERATIONS, help="PBKDF2-HMAC-SHA256 iterations."),
) -> None:
    """Print a salted hash for CSI_ADMIN_PASSWORD_HASH (pbkdf2_sha256$<iterations>$<salt_b64>$<hash_b64>).

    The password is prompted (twice, not echoed) on a terminal, else read as one line from
    standard input."""
    if password is None:
        password = read_password()
    if not password:
        raise fail("the password is empty")
    try:
        typer.echo(hash_password(password, iterations=iterations))
    except AuthConfigError as exc:
        raise fail(exc) from None
