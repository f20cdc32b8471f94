"""The ``csi`` command line: one Typer app; each command group lives in its own module.

User errors (:class:`~csi.errors.CsiError`) are printed as located one-line messages on
stderr with exit code 2 -- never a traceback.
"""

from __future__ import annotations

import sys

import typer

from csi.errors import CsiError

app = typer.Typer(
    name="csi",
    help="Customer-satisfaction surveys and indices (PLS path modeling, CB-SEM, 0-100 index).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def fail(exc: CsiError | str) -> typer.Exit:
    """Print a user error (one line per located issue) to stderr; return Exit(2) to raise."""
    issues = getattr(exc, "issues", None)
    if issues:
        for issue in issues:
            typer.echo(str(issue), err=True)
    else:
        typer.echo(f"error: {exc}", err=True)
    return typer.Exit(code=2)


def _register() -> None:
    # Each module adds its commands to `app` (import order = help order).
    for name in ("survey_cmds", "simulate_cmd", "estimate_cmd", "data_cmds", "drivers_cmd", "bench_cmd", "auth_cmd",
                 "micom_cmd", "analyst_cmd",  # issue 16
                 "users_cmd", "cases_cmd", "vault_cmd",  # issue 18
                 "comments_cmd", "alerts_cmd"):  # issue 19
        try:
            __import__(f"csi.cli.{name}")
        except ModuleNotFoundError as exc:  # a command group not installed in this build
            if exc.name != f"csi.cli.{name}":
                raise
    __import__("csi.cli.invite_cmd")  # issue 20: csi invite


_register()


def main() -> None:  # pragma: no cover - thin wrapper for `python -m csi`
    try:
        app()
    except CsiError as exc:
        raise SystemExit(fail(exc).exit_code) from None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
