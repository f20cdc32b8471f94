"""Reference values from seminr-py (the Python port of SEMinR, GPL-3) on corp_rep.

Run ONCE, in the separate benchmark environment, never imported by csi or the tests:

    python -m venv .bench-venv && .bench-venv/bin/pip install seminr plspm "pandas<3" psutil
    .bench-venv/bin/python tests/data/seminr/make_reference.py

Writes ``tests/data/seminr/reference.json`` (see PROVENANCE.md); ``--only models`` recomputes
just the moderation and higher-order sections (``models``), keeping the rest. Data:
``tests/data/corp_rep/corp_rep_data.csv`` (-99 = missing; seminr's mean replacement).
"""

from __future__ import annotations

import json
import platform
import sys
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd

s = None  # seminr, imported by main(): pytest's doctest collection imports this file without it

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "corp_rep" / "corp_rep_data.csv"

ITEMS = {
    "QUAL": [f"qual_{i}" for i in range(1, 9)], "PERF": [f"perf_{i}" for i in range(1, 6)],
    "CSOR": [f"csor_{i}" for i in range(1, 6)], "ATTR": [f"attr_{i}" for i in range(1, 4)],
    "COMP": ["comp_1", "comp_2", "comp_3"], "LIKE": ["like_1", "like_2", "like_3"],
    "CUSA": ["cusa"], "CUSL": ["cusl_1", "cusl_2", "cusl_3"],
    "SC": ["switch_1", "switch_2", "switch_3", "switch_4"],
}
FORMATIVE = {"QUAL", "PERF", "CSOR", "ATTR"}
MODELS = {
    "simple_model": (["COMP", "LIKE", "CUSA", "CUSL"],
                     [("COMP", "CUSA"), ("COMP", "CUSL"), ("LIKE", "CUSA"), ("LIKE", "CUSL"),
                      ("CUSA", "CUSL")]),
    "extended_model": (["QUAL", "PERF", "CSOR", "ATTR", "COMP", "LIKE", "CUSA", "CUSL"],
                       [(a, b) for a in ("QUAL", "PERF", "CSOR", "ATTR") for b in ("COMP", "LIKE")]
                       + [("COMP", "CUSA"), ("COMP", "CUSL"), ("LIKE", "CUSA"), ("LIKE", "CUSL"),
                          ("CUSA", "CUSL")]),
}
N_BOOT = 5000
BOOT_SEED = 123
PREDICT_SEED = 2026
FOLDS = 10


def _spec(names, plsc=False):
    out = []
    for c in names:
        if c in FORMATIVE:
            out.append(s.composite(c, ITEMS[c], weights=s.mode_B))
        elif plsc and len(ITEMS[c]) > 1:
            out.append(s.reflective(c, ITEMS[c]))
        else:
            out.append(s.composite(c, ITEMS[c]))
    return out


def _sm(paths):
    return s.relationships(*[s.paths(a, b) for a, b in paths])


def _nm(m):
    """NamedMatrix -> {row: {col: value}} (NaN -> None)."""
    return {r: {c: (None if not np.isfinite(v) else float(v)) for c, v in zip(m.cols, row, strict=True)}
            for r, row in zip(m.rows, m.values, strict=True)}


def _srmr(model, names):
    """PLS SRMR as cSEM/SmartPLS define it (composite model): implied item correlations
    ``l_i C_ij l_j'`` between blocks, ``l l'`` within reflective (Mode A) blocks, observed
    within formative blocks; root mean square of the lower triangle incl. the diagonal.
    Computed here from seminr's loadings, construct-score correlations and data (seminr-py
    has no PLS SRMR)."""
    items = [i for c in names for i in ITEMS[c]]
    X = np.column_stack([model.data.values[:, model.data.columns.index(i)] for i in items])
    R = np.corrcoef(X, rowvar=False)
    S = np.column_stack([model.construct_scores.values[:, model.construct_scores.cols.index(c)]
                         for c in names])
    C = np.corrcoef(S, rowvar=False)
    lam = np.array([model.outer_loadings.values[model.outer_loadings.rows.index(i),
                                                model.outer_loadings.cols.index(c)]
                    for c in names for i in ITEMS[c]])
    owner = np.array([k for k, c in enumerate(names) for _ in ITEMS[c]])
    sigma = np.outer(lam, lam) * C[np.ix_(owner, owner)]
    for k, c in enumerate(names):
        b = np.flatnonzero(owner == k)
        sigma[np.ix_(b, b)] = R[np.ix_(b, b)] if c in FORMATIVE else np.outer(lam[b], lam[b])
    np.fill_diagonal(sigma, 1.0)
    tri = np.tril_indices(len(items))
    return float(np.sqrt(np.mean((R[tri] - sigma[tri]) ** 2)))


