"""Tables for the Model quality page: PLS and CB-SEM estimates side by side."""

from __future__ import annotations

import pandas as pd

__all__ = ["compare_methods"]


def compare_methods(pls, cbsem) -> pd.DataFrame:
    """Path coefficients and 0-100 indices of two fits, side by side.

    Returns ``kind, source, target, pls, cbsem, difference`` where ``kind`` is ``path``
    (standardized coefficients, ``source -> target``) or ``index`` (``target`` = construct,
    0-100); ``difference = pls - cbsem``. Rows present in only one fit have NaN on the other side.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> p = pd.DataFrame({"source": ["a"], "target": ["b"], "estimate": [0.5]})
    >>> i = pd.DataFrame({"construct": ["b"], "score": [70.0]})
    >>> c = pd.DataFrame({"source": ["a"], "target": ["b"], "estimate": [0.4]})
    >>> t = compare_methods(NS(path_coefficients=p, index=i), NS(path_coefficients=c, index=i))
    >>> t["difference"].round(6).tolist()
    [0.1, 0.0]
    """
    def paths(res):
        t = res.path_coefficients
        return t[["source", "target", "estimate"]].copy() if len(t) else \
            pd.DataFrame(columns=["source", "target", "estimate"])

    def index(res):
        t = res.index
        if t is None or not len(t):
            return pd.DataFrame(columns=["source", "target", "estimate"])
        return pd.DataFrame({"source": "", "target": t["construct"], "estimate": t["score"]})

    out = []
    for kind, fn in (("path", paths), ("index", index)):
        m = fn(pls).merge(fn(cbsem), on=["source", "target"], how="outer", suffixes=("_pls", "_cb"),
                          sort=False)
        out.append(pd.DataFrame({"kind": kind, "source": m["source"], "target": m["target"],
                                 "pls": m["estimate_pls"].astype(float),
                                 "cbsem": m["estimate_cb"].astype(float)}))
    t = pd.concat(out, ignore_index=True)
    t["difference"] = t["pls"] - t["cbsem"]
    return t
