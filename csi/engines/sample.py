"""A seeded random sample of respondent rows drawn in the engine, for the analyses that need rows."""

from __future__ import annotations

import pandas as pd

from csi.engines.query import MomentsSpec, bucket_of, sample_query
from csi.engines.run import open_source
from csi.errors import ParameterError

__all__ = ["sample_rows"]


def sample_rows(source, columns, *, engine: str = "pandas", fraction: float = 0.01, seed: int = 0,
                id_column: str = "respondent_id", where: dict | None = None, buckets: int = 10_000,
                **source_kw) -> pd.DataFrame:
    """About ``fraction`` of the respondents (rows whose seeded hash bucket is below
    ``round(fraction * buckets)``), with ``columns``; the same rows on every engine for the same
    seed. The sample's size is ``len(result)`` -- report it beside anything computed from it.
    """
    if not 0 < fraction <= 1:
        raise ParameterError(f"The 'fraction' parameter of sample_rows must be a float in the range (0, 1]. "
                             f"Got {fraction!r} instead.")
    keep = max(1, round(fraction * buckets))
    cols = list(dict.fromkeys([id_column, *columns]))
    filt = MomentsSpec.make((), where=where).where
    src = open_source(engine, source, **source_kw)
    try:
        if src.engine == "pandas":
            frame = src.frame
            for col, vals in filt:
                frame = frame.loc[frame[col].isin(list(vals))]
            b = frame[id_column].astype(str).map(lambda v: bucket_of(v, seed, buckets))
            return frame.loc[b < keep, cols].reset_index(drop=True)
        rel = src.relation(MomentsSpec.make((), by=tuple(cols)))
        return src.fetch(sample_query(rel, cols, id_column=id_column, seed=seed, buckets=buckets, keep=keep,
                                      where=filt))
    finally:
        src.close()
