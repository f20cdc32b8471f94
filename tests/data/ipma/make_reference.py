"""Reference IPMA, 0-100 index and bootstrap SEs on corp_rep, from seminr-py (GPL-3).

Run ONCE, in the separate benchmark environment; never imported by csi or the tests:

    python -m venv .bench-venv && .bench-venv/bin/pip install seminr seminrExtras "pandas<3"
    .bench-venv/bin/python tests/data/ipma/make_reference.py

seminr-py estimates the model (weights, paths, bootstrap); the IPMA is then computed here from
seminr's outputs by cSEM's ``doIPMA`` definition (cSEM 0.6, ``R/postestimate_doIPMA.R``;
Ringle & Sarstedt 2016): items rescaled to 0-100 by the scale's theoretical bounds, weights
unstandardized by the rescaled items' SDs and normed to sum 1 per construct, construct scores =
rescaled items x normed weights, performance = mean score (the 0-100 index), importance =
standardized total effect x sd(target score) / sd(source score), item importance = normed
weight x its construct's importance. seminrExtras' ``assess_ipma`` (the port of seminrExtras'
cIPMA) is recorded too; it weights the rescaled items with the *standardized* outer weights, a
different performance definition (see PROVENANCE.md). Writes ``reference.json`` beside this file.
"""

from __future__ import annotations

import json
import platform
import sys
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "corp_rep" / "corp_rep_data.csv"
SCALE = (1.0, 7.0)
N_BOOT = 5000
BOOT_SEED = 123
TARGET = "CUSL"

ITEMS = {
    "QUAL": [f"qual_{i}" for i in range(1, 9)], "PERF": [f"perf_{i}" for i in range(1, 6)],
    "CSOR": [f"csor_{i}" for i in range(1, 6)], "ATTR": [f"attr_{i}" for i in range(1, 4)],
    "COMP": ["comp_1", "comp_2", "comp_3"], "LIKE": ["like_1", "like_2", "like_3"],
    "CUSA": ["cusa"], "CUSL": ["cusl_1", "cusl_2", "cusl_3"],
}
FORMATIVE = {"QUAL", "PERF", "CSOR", "ATTR"}
CORE = [("COMP", "CUSA"), ("COMP", "CUSL"), ("LIKE", "CUSA"), ("LIKE", "CUSL"), ("CUSA", "CUSL")]
MODELS = {
    "simple_model": (["COMP", "LIKE", "CUSA", "CUSL"], CORE),
    "extended_model": (["QUAL", "PERF", "CSOR", "ATTR", "COMP", "LIKE", "CUSA", "CUSL"],
                       [(a, b) for a in ("QUAL", "PERF", "CSOR", "ATTR") for b in ("COMP", "LIKE")] + CORE),
}


def _cell(m, r, c) -> float:
    return float(m.values[m.rows.index(r), m.cols.index(c)])


def _ipma(model, names, paths, df) -> dict:
    """cSEM doIPMA on seminr's estimates (see the module docstring)."""
    lo, hi = SCALE
    items = [i for c in names for i in ITEMS[c]]
    x = df[items].replace(-99, np.nan)
    x = x.fillna(x.mean())  # seminr's mean replacement
    xr = (x - lo) / (hi - lo) * 100
    scores, normed = {}, {}
    for c in names:
        w = np.array([_cell(model.outer_weights, i, c) for i in ITEMS[c]])
        wu = w / xr[ITEMS[c]].std(ddof=1).to_numpy()
        wn = wu / wu.sum()
        normed[c] = dict(zip(ITEMS[c], map(float, wn), strict=True))
        scores[c] = xr[ITEMS[c]].to_numpy() @ wn
    k = len(names)
    B = np.zeros((k, k))
    for a, b in paths:
        B[names.index(a), names.index(b)] = _cell(model.path_coef, a, b)
    T = np.linalg.inv(np.eye(k) - B) - np.eye(k)  # [source, target]
    sd = {c: float(np.std(scores[c], ddof=1)) for c in names}
    t = names.index(TARGET)
    imp = {c: float(T[names.index(c), t] * sd[TARGET] / sd[c]) for c in names
           if c != TARGET and T[names.index(c), t] != 0}
    return {
        "performance": {c: float(np.mean(scores[c])) for c in names},
        "importance": imp,
        "normed_weights": normed,
        "item_performance": {i: float(xr[i].mean()) for i in items},
        "item_importance": {i: imp[c] * normed[c][i] for c in imp for i in ITEMS[c]},
        "score_sd": sd,
    }


def main() -> None:
    import seminr as s
    from seminrExtras.cipma import assess_ipma

    df = pd.read_csv(DATA)
    out = {
        "tool": (f"seminr {version('seminr')}, seminrExtras {version('seminrExtras')}, numpy {np.__version__}, "
                 f"pandas {pd.__version__}, Python {platform.python_version()}"),
        "command": ".bench-venv/bin/python tests/data/ipma/make_reference.py",
        "data": "tests/data/corp_rep/corp_rep_data.csv; -99 = missing, mean replacement (seminr default)",
        "definition": "cSEM doIPMA on 0-100 rescaled items (scale 1-7), computed from seminr's weights and paths",
        "scale": list(SCALE), "target": TARGET, "n_boot": N_BOOT, "boot_seed": BOOT_SEED,
    }
    for key, (names, paths) in MODELS.items():
        mm = s.constructs(*[s.composite(c, ITEMS[c], weights=s.mode_B if c in FORMATIVE else s.mode_A)
                            for c in names])
        sm = s.relationships(*[s.paths(a, b) for a, b in paths])
        m = s.estimate_pls(df, mm, sm, missing_value=-99)
        r = _ipma(m, names, paths, df)
        ex = assess_ipma(m, TARGET, scale_min=SCALE[0], scale_max=SCALE[1])
        r["seminrextras_ipma"] = {"importance": {k: float(v) for k, v in ex.importance_unstd.items()},
                                  "performance": {k: float(v) for k, v in ex.performance.items()}}
        if key == "simple_model":
            boot = s.bootstrap_model(m, nboot=N_BOOT, seed=BOOT_SEED)
            pd_ = boot.paths_descriptives
            r["boot_paths"] = [{"source": a, "target": b, "estimate": _cell(m.path_coef, a, b),
                                "boot_mean": _cell(pd_, a, f"{b} Boot Mean"),
                                "boot_se": _cell(pd_, a, f"{b} Boot SD")} for a, b in paths]
            r["boot_valid"] = int(N_BOOT - boot.fails)
        out[key] = r
        print(key, "performance", {k: round(v, 4) for k, v in r["performance"].items()}, file=sys.stderr)
    (HERE / "reference.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
