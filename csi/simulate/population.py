"""The true population model behind :func:`csi.simulate.simulate_responses`.

:func:`build_truth` turns a survey into a dictionary of every true parameter (JSON-ready);
:func:`draw_latents` draws respondents' construct scores, driver-lever scores, segments and
waves from it.

Model (all construct scores are in standard-deviation units)
-----------------------------------------------------------
- Exogenous constructs are standard normal, pairwise correlated ``exogenous_correlation``.
- An endogenous construct ``c`` is ``sum_p beta_pc * eta_p + delta_c + sqrt(psi_c) * e`` with
  the *standardized* true path coefficients ``beta`` (``truth["paths"]``); ``psi_c`` makes the
  variance of the systematic part plus the disturbance 1 in the base population.
- A binary construct (ACSI complaint) is ``1{eta* > tau}`` for a latent propensity ``eta*``
  built the same way; ``tau`` gives the stated base rate. Downstream paths use the
  standardized indicator ``(d - p) / sqrt(p (1 - p))``.
- ``delta_c`` collects the segment shifts (one per option of every segment question, weighted
  mean zero) and the wave trend (per wave, on exogenous constructs, centred on the middle
  wave): group differences in means.
- Driver levers ``d_l = rho * eta_halo + sqrt(1 - rho^2) * u_l`` share a halo (satisfaction
  when present); the driver outcome construct (loyalty) gets ``+ sum_l gamma_l * u_l`` on top of
  its paths (``truth["drivers"]["effects_on_outcome"]``, standardized), and, for complainers,
  ``+ recovery * h`` with ``h`` the standard-normal complaint-handling quality.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import norm

from csi.errors import ParameterError
from csi.survey import Survey

__all__ = ["build_truth", "draw_latents", "ACSI_TRUE_PATHS", "outcome_construct"]

#: Default standardized path coefficients for the ACSI model (typical published magnitudes).
ACSI_TRUE_PATHS: dict[tuple[str, str], float] = {
    ("expectation", "quality"): 0.55,
    ("expectation", "value"): 0.10,
    ("expectation", "satisfaction"): 0.10,
    ("quality", "value"): 0.55,
    ("quality", "satisfaction"): 0.50,
    ("value", "satisfaction"): 0.30,
    ("satisfaction", "complaint"): -0.45,
    ("satisfaction", "loyalty"): 0.55,
    ("complaint", "loyalty"): -0.15,
}
_LEVER_EFFECTS = (0.25, 0.20, 0.15, 0.11, 0.08, 0.05, 0.03, 0.0)


def outcome_construct(survey: Survey) -> str:
    """The construct the driver battery explains: the battery's ``outcome`` (construct id or
    the construct of an item id), else ``loyalty``, else the last non-binary construct in
    causal order."""
    order = survey.to_model().topological_order()
    out = survey.drivers.outcome if survey.drivers is not None else None
    if out is not None:
        if out in survey.constructs:
            return out
        if out in survey.items and survey.items[out].group == "construct":
            return survey.items[out].owner
    if "loyalty" in survey.constructs:
        return "loyalty"
    nonbin = [c for c in order if not survey.constructs[c].binary]
    return nonbin[-1] if nonbin else order[-1]


def _halo(survey: Survey, outcome: str) -> str:
    if "satisfaction" in survey.constructs and not survey.constructs["satisfaction"].binary:
        return "satisfaction"
    parents = [s for s, t in survey.effective_paths if t == outcome and not survey.constructs[s].binary]
    return parents[0] if parents else outcome


def _default_paths(survey: Survey) -> dict[tuple[str, str], float]:
    paths = survey.effective_paths
    out: dict[tuple[str, str], float] = {}
    for target in {t for _, t in paths}:
        into = [(s, t) for s, t in paths if t == target]
        if all(p in ACSI_TRUE_PATHS for p in into):
            out.update({p: ACSI_TRUE_PATHS[p] for p in into})
        else:  # generic: equal positive paths whose sum is 0.7 (R^2 <= 0.49 whatever the correlations)
            out.update({p: 0.7 / len(into) for p in into})
    return {p: out[p] for p in paths}


def build_truth(
    survey: Survey,
    rng: np.random.Generator,
    *,
    paths: dict[tuple[str, str], float] | None = None,
    n_waves: int = 4,
    start: str = "2026-01-01",
    wave_trend: float = 0.06,
    segment_sd: float = 0.15,
    exogenous_correlation: float = 0.3,
    complaint_rate: float = 0.15,
    dont_know_rate: float = 0.01,
    skip_rate: float = 0.004,
    item_trends: list[dict[str, Any]] | None = None,
    repurchase_rate: float = 0.4,
) -> dict[str, Any]:
    """Every true parameter of the population (JSON-ready; see the module docstring).

    Raises
    ------
    ParameterError
        A path that is not in the survey's structural model, or path coefficients that leave
        no room for a disturbance (systematic variance >= 0.95).
    """
    model = survey.to_model()
    order = list(model.topological_order())
    eff = survey.effective_paths
    beta = _default_paths(survey)
    for p, v in (paths or {}).items():
        if tuple(p) not in beta:
            known = ", ".join(f"{s}->{t}" for s, t in eff)
            raise ParameterError(f"path {p[0]}->{p[1]} is not in the structural model of "
                                 f"survey {survey.id!r}; expected one of {known}.")
        beta[tuple(p)] = float(v)
    outcome = outcome_construct(survey)
    binary = [c for c in order if survey.constructs[c].binary]
    complaint = binary[0] if binary else None

    # -- loadings and item locations (seeded, recorded) -----------------------------------
    pattern = (0.85, 0.80, 0.88, 0.78, 0.83, 0.86, 0.76, 0.82)
    loadings: dict[str, dict[str, float]] = {}
    locations: dict[str, float] = {}
    for cid, c in survey.constructs.items():
        loadings[cid] = {it.id: (1.0 if c.binary else pattern[k % len(pattern)])
                         for k, it in enumerate(c.items)}
    offsets = rng.uniform(-0.06, 0.06, size=len(survey.items))
    for k, iid in enumerate(survey.items):
        locations[iid] = float(0.68 + offsets[k])

    # -- drivers ---------------------------------------------------------------------------
    levers = [lv.id for lv in survey.drivers.levers] if survey.drivers is not None else []
    perm = rng.permutation(len(levers)) if levers else np.array([], dtype=int)
    lever_eff = {lv: float(_LEVER_EFFECTS[perm[k] % len(_LEVER_EFFECTS)]) for k, lv in enumerate(levers)}
    driver_loadings = {iid: 0.9 for lv in levers for iid in survey.driver_items[lv]}
    recovery = 0.35 if complaint is not None and order.index(complaint) < order.index(outcome) else 0.0

    # -- implied covariance and disturbance variances ----------------------------------------
    cov = {}
    psi: dict[str, float] = {}
    tau = float(norm.ppf(1 - complaint_rate))
    p_c = complaint_rate
    atten = float(norm.pdf(tau) / np.sqrt(p_c * (1 - p_c)))  # cov(z(1{X>tau}), Y) / cov(X, Y)
    exo = [c for c in order if not any(t == c for _, t in eff)]
    for i, c in enumerate(order):
        parents = [s for s, t in eff if t == c]
        if not parents:
            for j in order[:i]:
                r = exogenous_correlation if j in exo else 0.0
                cov[(c, j)] = cov[(j, c)] = r
            cov[(c, c)] = 1.0
            psi[c] = 1.0
            continue
        b = np.array([beta[(s, c)] for s in parents])
        S = np.array([[cov[(a, d)] for d in parents] for a in parents])
        systematic = float(b @ S @ b)
        extra = 0.0
        if c == outcome:
            extra = sum(g ** 2 for g in lever_eff.values()) + complaint_rate * recovery ** 2
        rest = 1.0 - systematic - extra
        if rest < 0.05:
            raise ParameterError(
                f"the true paths into {c!r} explain {systematic + extra:.2f} of its variance; "
                "expected at most 0.95. Lower the path coefficients.")
        psi[c] = rest
        scale = atten if survey.constructs[c].binary else 1.0
        for j in order[:i]:
            cov[(c, j)] = cov[(j, c)] = scale * float(sum(beta[(s, c)] * cov[(s, j)] for s in parents))
        cov[(c, c)] = 1.0

    # -- segments and waves ----------------------------------------------------------------
    segments: dict[str, Any] = {}
    shiftable = [c for c in order if not survey.constructs[c].binary]
    for q in survey.segments:
        codes = [str(o.code) for o in q.options]
        if not codes:
            continue
        raw = np.array([0.9 ** k for k in range(len(codes))]) + rng.uniform(0, 0.3, len(codes))
        prob = raw / raw.sum()
        eff_mat = rng.normal(0.0, segment_sd, size=(len(codes), len(shiftable)))
        eff_mat -= prob @ eff_mat  # weighted mean zero per construct
        segments[q.id] = {
            "probabilities": {code: float(p) for code, p in zip(codes, prob, strict=True)},
            "construct_shifts": {code: {c: float(eff_mat[k, j]) for j, c in enumerate(shiftable)}
                                 for k, code in enumerate(codes)},
        }
    trends = []
    for tr in item_trends or []:
        q, opt = tr["segment"]
        if q not in segments or opt not in segments[q]["probabilities"]:
            raise ParameterError(f"item trend: {q}={opt} is not an option of a segment question.")
        bad = [i for i in tr["items"] if i not in survey.items]
        if bad:
            raise ParameterError(f"item trend: unknown item(s) {', '.join(bad)}.")
        trends.append({"segment": [q, opt], "items": list(tr["items"]), "per_wave": float(tr["per_wave"])})

    truth: dict[str, Any] = {
        "survey_id": survey.id,
        "survey_version": survey.version,
        "units": ("construct scores, shifts and trends in SD units of the construct; paths "
                  "standardized; logit coefficients per 10 points of a 0-100 index"),
        "causal_order": order,
        "paths": [{"source": s, "target": t, "coefficient": beta[(s, t)]} for s, t in eff],
        "paths_on_binary_indicator": [
            {"source": s, "target": t, "coefficient": beta[(s, t)] * atten} for s, t in eff
            if survey.constructs[t].binary],
        "binary_note": ("paths into a binary construct act on its latent propensity; on the "
                        "standardized 0/1 indicator (what an estimator sees) they are multiplied by "
                        "phi(threshold) / sqrt(p (1 - p)) -- see paths_on_binary_indicator"),
        "disturbance_variance": psi,
        "implied_correlation": {f"{a}~{b}": cov[(a, b)] for i, a in enumerate(order) for b in order[:i]},
        "exogenous_correlation": exogenous_correlation if len(exo) > 1 else 0.0,
        "loadings": loadings,
        "item_location": {"rule": "value = min + (max - min) * (location + spread * x), rounded "
                                  "to the scale step and clipped; x = loading * score + noise",
                          "spread": 0.2, "location": locations},
        "segments": segments,
        "waves": {"n_waves": n_waves, "start": start,
                  "trend_per_wave": wave_trend, "trend_on": exo,
                  "rule": "shift = trend_per_wave * (wave - (n_waves - 1) / 2) on exogenous constructs"},
        "item_trends": trends,
        "missing": {"dont_know_rate": dont_know_rate, "skip_rate": skip_rate,
                    "rule": "independent per Likert answer; don't know only where the scale has a code"},
        "complaint": None,
        "drivers": None,
        "behaviour": None,
    }
    if complaint is not None:
        truth["complaint"] = {
            "construct": complaint, "base_rate": complaint_rate, "threshold": tau,
            "rule": "complained = 1{propensity > threshold}; propensity follows the paths into "
                    "the complaint construct (standardized)",
            "handling": {"rule": "h ~ N(0,1) per complainer; handling rating = discretised h; "
                                 "P(resolved) = logistic(resolved_intercept + resolved_slope * h)",
                         "resolved_intercept": 0.5, "resolved_slope": 1.2},
            "service_recovery": {"construct": outcome, "effect_per_sd_handling": recovery},
            "types": {"gamma": 1.0, "extra_type_probability": 0.08,
                      "rule": "P(option) proportional to exp(gamma * (-mean x of its quality items)); "
                              "one option, then each other with extra_type_probability"},
        }
    if levers:
        truth["drivers"] = {
            "outcome": outcome, "halo": _halo(survey, outcome), "halo_correlation": 0.4,
            "effects_on_outcome": lever_eff, "item_loadings": driver_loadings,
            "rule": "lever = rho * halo + sqrt(1 - rho^2) * u; outcome += effect * u",
            "true_ranking": sorted(levers, key=lambda lv: -lever_eff[lv]),
        }
    truth["_repurchase_rate"] = repurchase_rate
    return truth


def draw_latents(survey: Survey, truth: dict[str, Any], n: int, rng: np.random.Generator) -> dict[str, Any]:
    """Draw segments, waves, construct scores, lever scores and handling quality for ``n``
    respondents (arrays in SD units; ``complained`` 0/1)."""
    order = truth["causal_order"]
    beta = {(p["source"], p["target"]): p["coefficient"] for p in truth["paths"]}
    n_waves = truth["waves"]["n_waves"]
    wave = rng.integers(0, n_waves, size=n)
    seg: dict[str, np.ndarray] = {}
    for qid, spec in truth["segments"].items():
        codes = list(spec["probabilities"])
        seg[qid] = np.array(codes, dtype=object)[rng.choice(len(codes), size=n, p=list(spec["probabilities"].values()))]
    exo = truth["waves"]["trend_on"]
    r = truth["exogenous_correlation"]
    common = rng.standard_normal(n)
    eta: dict[str, np.ndarray] = {}
    values: dict[str, np.ndarray] = {}  # what downstream paths see (standardized indicator if binary)
    comp = truth["complaint"]
    drv = truth["drivers"]
    u = {lv: rng.standard_normal(n) for lv in (drv["effects_on_outcome"] if drv else {})}
    h = rng.standard_normal(n)
    complained = np.zeros(n)
    for c in order:
        shift = np.zeros(n)
        for qid, spec in truth["segments"].items():
            m = spec["construct_shifts"]
            shift += np.array([m[code].get(c, 0.0) for code in seg[qid]])
        if c in exo:
            shift += truth["waves"]["trend_per_wave"] * (wave - (n_waves - 1) / 2)
            base = np.sqrt(r) * common + np.sqrt(1 - r) * rng.standard_normal(n) if r else rng.standard_normal(n)
        else:
            base = sum(beta[(s, t)] * values[s] for s, t in beta if t == c)
            base = base + np.sqrt(truth["disturbance_variance"][c]) * rng.standard_normal(n)
        if drv and c == drv["outcome"]:
            base = base + sum(g * u[lv] for lv, g in drv["effects_on_outcome"].items())
        if comp and c == comp["service_recovery"]["construct"]:
            base = base + comp["service_recovery"]["effect_per_sd_handling"] * complained * h
        if comp and c == comp["construct"]:
            eta[c] = base
            complained = (base > comp["threshold"]).astype(float)
            p = comp["base_rate"]
            values[c] = (complained - p) / np.sqrt(p * (1 - p))
        else:
            eta[c] = base + shift
            values[c] = eta[c]
    levers = {}
    if drv:
        rho = drv["halo_correlation"]
        halo = eta[drv["halo"]]
        for lv in drv["effects_on_outcome"]:
            levers[lv] = rho * halo + np.sqrt(1 - rho ** 2) * u[lv]
    return {"wave": wave, "segments": seg, "eta": eta, "levers": levers,
            "complained": complained, "handling": h}
