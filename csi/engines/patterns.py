"""Per-missingness-pattern moments per group, for EM on sufficient statistics (issue 14's
:class:`~csi.engines.cells.PatternMoments`), from any engine."""

from __future__ import annotations

from csi.engines.query import MomentsSpec
from csi.engines.run import check_source, iter_cells, open_source

__all__ = ["pattern_moments"]


def pattern_moments(model, source, *, by=(), engine: str = "pandas", weights: str | None = None,
                    where: dict | None = None, scale=None, **source_kw) -> dict:
    """Group key (``()`` without ``by``; the value with one column; a tuple with several) ->
    :class:`PatternMoments` (pattern key: bitmask of observed items, bit ``i`` = item ``i`` of
    ``model.item_ids``). Rows with no item answered form the pattern 0."""
    from csi.estimate.fit import resolve_model

    spec, _ = resolve_model(model, scale)
    by = (by,) if isinstance(by, str) else tuple(by)
    mspec = MomentsSpec.make(tuple(spec.items[i] for i in spec.item_ids), by=by, weight=weights,
                             patterns=True, where=where)
    src = open_source(engine, source, survey=model if hasattr(model, "to_model") else None, **source_kw)
    try:
        check_source(src, mspec)
        out = {}
        for cells in iter_cells(src, mspec):
            for key, rows in cells.group_rows().items():
                out[key if len(by) != 1 else key[0]] = cells.pattern_moments(rows)
        return out
    finally:
        src.close()
