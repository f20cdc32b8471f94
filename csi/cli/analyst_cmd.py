"""``csi moderate`` and ``csi higher-order``: moderation and higher-order PLS models as JSON.

``csi moderate MODEL DATA --json OUT``: MODEL is a survey YAML with ``interactions:`` or a
lavaan file with ``x:z`` terms (``y ~ x + z + x:z``; then ``--scale MIN,MAX``).
``csi higher-order MODEL DATA --scale MIN,MAX --json OUT``: MODEL is lavaan-style text in
which a construct measured by constructs (``REP =~ COMP + LIKE``) is higher-order.
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


def _read(model: Path, data: Path):
    import pandas as pd

    for path, what in ((model, "model"), (data, "data")):
        if not path.exists():
            raise fail(f"{path}: no such {what} file")
    return pd.read_csv(data)


@app.command("moderate")
def moderate_command(
    model: Annotated[Path, typer.Argument(help="Survey YAML (interactions:) or lavaan file (x:z).",
                                          show_default=False)],
    data: Annotated[Path, typer.Argument(help="Responses CSV.", show_default=False)],
    json_out: Annotated[Path, typer.Option("--json", help="Write paths and simple slopes here.")],
    method: Annotated[str | None, typer.Option(help="two_stage or product_indicator (default: "
                                                    "the survey's, else two_stage).")] = None,
    boot: Annotated[int, typer.Option("--boot", help="Bootstrap resamples (both stages each).")] = 0,
    seed: Annotated[int, typer.Option(help="Random seed for the bootstrap.")] = 0,
    missing: Annotated[str, typer.Option(help="listwise or mean.")] = "listwise",
    scale: Annotated[str | None, typer.Option(help="Item scale MIN,MAX (lavaan models).")] = None,
) -> None:
    """Moderation: interaction terms (two-stage or product indicator) and simple slopes."""
    from csi.cli.estimate_cmd import _parse_scale
    from csi.estimate.pls.moderation import fit_moderation

    frame = _read(model, data)
    try:
        if model.suffix.lower() in (".yaml", ".yml"):
            from csi.survey import load_survey

            spec, sc = load_survey(model), None
        else:
            sc = _parse_scale(scale)
            if sc is None:
                raise fail(f"{model}: a lavaan model needs --scale MIN,MAX (the items' theoretical bounds)")
            spec = model.read_text(encoding="utf-8")
        res = fit_moderation(spec, frame, method=method, missing=missing, scale=sc, n_boot=boot, seed=seed)
    except CsiError as exc:
        raise fail(exc) from None
    doc = {"method": res.method, "paths": _records(res.paths), "simple_slopes": _records(res.simple_slopes),
           "r2": _records(res.r2)}
    json_out.write_text(json.dumps(doc, indent=2, allow_nan=False), encoding="utf-8")
    for r in doc["paths"]:
        if "*" in r["source"]:
            typer.echo(f"{r['source']} -> {r['target']}: {r['estimate']:+.4f}")
    typer.echo(f"wrote {json_out}")


@app.command("higher-order")
def higher_order_command(
    model: Annotated[Path, typer.Argument(help="lavaan-style model file (HOC =~ LOC1 + LOC2).",
                                          show_default=False)],
    data: Annotated[Path, typer.Argument(help="Responses CSV.", show_default=False)],
    json_out: Annotated[Path, typer.Option("--json", help="Write the results here.")],
    scale: Annotated[str, typer.Option(help="Item scale MIN,MAX.")],
    method: Annotated[str, typer.Option(help="disjoint, embedded or repeated.")] = "disjoint",
    missing: Annotated[str, typer.Option(help="listwise or mean.")] = "listwise",
    missing_codes: Annotated[str | None, typer.Option(help="Comma-separated missing codes, e.g. -99.")] = None,
) -> None:
    """Higher-order constructs: paths, lower- and higher-order measurement quality."""
    from csi.cli.estimate_cmd import _parse_scale
    from csi.estimate.pls.higher_order import fit_higher_order, parse_higher_order

    frame = _read(model, data)
    try:
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
    json_out.write_text(json.dumps(doc, indent=2, allow_nan=False), encoding="utf-8")
    typer.echo(f"wrote {json_out}")
