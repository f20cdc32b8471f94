"""``csi report``: the management report -- headline and trend, what to fix first, IPMA,
repurchase drivers, complaints, segments and a model-quality appendix -- as HTML, XLSX or PDF.

DATA is a response file; without it the stored responses are read (``--db URL``, else
``CSI_DATABASE_URL``, else ``./var/csi.sqlite``). The content is
:func:`csi.report.management.build_management_report`, rendered by :mod:`csi.report.render`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from csi.cli.main import app, fail
from csi.errors import CsiError

__all__ = ["report_command", "FORMATS"]

FORMATS = ("html", "xlsx", "pdf")


@app.command("report")
def report_command(
    survey: Annotated[Path, typer.Argument(help="Survey YAML file.", show_default=False)],
    data: Annotated[Path | None, typer.Argument(help="Responses file (default: the store, see --db).",
                                                show_default=False)] = None,
    out: Annotated[Path, typer.Option("--out", help="Output file.", show_default=False)] = ...,
    format: Annotated[str | None, typer.Option(  # noqa: A002
        "--format", help="html, xlsx or pdf (default: from the --out suffix).")] = None,
    lang: Annotated[str, typer.Option("--lang", help="zh or en.")] = "en",
    wave: Annotated[str | None, typer.Option("--wave", help="Report on this wave (default: the latest wave "
                                                             "for the headline, all waves pooled for the rest).")] = None,
    db: Annotated[str | None, typer.Option("--db", help="Store URL when no DATA is given (default: "
                                                        "CSI_DATABASE_URL, else sqlite:///./var/csi.sqlite).")] = None,
    boot: Annotated[int, typer.Option("--boot", help="Bootstrap resamples for the 95% CIs.")] = 200,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
) -> None:
    """Write the management report (HTML with inline charts, XLSX, or PDF) in zh or en."""
    import warnings

    from csi.cli.data_source import echo_rejected, load_model, load_responses

    fmt = (format or out.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise fail(f"--format must be one of {', '.join(FORMATS)}; got {fmt!r}")
    if lang not in ("zh", "en"):
        raise fail(f"--lang must be zh or en; got {lang!r}")
    try:
        s = load_model(survey)
        if isinstance(s, str):
            raise fail(f"{survey}: the report needs a survey YAML file")
        got = load_responses(s, data, db)
        echo_rejected(got)
        from csi.report import render
        from csi.report.management import build_management_report

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # kept in the report's notes
            rep = build_management_report(s, got.frame, lang=lang, wave=wave, n_boot=boot, seed=seed)
            body = {"html": lambda: render.to_html(rep).encode("utf-8"), "xlsx": lambda: render.to_xlsx(rep),
                    "pdf": lambda: render.to_pdf(rep)}[fmt]()
    except CsiError as exc:
        raise fail(exc) from None
    try:
        out.write_bytes(body)
    except OSError as exc:
        raise fail(f"{out}: cannot write the report ({exc.strerror})") from None
    h = rep.headline
    typer.echo(f"{rep.n_used} of {rep.n_collected} respondents; headline {h.score:.1f} "
               f"({rep.headline_wave or 'pooled'}); fix first: "
               + (", ".join(rep.fix_first["construct"]) or "-"))
    typer.echo(f"wrote {out}")
