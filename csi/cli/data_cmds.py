"""Data commands: ``csi import`` (response file -> store, with a row-level report) and ``csi export``.

``csi import SURVEY FILE`` reads the file (:func:`csi.io.read_responses`), stores the valid rows
and the quarantined ones in one transaction (:meth:`csi.store.Store.import_frame`), prints a
summary and the first problems, and with ``--json OUT`` writes exactly the keys ``rows_read``,
``imported``, ``rejected``, ``duplicates`` (already stored respondent ids, skipped), ``flagged``,
``unmapped_columns`` and ``issues`` (``row, column, value, reason``). Exit 0 when the file was
read (even with rejected rows), 2 when the file itself is unusable (one-line reason).
Re-importing the same file adds nothing and says so.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from csi.cli.main import app, fail
from csi.errors import CsiError
from csi.survey import load_survey

__all__ = ["import_cmd", "export_cmd"]

_N_SHOWN = 10


@app.command("import")
def import_cmd(
    survey: Annotated[Path, typer.Argument(help="Survey YAML file.", show_default=False)],
    file: Annotated[Path, typer.Argument(help="Response file: CSV/TSV/XLSX/XLS or a platform export.",
                                         show_default=False)],
    platform: Annotated[str | None, typer.Option(help="Layout: plain, wenjuanxing, qualtrics, surveymonkey, "
                                                      "google_forms, generic (default: detected).")] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding (default: BOM, UTF-8, then detected).")] = None,
    date_order: Annotated[str | None, typer.Option(
        "--date-order", help="dmy or mdy: order of dates like 03/04/2026 when the column does not tell "
                             "(default: the platform's).")] = None,
    mapping: Annotated[Path | None, typer.Option(help="YAML file mapping source columns to field ids.")] = None,
    db: Annotated[str | None, typer.Option(help="Store URL (default: CSI_DATABASE_URL or sqlite:///./var/csi.sqlite).")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the summary as JSON here.")] = None,
    keep_pii: Annotated[bool, typer.Option("--keep-pii", help="Keep contact columns as keyed HMAC-SHA256 "
                                                              "pseudonyms (key: CSI_PII_KEY; never raw); "
                                                              "default: dropped.")] = False,
    include_unfinished: Annotated[bool, typer.Option(
        "--include-unfinished", help="Keep responses the platform marks unfinished (Qualtrics Finished = 0).")] = False,
    drop_contact: Annotated[bool, typer.Option("--drop-contact", help="Do not keep contact data even if the survey "
                                                                      "keeps it (followup.keep_contact).")] = False,
) -> None:
    """Import responses into the store and report every problem (row, column, value, reason)."""
    from csi.io import read_responses
    from csi.io.mapping import load_mapping_file
    from csi.io.pseudonym import pseudonym_key
    from csi.store import open_store
    from csi.vault import VaultKeyError

    try:
        s = load_survey(survey)
        cmap, codes = load_mapping_file(mapping) if mapping else (None, None)
        key = pseudonym_key() if keep_pii else None
        store = open_store(db)
        # issue 18: follow-up cases; consented contact data kept encrypted (refused without CSI_PII_KEY)
        from csi.cases.intake import (
            cases_after_import,
            contact_key,
            contacts_offered,
            keeps_contact,
        )
        keep = keeps_contact(s) and not drop_contact
        res = read_responses(file, s, platform=platform, encoding=encoding, mapping=cmap, pii_key=key,
                             codes=codes, include_unfinished=include_unfinished, keep_contact=keep,
                             date_order=date_order)
        vault_key = contact_key(s) if keep and contacts_offered(s, res.valid, res.contacts) else None
        summary = store.import_frame(
            s, res.valid, source_name=file.name, file_hash=res.file_hash, platform=res.platform,
            rejected=res.rejected, issues=res.issues, rows_read=res.rows_read, encoding=res.encoding,
            flagged=res.flagged, pii_hashes=res.pii_hashes, missing_types=res.missing_types)
        opened = cases_after_import(store, s, res, summary, key=vault_key)
        if not summary.already_imported:  # issue 19: comments analysed now, not on the first page view
            from csi.store.comment_cache import warm_comment_cache

            warm_comment_cache(s, res.valid, store.url)
    except VaultKeyError as exc:
        raise fail(f"{exc} Nothing was imported; to store the responses without contact data, add "
                   "--drop-contact.") from None
    except CsiError as exc:
        raise fail(exc) from None
    typer.echo(f"{file.name}: platform {res.platform}, encoding {res.encoding}")
    if summary.already_imported:
        typer.echo(summary.message)
    else:
        typer.echo(f"{res.rows_read} rows read: {summary.imported} imported, {summary.rejected} rejected, "
                   f"{summary.duplicates} already stored (skipped), {summary.flagged} flagged for quality "
                   f"(kept); batch {summary.batch_id}")
    if res.unmapped_columns:
        typer.echo(f"unmapped columns (ignored): {', '.join(res.unmapped_columns)}")
    if res.pii_columns:
        how = "kept as keyed pseudonyms" if keep_pii else "dropped"
        if opened.contacts_kept:
            how += f" from the responses (kept encrypted in the contact vault for {opened.contacts_kept} value(s) of consenting respondents with a case)"
        typer.echo(f"contact columns {how}: {len(res.pii_columns)}")
    if opened.opened:
        typer.echo(f"follow-up cases opened: {opened.opened}")
    for line in res.recodings:
        typer.echo(f"recoded {line}")
    if res.scrubbed.get("cells"):
        typer.echo(f"contact data scrubbed from {res.scrubbed['cells']} free-text cell(s): "
                   f"{res.scrubbed['phone']} phone, {res.scrubbed['email']} e-mail, {res.scrubbed['id']} ID number(s)")
    if res.excluded:
        typer.echo(f"{res.excluded} row(s) excluded as previews, tests or unfinished (in the quarantine)")
    for issue in res.issues[:_N_SHOWN]:
        where = f"row {issue.row}" + (f", {issue.column}" if issue.column else "")
        got = f" (got {issue.value!r})" if issue.column else ""
        typer.echo(f"  {where}: {issue.expected}{got}")
    if len(res.issues) > _N_SHOWN:
        typer.echo(f"  ... {len(res.issues) - _N_SHOWN} more problems (see --json)")
    if json_out is not None:
        imported = 0 if summary.already_imported else summary.imported
        out = {
            "rows_read": res.rows_read,
            "imported": imported,
            "rejected": len(res.rejected) if not summary.already_imported else 0,
            "duplicates": summary.duplicates if not summary.already_imported else len(res.valid),
            "flagged": summary.flagged,
            "unmapped_columns": list(res.unmapped_columns),
            "issues": [{"row": i.row, "column": i.column, "value": _jsonable(i.value), "reason": i.expected}
                       for i in res.issues],
        }
        json_out.write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")


def _jsonable(v: object) -> object:
    if v is None or isinstance(v, str | int | float | bool):
        return v
    return str(v)


@app.command("export")
def export_cmd(
    survey: Annotated[str, typer.Argument(help="Survey YAML file, or the id of a stored survey.", show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="Output file.", show_default=False)],
    format: Annotated[str, typer.Option("--format", help="csv, xlsx or parquet.")] = "csv",  # noqa: A002
    db: Annotated[str | None, typer.Option(help="Store URL (default: CSI_DATABASE_URL or sqlite:///./var/csi.sqlite).")] = None,
    missing_types: Annotated[bool, typer.Option(
        "--missing-types", help="Add a <field>__missing column per field: dont_know, not_shown, skipped, "
                                "no_answer.")] = False,
) -> None:
    """Export stored responses (canonical frame, no contact data; formula-safe spreadsheets)."""
    from csi.io.export import export_responses
    from csi.store import open_store

    try:
        store = open_store(db)
        s = load_survey(survey) if Path(survey).suffix in (".yaml", ".yml") or Path(survey).exists() \
            else store.load_survey(survey)
        if missing_types:
            frame, types = store.responses_frame(s, with_missing_types=True)
        else:
            frame, types = store.responses_frame(s), None
        versions = store.frame_versions(s)
        export_responses(frame, out, format=format, survey=s, missing_types=types)
        from csi.accounts.audit import record  # issue 18: exports are audited
        from csi.cli.users_cmd import cli_actor

        record(store, cli_actor(), "responses_exported", target=s.id,
               detail=f"{len(frame)} responses as {format} (no contact data)")
    except CsiError as exc:
        raise fail(exc) from None
    label = "version" if len(versions) == 1 else "versions"
    typer.echo(f"{len(frame)} responses written to {out} (survey {s.id}, {label} {', '.join(versions) or '-'})")