def _f2_same_scores(model, names, paths):
    """Cohen's f² with the construct scores held fixed (cSEM ``calculatef2``, SmartPLS):
    R² of the target with and without the source, OLS on seminr's construct scores.
    seminr's own ``model_fsquares`` re-estimates the whole model without the path (stored
    as ``f2``); csi follows cSEM/SmartPLS."""
    S = {c: model.construct_scores.values[:, model.construct_scores.cols.index(c)] for c in names}

    def r2(y, xs):
        X = np.column_stack([np.ones(len(S[y]))] + [S[x] for x in xs])
        beta = np.linalg.lstsq(X, S[y], rcond=None)[0]
        res = S[y] - X @ beta
        return 1 - res.var() / S[y].var()

    out = {}
    for a, b in paths:
        preds = [x for x, t in paths if t == b]
        full = r2(b, preds)
        rest = [x for x in preds if x != a]
        excl = r2(b, rest) if rest else 0.0
        out.setdefault(a, {})[b] = float((full - excl) / (1 - full))
    return out


def _chains(paths):
    succ = {}
    for a, b in paths:
        succ.setdefault(a, []).append(b)
    out = []

    def walk(route):
        for nxt in succ.get(route[-1], []):
            r = [*route, nxt]
            if len(r) >= 3:
                out.append(r)
            walk(r)

    for start in dict.fromkeys(a for a, _ in paths):
        walk([start])
    return out


def _predict(model, ordering, technique):
    from seminr.predict.metrics import summarize_pls_predict

    pred = s.predict_pls(model, technique=technique, no_folds=FOLDS, ordering=ordering)
    summ = summarize_pls_predict(pred)
    out = {}
    for key, m in (("pls", summ.pls_out_of_sample), ("lm", summ.lm_out_of_sample)):
        for j, item in enumerate(m.cols):
            out.setdefault(item, {})[f"{key}_rmse"] = float(m.values[0, j])
            out[item][f"{key}_mae"] = float(m.values[1, j])
    return out


def _models(df) -> dict:
    """Moderation (Hair et al. 2021, ch. 8: SC moderates CUSA -> CUSL in the extended model;
    two-stage and product-indicator) and a higher-order composite REP over COMP and LIKE
    (disjoint two-stage, seminr's ``higher_composite``)."""
    names, paths = MODELS["extended_model"]
    out = {}
    for meth in ("two_stage", "product_indicator"):
        mm = s.constructs(*_spec(names + ["SC"]),
                          s.interaction_term("CUSA", "SC", method=getattr(s, meth)))
        pp = paths + [("SC", "CUSL"), ("CUSA*SC", "CUSL")]
        m = s.estimate_pls(df, mm, _sm(pp), missing_value=-99)
        pc = m.path_coef
        out[f"moderation_{meth}"] = {
            "interaction": ["CUSA", "SC", "CUSL"],
            "paths": [{"source": a, "target": b,
                       "estimate": float(pc.values[pc.rows.index(a), pc.cols.index(b)])} for a, b in pp]}
    hp = [(a, "REP") for a in ("QUAL", "PERF", "CSOR", "ATTR")] + [("REP", "CUSA"), ("REP", "CUSL"),
                                                                    ("CUSA", "CUSL")]
    mm = s.constructs(*_spec(names), s.higher_composite("REP", ["COMP", "LIKE"]))
    m = s.estimate_pls(df, mm, _sm(hp), missing_value=-99)
    pc, ol, ow = m.path_coef, m.outer_loadings, m.outer_weights
    out["hoc_disjoint"] = {
        "hoc": {"REP": ["COMP", "LIKE"]},
        "paths": [{"source": a, "target": b,
                   "estimate": float(pc.values[pc.rows.index(a), pc.cols.index(b)])} for a, b in hp],
        "hoc_loadings": {d: float(ol.values[ol.rows.index(d), ol.cols.index("REP")]) for d in ("COMP", "LIKE")},
        "hoc_weights": {d: float(ow.values[ow.rows.index(d), ow.cols.index("REP")]) for d in ("COMP", "LIKE")},
        "rho_a": _nm(s.rho_A(m)), "rho_c_ave": _nm(s.rhoC_AVE(m)),
        "loc_loadings": {i: float(ol.values[ol.rows.index(i), ol.cols.index(c)])
                         for c in ("COMP", "LIKE") for i in ITEMS[c]},
    }
    return out


