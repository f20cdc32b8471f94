"""From latent scores to answers: items on their scales, don't-know/skips, questions, ``show_if``.

Every function takes the truth dictionary from :func:`csi.simulate.population.build_truth` and
a seeded generator; nothing here reads the clock or global state.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from csi.survey import Survey
from csi.survey.schema import Question, Scale

__all__ = ["discretise", "draw_items", "apply_missing", "draw_questions", "apply_show_if",
           "index_of_items"]

_COMMENTS = {
    "en": {"pos": ["Fast delivery, will buy again.", "Great quality for the price.",
                   "Customer service was very helpful."],
           "neg": ["The parcel arrived late.", "Not as described, disappointed.",
                   "Returns were a hassle."],
           "mid": ["OK overall.", "Average experience."]},
    "zh": {"pos": ["发货很快，还会再来。", "质量很好，物有所值。", "客服很耐心。"],
           "neg": ["快递太慢了。", "货不对板，很失望。", "退货太麻烦。"],
           "mid": ["总体还行。", "一般般。"]},
}


def discretise(x: np.ndarray, scale: Scale, location: float, spread: float = 0.2) -> np.ndarray:
    """Map standard-normal-ish values to a scale: ``min + (max-min)(location + spread x)``,
    rounded to the scale step and clipped to the theoretical bounds.

    >>> from csi.survey.schema import Scale
    >>> discretise(np.array([-9.0, 0.0, 9.0]), Scale(min=1, max=10), 0.5).tolist()
    [1.0, 5.0, 10.0]
    """
    lo, hi, step = float(scale.min), float(scale.max), float(scale.step)
    v = lo + (hi - lo) * (location + spread * np.asarray(x, dtype=float))
    v = lo + np.round((v - lo) / step) * step
    return np.clip(v, lo, hi)


def draw_items(survey: Survey, truth: dict[str, Any], lat: dict[str, Any],
               rng: np.random.Generator) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Complete Likert answers (before don't-know/skips), as answered (reverse items reversed),
    and each item's continuous value ``x`` (SD units, positive direction)."""
    items = survey.items
    n = len(lat["wave"])
    spread = truth["item_location"]["spread"]
    loc = truth["item_location"]["location"]
    answers: dict[str, np.ndarray] = {}
    cont: dict[str, np.ndarray] = {}
    drv = truth["drivers"]
    comp = truth["complaint"]
    for iid, info in items.items():
        if info.group == "construct":
            c = info.owner
            if comp and c == comp["construct"]:
                answers[iid] = lat["complained"].astype(float)
                cont[iid] = lat["eta"][c]
                continue
            lam = truth["loadings"][c][iid]
            score = lat["eta"][c]
        else:
            lam = drv["item_loadings"][iid]
            score = lat["levers"][info.owner]
        x = lam * score + np.sqrt(1 - lam ** 2) * rng.standard_normal(n)
        for tr in truth["item_trends"]:
            if iid in tr["items"]:
                q, opt = tr["segment"]
                x = x + tr["per_wave"] * lat["wave"] * (lat["segments"][q] == opt)
        cont[iid] = x
        v = discretise(x, info.scale, loc[iid], spread)
        if info.item.reverse:
            v = float(info.scale.min) + float(info.scale.max) - v
        answers[iid] = v
    return answers, cont


def index_of_items(survey: Survey, answers: dict[str, np.ndarray], ids: list[str]) -> np.ndarray:
    """Equal-weight 0-100 index of complete answers (reverse items recoded; theoretical bounds)."""
    parts = []
    for iid in ids:
        info = survey.items[iid]
        lo, hi = float(info.scale.min), float(info.scale.max)
        v = answers[iid]
        if info.item.reverse:
            v = lo + hi - v
        parts.append(100.0 * (v - lo) / (hi - lo))
    return np.mean(parts, axis=0)


