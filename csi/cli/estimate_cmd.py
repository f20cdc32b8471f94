"""``csi estimate``: fit a survey model (PLS or CB-SEM) and write the results as JSON.

MODEL is a survey YAML (``.yaml``/``.yml``) or a lavaan-syntax file (then ``--scale MIN,MAX``
is required); DATA is a response file in any format ``csi import`` reads (CSV/TSV/XLSX/XLS,
platform exports; with a survey it is read by :func:`csi.io.read_responses` with the same
column matching, rejected rows reported on stderr), else the stored responses (``--db URL``,
else ``CSI_DATABASE_URL``, else the default store ``./var/csi.sqlite``; see
:mod:`csi.cli.data_source`). ``--json OUT`` also writes the results
as JSON; the summary table is always printed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from csi.cli.main import app, fail
from csi.errors import CsiError

__all__ = ["estimate"]


def _parse_scale(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    try:
        lo, hi = (float(v) for v in text.split(","))
    except ValueError:
        raise fail(f"--scale must be MIN,MAX (e.g. 1,10); got {text!r}") from None
    return lo, hi


@app.command("estimate")
def estimate(
    model: Annotated[Path, typer.Argument(help="Survey YAML or lavaan model file.", show_default=False)],
    data: Annotated[Path | None, typer.Argument(help="Responses file (default: the store, see --db).",
                                                show_default=False)] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write results as JSON here.")] = None,
    method: Annotated[str, typer.Option(help="pls or cbsem.")] = "pls",
    boot: Annotated[
        int | None, typer.Option("--boot", help="Bootstrap resamples (PLS default 5000).")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed for the bootstrap.")] = None,
    missing: Annotated[str | None, typer.Option(
        help="Missing-data policy: em (PLS default), fiml (CB-SEM default), pairwise, mean or listwise.")] = None,
    scale: Annotated[str | None, typer.Option(help="Item scale MIN,MAX (lavaan models).")] = None,
    weights: Annotated[str | None, typer.Option(help="Column with sampling weights.")] = None,
    strata: Annotated[str | None, typer.Option(
        help="Column whose groups (e.g. wave) keep their size in every bootstrap resample (PLS).")] = None,
    scheme: Annotated[str, typer.Option(help="Inner weighting: path, factorial or centroid.")] = "path",
    consistent: Annotated[bool, typer.Option("--consistent", help="Consistent PLS (PLSc).")] = False,
    db: Annotated[str | None, typer.Option(help="Store URL when no DATA is given (default: CSI_DATABASE_URL, "
                                           "else sqlite:///./var/csi.sqlite).")] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding of DATA (default: detected).")] = None,
    missing_codes: Annotated[
        str | None, typer.Option(help="Comma-separated missing codes for lavaan models, e.g. -99.")
    ] = None,
    # issue 15: moments computed in an engine (csi.engines), pooled + per-group fits
    engine: Annotated[str | None, typer.Option(help="pandas, duckdb, postgres or spark: compute the moments "
                                               "there (pooled and per --by group fits).")] = None,
    source: Annotated[str | None, typer.Option(help="Parquet/CSV path or PostgreSQL URL for --engine.")] = None,
    by: Annotated[str | None, typer.Option(help="Group columns COL[,COL] for per-group fits (--engine).")] = None,
    buckets: Annotated[int, typer.Option(help="Bootstrap buckets of the engine fits.")] = 500,
    min_n: Annotated[int | None, typer.Option(help="Smallest group fitted (default: 10-times rule, >= 30).")] = None,
    # issue 16: PLSpredict
    predict: Annotated[bool, typer.Option("--predict", help="PLSpredict: out-of-sample Q², RMSE, MAE "
                                          "per item against the LM benchmark (PLS).")] = False,
    folds: Annotated[int, typer.Option(help="PLSpredict folds.")] = 10,
    reps: Annotated[int, typer.Option(help="PLSpredict repetitions.")] = 10,
) -> None:
    """Estimate paths, reliabilities and 0-100 indices; print a summary, write --json."""
    from csi.estimate.fit import fit

    if engine is not None or source is not None or by is not None:
        from csi.cli.engine_cli import run_engine_cli

        return run_engine_cli(model, data=data, json_out=json_out, engine=engine, source=source, by=by, boot=boot,
                              seed=seed, weights=weights, buckets=buckets, min_n=min_n, db=db, scale=scale,
                              method=method, missing=missing)
    from csi.cli.data_source import echo_rejected, load_model, load_responses

    try:
        spec = load_model(model, _parse_scale(scale))
        got = load_responses(spec, data, db, extra=[c for c in (weights, strata) if c], encoding=encoding)
        echo_rejected(got)
        frame = got.frame
        kw = {"scale": _parse_scale(scale)} if isinstance(spec, str) else {}
        if missing_codes and isinstance(spec, str):
            try:
                kw["missing_codes"] = tuple(float(v) for v in missing_codes.split(","))
            except ValueError:
                raise fail(f"--missing-codes must be numbers separated by commas; got {missing_codes!r}") from None
        kw.update(n_boot=boot, seed=seed, weights=weights, missing=missing)
        if method == "pls":
            kw.update(weighting=scheme, consistent=consistent, strata=strata)
        elif strata is not None:
            raise fail("--strata is for the PLS bootstrap (--method pls)")
        res = fit(spec, frame, method=method, **kw)
        out = res.to_dict()
        if predict:
            from csi.estimate.analysis.predict import cvpat_records, predict_records

            if method != "pls":
                raise fail("--predict is for PLS (--method pls)")
            pkw = {k: kw[k] for k in ("missing", "weighting", "consistent", "scale", "missing_codes") if kw.get(k) is not None}
            pseed = 0 if seed is None else seed  # folds are reproducible even without --seed
            out["predict"] = predict_records(spec, frame, folds=folds, reps=reps, seed=pseed, **pkw)
            out["cvpat"] = cvpat_records(spec, frame, folds=folds, reps=reps, seed=pseed, **pkw)
    except CsiError as exc:
        raise fail(exc) from None
    typer.echo(str(res.summary()))
    if json_out is not None:  # without --json the summary above is the output
        json_out.write_text(json.dumps(out, indent=2, allow_nan=False), encoding="utf-8")
        typer.echo(f"wrote {json_out}")
