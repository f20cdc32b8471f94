"""``csi invite``: single-use invitation links (one per order), each with a QR code image.

``csi invite SURVEY --count N [--orders FILE.csv] [--channel C] [--expires DAYS] [--db URL]
--json OUT`` stores N invitations (tokens hashed) and writes OUT with the keys ``survey``,
``count``, ``wave``, ``expires_at``, ``open_link`` (the survey's open link, null when
``access: open_link: false``), ``qr_dir`` and ``invitations`` -- one object per token with
``token``, ``url``, ``qr_png`` (path of its PNG, relative to OUT's folder), ``order_ref``,
``channel``, ``wave``, ``segments`` and ``expires_at`` -- and ``already_invited``: the orders
of the file that had an invitation before (one link per order), each as ``row`` (its first row
in the file, 1 = first data row) and ``order_ref`` masked (``32***89``); they get no new link
and are listed on stderr too. The plain tokens appear only in OUT: keep it like a list of
passwords. With ``--orders`` the count defaults to the number of orders in the file.

Order numbers are stored encrypted, so ``--orders`` needs ``CSI_PII_KEY``.

Exit codes: 0 -- invitations made (some orders may have been skipped as already invited);
1 -- every order of the file was already invited: nothing new, OUT written with ``count`` 0;
2 -- bad input (survey, order file, options, missing key), nothing stored.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from csi.cli.main import app, fail
from csi.errors import CsiError
from csi.survey import load_survey

__all__ = ["invite_cmd"]


@app.command("invite")
def invite_cmd(
    survey: Annotated[Path, typer.Argument(help="Survey YAML file.", show_default=False)],
    json_out: Annotated[Path, typer.Option("--json", help="Write the invitations (tokens, URLs, QR "
                                                          "image paths) as JSON here.", show_default=False)],
    count: Annotated[int | None, typer.Option("--count", help="Number of invitations (default with "
                                                              "--orders: one per order).")] = None,
    orders: Annotated[Path | None, typer.Option("--orders", help="Order file (CSV/XLSX): order number "
                                                                 "column and optional segment columns.")] = None,
    channel: Annotated[str | None, typer.Option("--channel", help="Channel of every invitation (e.g. jd, "
                                                                  "tmall; a channel column wins).")] = None,
    expires: Annotated[float | None, typer.Option("--expires", help="Days until the links expire "
                                                                    "(default: never).")] = None,
    wave: Annotated[str | None, typer.Option("--wave", help="Wave label (default: this quarter, e.g. 2026Q4).")] = None,
    base_url: Annotated[str | None, typer.Option("--base-url", help="Public address of the app (default: "
                                                                     "CSI_PUBLIC_URL or http://localhost:8501).")] = None,
    qr_dir: Annotated[Path | None, typer.Option("--qr-dir", help="Folder for the QR PNGs (default: "
                                                                 "<OUT without .json>-qr next to OUT).")] = None,
    db: Annotated[str | None, typer.Option(help="Store URL (default: CSI_DATABASE_URL or sqlite:///./var/csi.sqlite).")] = None,
) -> None:
    """Make single-use invitation links with QR codes (tokens stored hashed)."""
    from csi.invite import create_invitations, form_url, qr_png
    from csi.invite.orders import read_orders
    from csi.invite.registry import already_invited
    from csi.store import open_store

    skipped: list[dict] = []
    try:
        s = load_survey(survey)
        order_rows = read_orders(orders, s) if orders is not None else None
        if order_rows is not None and count is not None and count != len(order_rows):
            raise CsiError(f"--count {count} does not match the {len(order_rows)} orders of "
                           f"{orders.name}; omit --count to invite every order")
        store = open_store(db)
        store.save_survey(s)
        if order_rows is not None:
            done = already_invited(store, s, order_rows)
            skipped = done.to_dict("records")
            order_rows = order_rows[~order_rows.index.isin(done["row"])]
            count = None
        invs = create_invitations(store, s, count=count, orders=order_rows, channel=channel,
                                  expires_days=expires, wave=wave, base_url=base_url) \
            if order_rows is None or len(order_rows) else []
    except CsiError as exc:
        raise fail(exc) from None
    folder = qr_dir if qr_dir is not None else json_out.with_name(json_out.stem + "-qr")
    folder.mkdir(parents=True, exist_ok=True)
    width = max(4, len(str(len(invs))))
    items = []
    for k, inv in enumerate(invs, start=1):
        png = folder / f"{k:0{width}d}.png"
        png.write_bytes(qr_png(inv.url))
        try:
            rel = png.resolve().relative_to(json_out.resolve().parent).as_posix()
        except ValueError:
            rel = str(png)
        items.append({"token": inv.token, "url": inv.url, "qr_png": rel, "order_ref": inv.order_ref,
                      "channel": inv.channel, "wave": inv.wave, "segments": inv.prefill,
                      "expires_at": inv.expires_at})
    out = {"survey": s.id, "count": len(invs), "wave": invs[0].wave if invs else wave,
           "expires_at": invs[0].expires_at if invs else None,
           "open_link": form_url(s.id, base=base_url) if s.access.open_link else None,
           "qr_dir": str(folder), "invitations": items, "already_invited": skipped}
    json_out.parent.mkdir(parents=True, exist_ok=True)
    json_out.write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
    if skipped:
        shown = ", ".join(f"row {d['row']} ({d['order_ref']})" for d in skipped[:10])
        more = f" and {len(skipped) - 10} more" if len(skipped) > 10 else ""
        typer.echo(f"{len(skipped)} order(s) of {orders.name} already have an invitation for {s.id}, "
                   f"no new link: {shown}{more} (all listed under already_invited in {json_out})", err=True)
    if not invs:
        typer.echo(f"no new invitations for {s.id}: every order of {orders.name} was already invited", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"{len(invs)} invitations for {s.id} (wave {out['wave']}"
               + (f", expire {out['expires_at']} UTC" if out["expires_at"] else "")
               + f"): links and tokens in {json_out}, QR codes in {folder}")
