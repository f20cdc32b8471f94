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
    """DataFrames shown on the page that have all of ``columns``."""
    out = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    assert out, f"no table with columns {columns}"
    return out
