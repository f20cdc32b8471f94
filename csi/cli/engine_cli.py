"""The ``csi estimate --engine ...`` branch (issue 15), kept out of estimate_cmd.py."""

from __future__ import annotations

from pathlib import Path

import typer

from csi.cli.main import fail
from csi.errors import CsiError

__all__ = ["run_engine_cli"]


def run_engine_cli(model: Path, *, data, json_out, engine, source, by, boot, seed, weights, buckets, min_n, db,
                   scale, method, missing=None) -> None:
    """Grouped fit in an engine; prints the pooled summary and per-group indices, writes --json."""
    if json_out is None:
        raise fail("--json OUT is required (where to write the results)")
    if method != "pls":
        raise fail("--engine fits PLS from moments (--method pls); CB-SEM needs respondent rows")
    if missing not in (None, "listwise", "em"):
        raise fail(f"--engine fits with --missing listwise (default) or em; got {missing!r}")
    if not model.exists():
        raise fail(f"{model}: no such model file")
    try:
        from csi.engines.cli_support import estimate_with_engine, grouped_summary

        if model.suffix.lower() in (".yaml", ".yml"):
            from csi.survey import load_survey

            spec, sc = load_survey(model), None
        else:
            from csi.cli.estimate_cmd import _parse_scale

            sc = _parse_scale(scale)
            if sc is None:
                raise fail(f"{model}: a lavaan model needs --scale MIN,MAX (the items' theoretical bounds)")
            spec = model.read_text(encoding="utf-8")
        res = estimate_with_engine(spec, engine=engine, source=source, by=by, n_boot=boot, seed=seed,
                                   weights=weights, buckets=buckets, min_n=min_n, db=db, data=data, scale=sc,
                                   json_out=json_out, missing=missing or "listwise")
    except CsiError as exc:
        raise fail(exc) from None
    typer.echo(grouped_summary(res))
    typer.echo(f"wrote {json_out}")