def apply_missing(survey: Survey, truth: dict[str, Any], answers: dict[str, np.ndarray],
                  rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Replace a share of answers by the scale's don't-know code and by NaN (skipped)."""
    dk_rate = truth["missing"]["dont_know_rate"]
    skip = truth["missing"]["skip_rate"]
    out = {}
    for iid, v in answers.items():
        sc = survey.items[iid].scale
        v = v.copy()
        u = rng.random(len(v))
        if sc.dont_know is not None:
            v[u < dk_rate] = float(sc.dont_know)
        v[(u >= dk_rate) & (u < dk_rate + skip)] = np.nan
        out[iid] = v
    return out


def _quality_items(survey: Survey) -> list[str]:
    cons = [(cid, c) for cid, c in survey.constructs.items() if not c.binary]
    if "quality" in survey.constructs and not survey.constructs["quality"].binary:
        cid = "quality"
    else:
        cid = max(cons, key=lambda kc: len(kc[1].items))[0]
    return [it.id for it in survey.constructs[cid].items]


def complaint_type_map(survey: Survey, q: Question) -> dict[str, list[str]]:
    """Option group (or option) -> the quality items whose low values drive it (contiguous
    chunks of the quality construct's items, in order)."""
    groups = list(q.option_groups) or [str(o.code) for o in q.options]
    items = _quality_items(survey)
    if len(items) < len(groups):
        items = (items * len(groups))[: len(groups)]
    chunks = np.array_split(np.array(items, dtype=object), len(groups))
    return {g: [str(i) for i in ch] for g, ch in zip(groups, chunks, strict=True)}


def _multi_choice(q: Question, score: np.ndarray, active: np.ndarray, gamma: float,
                  extra: float, rng: np.random.Generator) -> np.ndarray:
    codes = [str(o.code) for o in q.options]
    out = np.empty(len(active), dtype=object)
    out[:] = ""
    for i in np.flatnonzero(active):
        z = gamma * score[i]
        p = np.exp(z - z.max())
        p /= p.sum()
        k = 1 + rng.binomial(len(codes) - 1, extra)
        pick = rng.choice(len(codes), size=k, replace=False, p=p)
        out[i] = ";".join(codes[j] for j in sorted(pick))
    return out


def draw_questions(survey: Survey, truth: dict[str, Any], lat: dict[str, Any],
                   cont: dict[str, np.ndarray], complete: dict[str, np.ndarray],
                   wave_labels: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Answers to every non-contact question (segments, complaint details, comments,
    behavioural fields, ...), before ``show_if``."""
    n = len(lat["wave"])
    out: dict[str, np.ndarray] = {}
    comp = truth["complaint"]
    drv = truth["drivers"]
    beh = truth.setdefault("behaviour", None)
    outcome = drv["outcome"] if drv else (comp["service_recovery"]["construct"] if comp else None)
    if outcome is None:
        from csi.simulate.population import outcome_construct

        outcome = outcome_construct(survey)
    out_z = lat["eta"][outcome]
    out_z = (out_z - out_z.mean()) / out_z.std()
    repurchase_q = survey.drivers.behaviour if survey.drivers is not None else None
    if repurchase_q is None:
        ynb = [q.id for q in survey.questions if q.role == "behavioural" and q.type == "yes_no"]
        repurchase_q = ynb[0] if ynb else None
    lang = survey.default_language if survey.default_language in _COMMENTS else "en"
    complained = lat["complained"].astype(bool)
    for q in survey.questions:
        if q.role == "contact" or q.pii is not None:
            continue
        if q.role == "segment" and q.id in lat["segments"]:
            out[q.id] = lat["segments"][q.id].astype(object)
        elif q.role == "wave":
            out[q.id] = wave_labels.astype(object)
        elif q.role == "weight":
            out[q.id] = np.ones(n)
        elif q.role == "complaint_type" and q.type == "multiple_choice" and q.options and comp:
            m = complaint_type_map(survey, q)
            comp["types"]["question"] = q.id
            comp["types"]["items"] = m
            score = np.zeros((n, len(q.options)))
            for j, o in enumerate(q.options):
                key = o.group if q.option_groups else str(o.code)
                score[:, j] = -np.mean([cont[i] for i in m[key]], axis=0)
            out[q.id] = _multi_choice(q, score, complained, comp["types"]["gamma"],
                                      comp["types"]["extra_type_probability"], rng)
        elif q.role == "complaint_resolved" and comp:
            hc = comp["handling"]
            p = 1 / (1 + np.exp(-(hc["resolved_intercept"] + hc["resolved_slope"] * lat["handling"])))
            out[q.id] = (rng.random(n) < p).astype(float)
        elif q.role == "behavioural" and q.id == repurchase_q:
            out[q.id] = _repurchase(survey, truth, complete, outcome, q.id, rng)
            beh = truth["behaviour"]
        elif q.role == "behavioural" and q.type == "number":
            a, b = float(np.log(3.0)), 0.3
            out[q.id] = rng.poisson(np.exp(a + b * out_z)).astype(float)
            if q.max is not None:
                out[q.id] = np.minimum(out[q.id], float(q.max))
            truth.setdefault("counts", {})[q.id] = {
                "rule": "Poisson(exp(log_intercept + slope * z(outcome)))",
                "log_intercept": a, "slope": b, "outcome": outcome}
        elif q.role == "recommendation" and q.type == "rating" and q.scale in survey.scales:
            # 0-10 NPS answer: correlation 0.8 with the outcome (loyalty) construct; drawn from a
            # child generator so adding the question leaves every other simulated answer unchanged
            x = 0.8 * out_z + 0.6 * rng.spawn(1)[0].standard_normal(n)
            out[q.id] = discretise(x, survey.scales[q.scale], 0.72, 0.17)
            truth["nps"] = {"question": q.id, "rule": "discretise(0.8 z(outcome) + 0.6 e, location "
                            "0.72, spread 0.17) on the 0-10 scale", "outcome": outcome}
        elif q.type == "rating":
            sc = survey.scales[q.scale] if q.scale else Scale(min=q.min if q.min is not None else 1,
                                                              max=q.max if q.max is not None else 10)
            x = lat["handling"] if q.role == "complaint_handling" else rng.standard_normal(n)
            out[q.id] = discretise(x, sc, 0.55)
        elif q.type == "yes_no":
            out[q.id] = (rng.random(n) < 0.5).astype(float)
        elif q.type == "single_choice" and q.options:
            codes = np.array([str(o.code) for o in q.options], dtype=object)
            out[q.id] = codes[rng.integers(0, len(codes), n)]
        elif q.type == "multiple_choice" and q.options:
            codes = [str(o.code) for o in q.options]
            ticks = rng.random((n, len(codes))) < 0.3
            out[q.id] = np.array([";".join(c for c, t in zip(codes, row, strict=True) if t)
                                  for row in ticks], dtype=object)
        elif q.type == "number":
            lo = q.min if q.min is not None else 0
            hi = q.max if q.max is not None else lo + 10
            out[q.id] = rng.integers(int(lo), int(hi) + 1, n).astype(float)
        elif q.type == "text" and q.role == "comment":
            says = rng.random(n) < 0.12
            pick = rng.integers(0, 3, n)
            txt = _COMMENTS[lang]
            vals = np.empty(n, dtype=object)
            vals[:] = np.nan
            for i in np.flatnonzero(says):
                kind = "pos" if out_z[i] > 0.5 else "neg" if out_z[i] < -0.5 else "mid"
                vals[i] = txt[kind][pick[i] % len(txt[kind])]
            out[q.id] = vals
        else:  # free text, dates, option-less questions: left empty
            vals = np.empty(n, dtype=object)
            vals[:] = np.nan
            out[q.id] = vals
    truth["behaviour"] = beh
    return out


def _repurchase(survey: Survey, truth: dict[str, Any], complete: dict[str, np.ndarray],
                outcome: str, qid: str, rng: np.random.Generator) -> np.ndarray:
    """Actual repurchase 0/1 from a logit of the outcome index and the lever indices
    (complete answers, per 10 points of the 0-100 index)."""
    terms = {outcome: index_of_items(survey, complete, [it.id for it in survey.constructs[outcome].items]) / 10}
    coef = {outcome: 0.30}
    drv = truth["drivers"]
    if drv:
        for lv, g in drv["effects_on_outcome"].items():
            terms[lv] = index_of_items(survey, complete, survey.driver_items[lv]) / 10
            coef[lv] = round(1.2 * g, 6)
    lin = sum(coef[k] * terms[k] for k in terms)
    rate = truth.pop("_repurchase_rate", 0.4)
    alpha = float(np.log(rate / (1 - rate)) - lin.mean())
    p = 1 / (1 + np.exp(-(alpha + lin)))
    truth["behaviour"] = {
        "question": qid,
        "rule": "P(repurchase) = logistic(intercept + sum coefficient * index / 10); each index is "
                "the equal-weight 0-100 mean of its complete items (before don't-know/skips), "
                "the outcome construct's items and each driver lever's items",
        "intercept": alpha, "coefficients_per_10_points": coef, "outcome": outcome,
    }
    return (rng.random(len(p)) < p).astype(float)


def _matches(value: Any, wanted: tuple, positive: bool) -> bool:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return False
    vals = str(value).split(";") if isinstance(value, str) else [value]
    hit = False
    for v in vals:
        for w in wanted:
            try:
                if float(v) == float(w):
                    hit = True
            except (TypeError, ValueError):
                if str(v) == str(w):
                    hit = True
    return hit if positive else not hit


def apply_show_if(survey: Survey, frame: pd.DataFrame) -> pd.DataFrame:
    """Blank (NaN) every field whose ``show_if`` condition is not met (a referenced answer
    that is missing means "not shown"). Fields are processed in survey order, so chains work."""
    frame = frame.copy()
    conds = {iid: info.item.show_if for iid, info in survey.items.items() if info.item.show_if}
    conds.update({q.id: q.show_if for q in survey.questions if q.show_if and q.id in frame})
    for fid in [f for f in survey.field_ids if f in conds and f in frame]:
        cond = conds[fid]
        if cond.field not in frame:
            continue
        wanted, positive = cond.allowed
        shown = frame[cond.field].map(lambda v, w=wanted, p=positive: _matches(v, w, p)).to_numpy(bool)
        frame[fid] = frame[fid].where(shown)
    return frame
