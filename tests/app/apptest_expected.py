"""Expected numbers for page tests, computed with the csi functions the pages call."""

from __future__ import annotations

from functools import cache

from apptest_support import N_BOOT, ROOT

from csi.store import open_store
from csi.survey import load_survey


@cache
def survey():
    return load_survey(ROOT / "surveys" / "ecommerce_csi.yaml")


@cache
def frame_and_fit(db: str):
    from csi.estimate.waves import fit_by_wave

    s = survey()
    frame = open_store(f"sqlite:///{db}").responses_frame(s)
    # the pages' PLS fit: pooled over the waves, CIs from a bootstrap stratified by wave
    return frame, fit_by_wave(s, frame, n_boot=N_BOOT, seed=0).pooled


def shown_frames(at, *columns: str):
    """DataFrames shown on the page that have all of ``columns``: raw result-column names,
    looked up by their plain English (or Chinese) headings (:func:`csi.report.i18n_dashboard.column_label`)
    and renamed back to them; a column may also be given by its heading itself."""
    from csi.report.i18n_dashboard import column_label

    out = []
    for lang in ("en", "zh"):
        heads = {c: column_label(c, lang) for c in columns}
        for d in at.dataframe:
            cols = set(d.value.columns)
            if all(c in cols or heads[c] in cols for c in columns):
                out.append(d.value.rename(columns={h: c for c, h in heads.items() if c not in cols}))
        if out:
            break
    heads = {c: column_label(c, "en") for c in columns}
    assert out, f"no table with columns {columns} (headings {list(heads.values())})"
    return out