def main() -> None:
    global s
    import seminr

    s = seminr
    df = pd.read_csv(DATA)
    if sys.argv[1:3] == ["--only", "models"]:
        ref = json.loads((HERE / "reference.json").read_text())
        ref["models"] = _models(df)
        (HERE / "reference.json").write_text(json.dumps(ref, indent=1) + "\n")
        return
    ref: dict = {
        "tool": f"seminr {version('seminr')} (seminr-py, Python port of SEMinR), numpy "
                f"{version('numpy')}, pandas {version('pandas')}, Python {platform.python_version()}",
        "command": ".bench-venv/bin/python tests/data/seminr/make_reference.py",
        "data": "tests/data/corp_rep/corp_rep_data.csv; -99 = missing, mean replacement (seminr default)",
        "settings": "estimate_pls defaults: path weighting, stop criterion 1e-7, max 300 iterations",
        "items": ITEMS,
        "formative": sorted(FORMATIVE),
    }
    n = len(df)
    ordering = [int(i) for i in np.random.default_rng(PREDICT_SEED).permutation(n)]
    ref["predict_ordering"] = ordering
    ref["predict_folds"] = FOLDS
    for key, (names, paths) in MODELS.items():
        m = s.estimate_pls(df, s.constructs(*_spec(names)), _sm(paths), missing_value=-99)
        from seminr.evaluate.constructs_in_model import constructs_in_model

        mc = constructs_in_model(m)
        boot = s.bootstrap_model(m, nboot=N_BOOT, seed=BOOT_SEED)
        spec_eff = []
        for ch in _chains(paths):
            e = s.specific_effect_significance(boot, from_=ch[0], to=ch[-1], through=ch[1:-1])
            spec_eff.append({"path": e.path, "estimate": e.original_est, "se": e.bootstrap_sd,
                             "ci_low": e.ci_lower, "ci_high": e.ci_upper})
        plsc = s.estimate_pls(df, s.constructs(*_spec(names, plsc=True)), _sm(paths), missing_value=-99)
        pc = plsc.path_coef
        ref[key] = {
            "constructs": names,
            "paths": [{"source": a, "target": b} for a, b in paths],
            "alpha": _nm(s.cronbachs_alpha(m)),
            "rho_a": _nm(s.rho_A(m)),
            "rho_c_ave": _nm(s.rhoC_AVE(m)),
            "htmt": _nm(s.htmt(m)),
            "vif_items": s.item_vifs(m, mc),
            "vif_antecedents": s.pls_antecedent_vifs(m, mc),
            "f2": _nm(s.model_fsquares(m)),
            "f2_same_scores": _f2_same_scores(m, names, paths),
            "srmr": _srmr(m, names),
            "total_indirect": _nm(s.total_indirect_effects(m.path_coef)),
            "specific_indirect": spec_eff,
            "n_boot": N_BOOT, "boot_seed": BOOT_SEED, "boot_valid": int(len(boot.boot_paths)),
            "plsc_paths": [{"source": a, "target": b,
                            "estimate": float(pc.values[pc.rows.index(a), pc.cols.index(b)])}
                           for a, b in paths],
            "plsc_rho_a": _nm(s.rho_A(plsc)),
            "predict_DA": _predict(m, ordering, s.predict_DA),
            "predict_EA": _predict(m, ordering, s.predict_EA),
        }
        print(key, "done", file=sys.stderr)
    ref["models"] = _models(df)
    (HERE / "reference.json").write_text(json.dumps(ref, indent=1) + "\n")


if __name__ == "__main__":
    main()
