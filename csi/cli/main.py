"""The ``csi`` command line: one Typer app; each command group lives in its own module.

User errors (:class:`~csi.errors.CsiError`) are printed as located one-line messages on
stderr with exit code 2 -- never a traceback. ``csi``, ``python -m csi`` and
``python -m csi.cli.main`` run the same app.
"""

from __future__ import annotations

import sys

import click
import typer
from typer.core import TyperGroup

from csi.errors import CsiError


def hide_flag_metavars(command: click.Command, ctx: click.Context) -> None:
    """Show on/off flags (``--consistent``, ``--help``) without a placeholder such as ``<bool>``.

    Typer labels every option with its type; a flag takes no value, so the label only
    misleads (``--consistent true`` is rejected). An empty metavar hides it in both the rich
    and the plain help; parsing is unchanged.
    """
    params = list(command.params)
    help_option = command.get_help_option(ctx)
    if help_option is not None:
        params.append(help_option)
    for param in params:
        if getattr(param, "is_flag", False) and param.param_type_name == "option" and param.metavar is None:
            param.metavar = ""
    for sub in getattr(command, "commands", {}).values():  # sub-groups: csi cases list, ...
        hide_flag_metavars(sub, ctx)


class CsiGroup(TyperGroup):
    """The ``csi`` group: Typer's, with flags shown without ``<bool>`` in every command's help."""

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        hide_flag_metavars(self, ctx)
        return super().get_params(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            hide_flag_metavars(command, ctx)
        return command


app = typer.Typer(
    name="csi",
    cls=CsiGroup,
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
                 "comments_cmd", "alerts_cmd",  # issue 19
                 "report_cmd"):  # issue 17
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


if __name__ == "__main__":  # pragma: no cover - `python -m csi.cli.main`
    # Run as a script this file is the module ``__main__``; the command modules register on the
    # ``app`` of ``csi.cli.main`` (a second import of this file), so run that one.
    from csi.cli.main import main as _main

    sys.exit(_main())
