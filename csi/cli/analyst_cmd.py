"""``csi moderate`` and ``csi higher-order``: moderation and higher-order PLS models as JSON.

``csi moderate MODEL [DATA] [--json OUT]``: MODEL is a survey YAML with ``interactions:`` or a
lavaan file with ``x:z`` terms (``y ~ x + z + x:z``; then ``--scale MIN,MAX``). Without DATA a
survey's stored responses are read (``--db URL``, else ``CSI_DATABASE_URL``, else
``./var/csi.sqlite``).
``csi higher-order MODEL DATA --scale MIN,MAX [--json OUT]``: MODEL is lavaan-style text in
which a construct measured by constructs (``REP =~ COMP + LIKE``) is higher-order.
Without ``--json`` the paths are printed.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer

from csi.cli.main import app, fail
from csi.errors import CsiError

__all__ = ["moderate_command", "higher_order_command"]


def _records(df) -> list[dict]:
    if df is None:
        return []

    def clean(v):
        v = v.item() if hasattr(v, "item") else v
        return None if isinstance(v, float) and not math.isfinite(v) else v

    return [{k: clean(v) for k, v in r.items()} for r in df.to_dict(orient="records")]


def _print_paths(paths: list[dict], only_interactions: bool = False) -> None:
    for r in paths:
        if not only_interactions or "*" in r["source"]:
            est = r.get("estimate")
            typer.echo(f"{r['source']} -> {r['target']}: " + ("n/a" if est is None else f"{est:+.4f}"))


def _write(json_out: Path | None, doc: dict) -> None:
    if json_out is not None:
        json_out.write_text(json.dumps(doc, indent=2, allow_nan=False), encoding="utf-8")
        typer.echo(f"wrote {json_out}")


@app.command("moderate")
def moderate_command(
    model: Annotated[Path, typer.Argument(help="Survey YAML (interactions:) or lavaan file (x:z).",
                                          show_default=False)],
    data: Annotated[Path | None, typer.Argument(help="Responses file (default: the survey's stored "
                                                     "responses, see --db).", show_default=False)] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write paths and simple slopes here.")] = None,
    db: Annotated[str | None, typer.Option("--db", help="Store URL when no DATA is given (default: "
                                                        "CSI_DATABASE_URL, else sqlite:///./var/csi.sqlite).")] = None,
    method: Annotated[str | None, typer.Option(help="two_stage or product_indicator (default: "
                                                    "the survey's, else two_stage).")] = None,
    boot: Annotated[int, typer.Option("--boot", help="Bootstrap resamples (both stages each).")] = 0,
    seed: Annotated[int, typer.Option(help="Random seed for the bootstrap.")] = 0,
    missing: Annotated[str, typer.Option(help="listwise or mean.")] = "listwise",
    scale: Annotated[str | None, typer.Option(help="Item scale MIN,MAX (lavaan models).")] = None,
) -> None:
    """Moderation: interaction terms (two-stage or product indicator) and simple slopes."""
    from csi.cli.data_source import echo_rejected, load_model, load_responses
    from csi.cli.estimate_cmd import _parse_scale
    from csi.estimate.pls.moderation import fit_moderation

    try:
        spec = load_model(model, _parse_scale(scale))
        sc = _parse_scale(scale) if isinstance(spec, str) else None
        got = load_responses(spec, data, db)
        echo_rejected(got)
        frame = got.frame
        res = fit_moderation(spec, frame, method=method, missing=missing, scale=sc, n_boot=boot, seed=seed)
    except CsiError as exc:
        raise fail(exc) from None
    doc = {"method": res.method, "paths": _records(res.paths), "simple_slopes": _records(res.simple_slopes),
           "r2": _records(res.r2)}
    _print_paths(doc["paths"], only_interactions=True)
    _write(json_out, doc)


@app.command("higher-order")
def higher_order_command(
    model: Annotated[Path, typer.Argument(help="lavaan-style model file (HOC =~ LOC1 + LOC2).",
                                          show_default=False)],
    data: Annotated[Path, typer.Argument(help="Responses file (CSV/TSV/XLSX).", show_default=False)],
    scale: Annotated[str, typer.Option(help="Item scale MIN,MAX.")],
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the results here.")] = None,
    method: Annotated[str, typer.Option(help="disjoint, embedded or repeated.")] = "disjoint",
    missing: Annotated[str, typer.Option(help="listwise or mean.")] = "listwise",
    missing_codes: Annotated[str | None, typer.Option(help="Comma-separated missing codes, e.g. -99.")] = None,
) -> None:
    """Higher-order constructs: paths, lower- and higher-order measurement quality."""
    from csi.cli.data_source import load_responses
    from csi.cli.estimate_cmd import _parse_scale
    from csi.estimate.pls.higher_order import fit_higher_order, parse_higher_order

    if not model.exists():
        raise fail(f"{model}: no such model file")
    try:
        frame = load_responses(model.read_text(encoding="utf-8"), data).frame
        codes = ()
        if missing_codes:
            try:
                codes = tuple(float(v) for v in missing_codes.split(","))
            except ValueError:
                raise fail(f"--missing-codes must be numbers separated by commas; got {missing_codes!r}") from None
        kw = parse_higher_order(model.read_text(encoding="utf-8"))
        if not kw["hocs"]:
            raise fail(f"{model}: no higher-order construct (a construct measured by constructs, "
                       "e.g. 'REP =~ COMP + LIKE')")
        res = fit_higher_order(kw["blocks"], kw["paths"], kw["hocs"], frame, method=method,
                               hoc_mode=kw["hoc_mode"], modes=kw["modes"], scale=_parse_scale(scale),
                               missing_codes=codes, missing=missing)
    except CsiError as exc:
        raise fail(exc) from None
    doc = {"method": method, "hocs": kw["hocs"], "paths": _records(res.paths), "r2": _records(res.r2),
           "lower_order": {k: _records(v) for k, v in res.lower_order.items()},
           "higher_order": {k: _records(v) for k, v in res.higher_order.items()}}
    _print_paths(doc["paths"])
    _write(json_out, doc)
