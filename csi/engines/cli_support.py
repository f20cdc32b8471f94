"""``csi estimate --engine/--source/--by``: the grouped fit behind the CLI (kept out of the
shared command module)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from csi.engines.grouped import GroupedFit, fit_grouped
from csi.errors import ParameterError

__all__ = ["estimate_with_engine", "grouped_summary"]


def estimate_with_engine(spec, *, engine: str | None, source: str | None, by: str | None, n_boot: int | None,
                         seed: int | None, weights: str | None, buckets: int, min_n: int | None,
                         db: str | None, data: Path | None, scale=None, json_out: Path,
                         missing: str = "listwise") -> GroupedFit:
    """Run :func:`fit_grouped` from CLI options; write the JSON; return the result.

    ``engine`` defaults to ``postgres`` for a ``postgresql`` URL and ``duckdb`` otherwise;
    ``source`` defaults to DATA, then ``--db``, then ``CSI_DATABASE_URL``.
    """
    src = source or (str(data) if data is not None else None) or db or os.environ.get("CSI_DATABASE_URL")
    if src is None:
        raise ParameterError("--engine needs --source PATH_OR_URL (a Parquet/CSV file or a PostgreSQL URL)")
    if engine is None:
        engine = "postgres" if src.startswith("postgres") else "duckdb"
    cols = tuple(c.strip() for c in (by or "").split(",") if c.strip())
    res = fit_grouped(spec, src, by=cols, engine=engine, n_boot=500 if n_boot is None else n_boot,
                      buckets=buckets, seed=0 if seed is None else seed, weights=weights, min_n=min_n,
                      scale=scale, missing=missing)
    json_out.write_text(json.dumps(res.to_dict(), indent=2, allow_nan=False, default=str), encoding="utf-8")
    return res


def grouped_summary(res: GroupedFit, max_groups: int = 20) -> str:
    """Pooled summary, then the first groups' index scores (0-100, with CIs) and the skips."""
    lines = [str(res.pooled.summary()), ""]
    if res.by:
        tab = res.index_table()
        lines.append(f"{len(res.groups)} group(s) by {', '.join(res.by)} fitted, {len(res.skipped)} skipped "
                     f"(minimum n = {res.min_n}); engine {res.engine}, {res.buckets} bootstrap buckets")
        shown = tab[tab[list(res.by)].apply(tuple, axis=1).isin(
            [k if isinstance(k, tuple) else (k,) for k in list(res.groups)[:max_groups]])]
        if len(shown):
            lines.append(shown.to_string(index=False, float_format=lambda v: f"{v:.1f}"))
        for key, why in list(res.skipped.items())[:max_groups]:
            lines.append(f"skipped {key}: {why}")
    return "\n".join(lines)
