"""``csi cases list|assign|update|export``: the follow-up list on the command line.

Contact data are always masked here (a full number is shown only on the Follow-up page, one
case at a time, with a logged reason). Commands act as an administrator (direct store access);
the audit log names the actor ``cli:<user>``. ``--json`` prints machine-readable JSON on
stdout: a list of cases (``list``, ``export`` without ``--out``) or an object with the counts.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer

from csi.cli.main import app, fail
from csi.cli.users_cmd import cli_actor
from csi.errors import CsiError, ParameterError

__all__ = ["cases_app"]

cases_app = typer.Typer(help="Follow-up cases: who to call back, and how it went.", no_args_is_help=True)
app.add_typer(cases_app, name="cases")

_DB = typer.Option(help="Store URL (default: CSI_DATABASE_URL or sqlite:///./var/csi.sqlite).")
_JSON = typer.Option("--json", help="Print JSON on stdout.")


def _ctx(db: str | None):
    from csi.cases.workflow import Actor
    from csi.store import open_store

    return open_store(db), Actor(cli_actor(), "admin")


def _records(frame) -> list[dict]:
    out = []
    for rec in frame.to_dict("records"):
        out.append({k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in rec.items()})
    return out


def _select(store, survey, status, owner, overdue):
    from csi.cases.store import filter_cases, list_cases

    frame = list_cases(store, survey, status=status or None, owner=None if owner in (None, "-") else owner)
    return filter_cases(frame, owner="-" if owner == "-" else None, overdue_only=overdue)


@cases_app.command("list")
def list_cmd(
    survey: Annotated[str | None, typer.Option(help="Only this survey id.")] = None,
    status: Annotated[list[str] | None, typer.Option(help="Only this status (repeatable).")] = None,
    owner: Annotated[str | None, typer.Option(help="Only this owner ('-': unassigned).")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue cases.")] = False,
    db: Annotated[str | None, _DB] = None,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """List cases, overdue first (contact masked)."""
    from csi.cases.workflow import EXPORT_COLUMNS

    try:
        store, _ = _ctx(db)
        frame = _select(store, survey, status, owner, overdue)
    except CsiError as exc:
        raise fail(exc) from None
    if as_json:
        typer.echo(json.dumps(_records(frame.reindex(columns=EXPORT_COLUMNS)), ensure_ascii=False, indent=2))
        return
    if not len(frame):
        typer.echo("no cases")
        return
    for r in frame.itertuples(index=False):
        late = "OVERDUE " if r.overdue else ""
        typer.echo(f"#{r.case_id:<6} {late}{r.status:<11} due {r.due_at[:16]}  owner {r.owner or '-':<12} "
                   f"{r.reasons}  {r.contact if isinstance(r.contact, str) else ''}")
    typer.echo(f"{len(frame)} case(s), {int(frame['overdue'].sum())} overdue")


@cases_app.command("assign")
def assign_cmd(
    case_ids: Annotated[list[int] | None, typer.Argument(help="Case numbers.", show_default=False)] = None,
    to: Annotated[str | None, typer.Option("--to", help="Agent (or admin) user name.")] = None,
    unassign: Annotated[bool, typer.Option("--unassign", help="Remove the owner.")] = False,
    unassigned: Annotated[bool, typer.Option("--unassigned", help="Take the unassigned new cases, overdue first.")] = False,
    limit: Annotated[int | None, typer.Option(help="With --unassigned: at most N cases.")] = None,
    survey: Annotated[str | None, typer.Option(help="With --unassigned: only this survey id.")] = None,
    db: Annotated[str | None, _DB] = None,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Assign cases to an agent (by number, or the next unassigned ones with --unassigned)."""
    from csi.cases.workflow import assign_cases

    try:
        if (to is None) == (not unassign):
            raise ParameterError("give either --to USER or --unassign.")
        store, actor = _ctx(db)
        ids = list(case_ids or [])
        if unassigned:
            frame = _select(store, survey, ["new"], "-", False)
            ids += frame["case_id"].astype(int).tolist()[:limit] if len(frame) else []
        if not ids:
            raise ParameterError("no cases to assign: give case numbers or --unassigned.")
        n = assign_cases(store, ids, None if unassign else to, actor=actor)
    except CsiError as exc:
        raise fail(exc) from None
    if as_json:
        typer.echo(json.dumps({"assigned": n, "case_ids": sorted(set(ids)), "owner": None if unassign else to}))
    else:
        typer.echo(f"{n} case(s) assigned to {to or '(nobody)'}")


@cases_app.command("update")
def update_cmd(
    case_id: Annotated[int, typer.Argument(help="Case number.", show_default=False)],
    status: Annotated[str | None, typer.Option(help="contacted, resolved, unreachable or closed.")] = None,
    note: Annotated[str | None, typer.Option(help="A note for the case history.")] = None,
    db: Annotated[str | None, _DB] = None,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Change a case's status and/or add a note."""
    from csi.cases.workflow import update_case

    try:
        store, actor = _ctx(db)
        case = update_case(store, case_id, actor=actor, status=status, note=note)
    except CsiError as exc:
        raise fail(exc) from None
    if as_json:
        typer.echo(json.dumps({k: case[k] for k in ("case_id", "status", "owner", "first_contact_at", "closed_at")}))
    else:
        typer.echo(f"case {case_id}: {case['status']}")


@cases_app.command("export")
def export_cmd(
    out: Annotated[Path | None, typer.Option("--out", help="CSV file (default: JSON on stdout with --json).")] = None,
    survey: Annotated[str | None, typer.Option(help="Only this survey id.")] = None,
    status: Annotated[list[str] | None, typer.Option(help="Only this status (repeatable).")] = None,
    owner: Annotated[str | None, typer.Option(help="Only this owner ('-': unassigned).")] = None,
    db: Annotated[str | None, _DB] = None,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Export cases for the team (contact masked; audited)."""
    from csi.cases.workflow import export_cases

    try:
        if out is None and not as_json:
            raise ParameterError("give --out FILE.csv, or --json for JSON on stdout.")
        store, actor = _ctx(db)
        frame = export_cases(store, _select(store, survey, status, owner, False), actor=actor)
        if out is not None:
            if out.suffix.lower() == ".json":
                out.write_text(json.dumps(_records(frame), ensure_ascii=False, indent=2), encoding="utf-8")
            else:
                from csi.io.export import neutralize_formulas

                neutralize_formulas(frame).to_csv(out, index=False, encoding="utf-8-sig")
    except CsiError as exc:
        raise fail(exc) from None
    if out is None:
        typer.echo(json.dumps(_records(frame), ensure_ascii=False, indent=2))
    elif as_json:
        typer.echo(json.dumps({"exported": len(frame), "out": str(out)}))
    else:
        typer.echo(f"{len(frame)} case(s) written to {out} (contact masked)")
