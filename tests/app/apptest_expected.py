"""Expected numbers for page tests, computed with the csi functions the pages call."""

from __future__ import annotations

import warnings
from functools import cache

from apptest_support import N_BOOT, ROOT

from csi.store import open_store
from csi.survey import load_survey


@cache
def survey():
    return load_survey(ROOT / "surveys" / "ecommerce_csi.yaml")


@cache
def frame_and_fit(db: str):
    from csi.estimate.fit import fit

    s = survey()
    frame = open_store(f"sqlite:///{db}").responses_frame(s)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit(s, frame, n_boot=N_BOOT, seed=0)
    return frame, res


def shown_frames(at, *columns: str):
    """DataFrames shown on the page that have all of ``columns``."""
    out = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    assert out, f"no table with columns {columns}"
    return out
