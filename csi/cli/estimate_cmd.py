"""``csi estimate``: fit a survey model (PLS or CB-SEM) and write the results as JSON.

MODEL is a survey YAML (``.yaml``/``.yml``) or a lavaan-syntax file (then ``--scale MIN,MAX``
is required); DATA is a response file in any format ``csi import`` reads (CSV/TSV/XLSX/XLS,
platform exports; with a survey it is read by :func:`csi.io.read_responses` with the same
column matching, rejected rows reported on stderr), or ``--db URL`` reads the stored responses.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from csi.cli.main import app, fail
from csi.errors import CsiError

__all__ = ["estimate"]


def _read_data(spec, data: Path, extra: list[str]):
    """DATA as a frame: through the importer for a survey, else the plain table reader.

    ``extra`` columns (``--weights``/``--strata``) that are not survey fields are taken from the
    file as written (one-header-row layouts), aligned by row number.
    """
    if isinstance(spec, str):
        from csi.io.table_frame import match_names, model_names, read_table_frame

        return match_names(read_table_frame(data), model_names(spec))
    from csi.io import read_responses

    imp = read_responses(data, spec)
    if len(imp.rejected):
        typer.echo(f"warning: {len(imp.rejected)} row(s) of {data} rejected at import (see `csi import`); "
                   "estimating on the valid rows", err=True)
    frame = imp.valid
    missing = [c for c in extra if c not in frame]
    if missing:
        from csi.io.table_frame import read_table_frame

        raw = read_table_frame(data, keep_rows=True)
        for c in missing:
            if c in raw and imp.platform in ("plain", "generic", "wenjuanxing", "google_forms"):
                frame = frame.assign(**{c: raw[c].reindex(frame.index).to_numpy()})
    return frame.reset_index(drop=True)


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
    data: Annotated[Path | None, typer.Argument(help="Responses CSV.", show_default=False)] = None,
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
    db: Annotated[str | None, typer.Option(help="Read stored responses from this database URL.")] = None,
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
                              method=method)
    if data is None and db is None:
        raise fail("give a DATA CSV file or --db URL with stored responses")
    if not model.exists():
        raise fail(f"{model}: no such model file")
    try:
        if model.suffix.lower() in (".yaml", ".yml"):
            from csi.survey import load_survey

            spec = load_survey(model)
        else:
            sc = _parse_scale(scale)
            if sc is None:
                raise fail(f"{model}: a lavaan model needs --scale MIN,MAX (the items' theoretical bounds)")
            spec = model.read_text(encoding="utf-8")
        if db is not None and data is None:
            from csi.store import read_responses_frame

            frame = read_responses_frame(spec, db)
        else:
            if not data.exists():
                raise fail(f"{data}: no such data file")
            frame = _read_data(spec, data, [c for c in (weights, strata) if c])
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
