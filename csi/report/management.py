"""The content of the management report (``csi report``): every number, computed once.

:func:`build_management_report` fits the model the way the dashboard does (pooled and per
wave in one bootstrap, :func:`csi.estimate.waves.fit_by_wave`) and collects the headline and
its change, the trend, what to fix first, the importance-performance map, the repurchase
drivers, complaints, segments and a model-quality appendix into a :class:`ManagementReport`.
Numbers are not rounded here (``csi.report.render`` rounds for display). Every section carries
its scope: one wave, or all waves pooled.

Scope rules: the headline is the selected wave (default: the latest) compared with the wave
before it; the trend shows every wave; the driver, complaint and segment sections use the
selected wave's respondents when ``wave`` is given, else all respondents pooled (as the
dashboard's pages do without a wave filter).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from csi.errors import CsiError, ParameterError
from csi.estimate.waves import fit_by_wave, trend_table, wave_labels
from csi.report import overview as ov
from csi.report.tables import construct_labels, item_labels

__all__ = ["ManagementReport", "build_management_report", "headline_construct", "fix_first_candidates",
           "report_labels"]


@dataclass(frozen=True)
class ManagementReport:
    """Everything the report shows (0–100 indices, higher is better, unless a column says so).

    ``headline``/``change``: the headline index of ``headline_wave`` (None: pooled) and its change
    vs the previous wave; ``trend``: ``wave, construct, score, se, ci_low, ci_high, n_obs``;
    ``constructs``: the index of every construct in the headline's scope; ``fix_first``: ranked
    levers ``rank, construct, importance, performance, gap, cause_item, cause_performance`` and
    ``gain, gain_ci_low, gain_ci_high`` (headline index points after raising it by
    :data:`WHATIF_STEP` points);
    ``ipma``: construct-level importance-performance rows; ``repurchase``: ``lever, share,
    odds_ratio, ci_low, ci_high`` (share of explained repurchase in %) or None; ``auc``: dict or
    None; ``complaint_rate``: ``rate, ci_low, ci_high, n`` (share who complained, 0–1, lower is
    better) or None; ``complaint_types``; ``segments``: headline index per segment group;
    ``path_coefficients``, ``pooled_index``: the pooled fit's paths and indices (path diagram);
    ``reliability``, ``r2``, ``htmt``, ``admissibility``: the pooled fit's quality tables.
    """

    survey_id: str
    survey_version: str
    title: str
    lang: str
    n_collected: int  # respondents in the scope (the wave, or all)
    n_used: int  # of them, used by the model fit of the scope
    scope: str  # "wave" or "pooled": the scope of the driver/complaint/segment sections
    wave: str | None
    headline_construct: str
    headline: ov.Headline
    headline_wave: str | None
    change: ov.WaveChange | None
    change_sentence: str
    trend: pd.DataFrame
    constructs: pd.DataFrame
    target: str
    fix_first: pd.DataFrame
    fix_first_texts: list[str]
    ipma: pd.DataFrame
    repurchase: pd.DataFrame | None
    auc: dict | None
    complaint_rate: dict | None
    complaint_types: pd.DataFrame
    segments: pd.DataFrame
    path_coefficients: pd.DataFrame
    pooled_index: pd.DataFrame
    pooled_n: int
    reliability: pd.DataFrame
    r2: pd.DataFrame
    htmt: pd.DataFrame
    admissibility: pd.DataFrame
    labels: dict[str, str]
    notes: list[str] = field(default_factory=list)


def headline_construct(survey) -> str:
    """The construct whose index is the headline: the survey's ``headline:`` when it has one,
    else ``satisfaction``; a :class:`ParameterError` when that construct is missing."""
    cid = getattr(survey, "headline_id", None) or getattr(survey, "headline", None) or ov.HEADLINE_CONSTRUCT
    if cid not in survey.constructs:
        raise ParameterError(f"survey {survey.id!r} has no construct {cid!r} for the headline index; "
                             f"set `headline:` to one of {', '.join(survey.constructs)}")
    return cid


def fix_first_candidates(ipma: pd.DataFrame, k: int = 3, exclude=()) -> pd.DataFrame:
    """The top ``k`` construct-level levers of an IPMA table: the "fix first" quadrant (important,
    below-average performance), most important first; ``exclude``: constructs that are outcomes,
    not levers (the headline construct and what it drives).

    ``ipma``: :func:`csi.drivers.importance_performance` rows (``level="both"``). Adds ``gap`` =
    performance minus the mean performance of the other constructs (index points; < 0 below)
    and the construct's weakest item (``cause_item``, ``cause_performance``) from the item rows.

    >>> t = pd.DataFrame({"level": ["construct"] * 3 + ["item"] * 2, "construct": ["a", "b", "c", "b", "b"],
    ...                   "name": ["a", "b", "c", "b1", "b2"], "importance": [0.1, 0.5, 0.4, 0.2, 0.3],
    ...                   "performance": [80.0, 60.0, 70.0, 50.0, 65.0],
    ...                   "quadrant": ["low priority", "fix first", "keep up", "fix first", "fix first"]})
    >>> fix_first_candidates(t)[["rank", "construct", "gap", "cause_item"]].to_dict("records")
    [{'rank': 1, 'construct': 'b', 'gap': -15.0, 'cause_item': 'b1'}]
    """
    cons = ipma[(ipma["level"] == "construct") & ~ipma["name"].isin(list(exclude))]
    items = ipma[ipma["level"] == "item"]
    rows = []
    for r in cons[cons["quadrant"] == "fix first"].sort_values("importance", ascending=False).head(k).itertuples():
        others = cons.loc[cons["name"] != r.name, "performance"]
        own = items[items["construct"] == r.name].sort_values("performance")
        rows.append({"construct": r.name, "importance": float(r.importance),
                     "importance_ci_low": float(getattr(r, "importance_ci_low", np.nan)),
                     "importance_ci_high": float(getattr(r, "importance_ci_high", np.nan)),
                     "performance": float(r.performance),
                     "gap": float(r.performance - others.mean()) if len(others) else np.nan,
                     "cause_item": str(own["name"].iloc[0]) if len(own) else None,
                     "cause_performance": float(own["performance"].iloc[0]) if len(own) else np.nan})
    out = pd.DataFrame(rows, columns=["construct", "importance", "importance_ci_low", "importance_ci_high",
                                      "performance", "gap", "cause_item", "cause_performance"])
    return out.assign(rank=np.arange(1, len(out) + 1))[["rank", *out.columns]]


def report_labels(survey, lang: str) -> dict[str, str]:
    """Display labels by key: construct, lever and item ids; ``seg:<question>``,
    ``opt:<question>:<code>`` for segments; ``ctype:<code or group>`` for complaint types."""
    from csi.report.tables import option_labels

    out = construct_labels(survey, lang) | item_labels(survey, lang)
    for q in survey.segments:
        out[f"seg:{q.id}"] = survey.t(q.short or q.text, lang)
        out |= {f"opt:{q.id}:{code}": text for code, text in option_labels(survey, q.id, lang).items()}
    q = next((q for q in survey.questions if q.role == "complaint_type"), None)
    if q is not None:
        out |= {f"ctype:{code}": text for code, text in option_labels(survey, q.id, lang).items()}
        out |= {f"ctype:{g}": survey.t(text, lang) for g, text in (q.option_groups or {}).items()}
    return out


#: Index points each fix-first candidate is raised by in the what-if.
WHATIF_STEP = 5.0


def _with_gains(survey, frame, result, cands: pd.DataFrame, *, outcome: str, target: str, n_boot: int,
                seed: int, notes: list[str]) -> pd.DataFrame:
    """Add ``gain, gain_ci_low, gain_ci_high``: the predicted change of ``outcome``'s index when
    the candidate is raised by :data:`WHATIF_STEP` points (:func:`csi.drivers.what_if`)."""
    from csi.drivers import what_if

    gains = []
    for c in cands["construct"]:
        try:
            wi = what_if(survey, frame, {c: WHATIF_STEP}, result, target=target, n_boot=max(n_boot, 20), seed=seed)
        except CsiError as exc:
            notes.append(f"what-if {c}: {exc}")
            gains.append((np.nan, np.nan, np.nan))
            continue
        row = wi[wi["outcome"] == outcome]
        gains.append(tuple(float(row[k].iloc[0]) for k in ("change", "ci_low", "ci_high")) if len(row)
                     else (np.nan, np.nan, np.nan))
    g = np.array(gains, dtype=float).reshape(-1, 3)
    return cands.assign(gain=g[:, 0], gain_ci_low=g[:, 1], gain_ci_high=g[:, 2])


def _outcomes(survey, construct: str) -> set[str]:
    """``construct`` and every construct it drives, directly or not (outcomes, not levers)."""
    out, todo = {construct}, [construct]
    while todo:
        c = todo.pop()
        for a, b in survey.effective_paths:
            if a == c and b not in out:
                out.add(b)
                todo.append(b)
    return out


def _fix_first(survey, frame, result, ipma, *, target: str, headline: str, n_boot: int, seed: int, lang: str,
               notes: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """The ranked levers and their sentences: the dashboard's :func:`csi.drivers.fix_first.fix_first`
    (constructs and driver levers, ranked by predicted gain; issue 17a) with its plain sentences;
    in a build without it, the IPMA's fix-first quadrant (:func:`fix_first_candidates`) with
    what-if gains, and the sentences left to the renderer (empty list)."""
    try:
        from csi.drivers.fix_first import fix_first
        from csi.report.fix_first import fix_first_texts, no_lever_text
    except ModuleNotFoundError:
        cands = fix_first_candidates(ipma, exclude=_outcomes(survey, headline))
        return _with_gains(survey, frame, result, cands, outcome=headline, target=target, n_boot=n_boot,
                           seed=seed, notes=notes), []
    try:
        ff = fix_first(survey, frame, result, target=target, ipma=ipma, step=WHATIF_STEP, k=3, n_boot=n_boot,
                       seed=seed)
    except CsiError as exc:  # the data cannot rank the levers: say why, show none
        notes.append(str(exc))
        return fix_first_candidates(ipma.iloc[0:0]).assign(gain=[], gain_ci_low=[], gain_ci_high=[]), []
    top = ff.top
    nan = np.full(len(top), np.nan)
    table = pd.DataFrame({"rank": top["rank"].astype(int).to_numpy(), "construct": top["id"].to_numpy(),
                          "importance": top["importance"].to_numpy(), "importance_ci_low": nan,
                          "importance_ci_high": nan, "performance": top["performance"].to_numpy(),
                          "gap": top["cause_gap"].to_numpy(), "cause_item": top["cause_item"].to_numpy(),
                          "cause_performance": top["cause_performance"].to_numpy(),
                          "gain": top["headline_gain"].to_numpy(), "gain_ci_low": top["headline_gain_ci_low"].to_numpy(),
                          "gain_ci_high": top["headline_gain_ci_high"].to_numpy()})
    texts = [t.sentence for t in fix_first_texts(ff, survey, lang)]
    return table, texts or [no_lever_text(ff, survey, lang)]


def _select_wave(frame: pd.DataFrame, wave: str | None) -> tuple[pd.DataFrame, str | None]:
    waves = wave_labels(frame)
    if wave is None:
        return frame, None
    if wave not in waves:
        raise ParameterError(f"--wave {wave!r}: no such wave in the responses; waves: {', '.join(waves) or 'none'}")
    mask = (frame["wave"].astype("string") == wave).to_numpy(dtype=bool, na_value=False)
    return frame[mask], wave


def _headline(fits, cid: str, wave: str | None, lang: str):
    waves = sorted(fits.groups)
    if not waves:
        return ov.headline(fits.pooled, cid), None, None, ov.change_sentence(None, lang)
    cur_wave = wave if wave is not None else waves[-1]
    cur = ov.headline(fits.groups[cur_wave], cid)
    pos = waves.index(cur_wave)
    change = None
    if pos > 0:
        prev = waves[pos - 1]
        change = ov.wave_change(cur, ov.headline(fits.groups[prev], cid), prev)
    return cur, cur_wave, change, ov.change_sentence(change, lang)


def _repurchase(survey, frame, result, n_boot: int, seed: int, notes: list[str]):
    """The repurchase drivers section: each lever's share of explained stated repurchase intention
    (relative weights; the report shows the share only, so no bootstrap) with its odds ratio in
    the drivers logit of actual repurchase, and that logit's AUC. Only the two logit fits the
    report shows are run (not the whole :func:`csi.drivers.repurchase_analysis`: seven fits)."""
    if survey.drivers is None or not survey.drivers.behaviour:
        return None, None
    from csi.drivers import relative_importance
    from csi.drivers.repurchase import repurchase_auc, repurchase_logit
    from csi.drivers.scores import behaviour_column

    col, reason = behaviour_column(survey, frame)
    if col is None:
        notes.append(f"behavioural analyses skipped: {reason}.")
        return None, None
    try:
        ri = relative_importance(survey, frame, result, n_boot=0, seed=seed)
        logit = repurchase_logit(survey, frame, result, predictors="drivers").set_index("term")
        main = repurchase_auc(survey, frame, result, models=("drivers",)).iloc[0]
    except CsiError as exc:
        notes.append(str(exc))
        return None, None
    rep = ri[["lever", "rescaled_weight"]].assign(share=lambda d: 100 * d["rescaled_weight"])
    rep = rep.assign(odds_ratio=rep["lever"].map(logit["odds_ratio"]), ci_low=rep["lever"].map(logit["ci_low"]),
                     ci_high=rep["lever"].map(logit["ci_high"]))
    return (rep.drop(columns="rescaled_weight").sort_values("share", ascending=False, ignore_index=True),
            {"auc": float(main["auc"]), "ci_low": float(main["ci_low"]), "ci_high": float(main["ci_high"]),
             "n": int(main["n"])})


def _complaints(survey, frame, notes: list[str]):
    if not ov.binary_constructs(survey):
        return None, pd.DataFrame(columns=["level", "type", "rate", "ci_low", "ci_high", "n"])
    from csi.drivers import complaint_rate, complaint_types

    try:
        rate = complaint_rate(survey, frame).iloc[0]
        types = complaint_types(survey, frame)
    except CsiError as exc:
        notes.append(str(exc))
        return None, pd.DataFrame(columns=["level", "type", "rate", "ci_low", "ci_high", "n"])
    rate = {"rate": float(rate["rate"]), "ci_low": float(rate["ci_low"]), "ci_high": float(rate["ci_high"]),
            "n": int(rate["n"])}
    types = types[types["level"] == "group"] if (types["level"] == "group").any() else types
    return rate, types.sort_values("rate", ascending=False, ignore_index=True)


def _segments(survey, frame, result, cid: str) -> pd.DataFrame:
    from csi.drivers.segments import group_results

    parts = []
    for q in survey.segments:
        if q.id not in frame or frame[q.id].notna().sum() == 0:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # small groups are flagged in the table (small_n)
            try:
                t = group_results(survey, frame, q.id, result)
            except CsiError:
                continue
        parts.append(t[(t["kind"] == "construct") & (t["name"] == cid)])
    cols = ["by", "group", "kind", "name", "n", "mean", "ci_low", "ci_high", "small_n"]
    return pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)


def build_management_report(survey, frame: pd.DataFrame, *, lang: str = "en", wave: str | None = None,
                            n_boot: int = 200, seed: int = 0, target: str | None = None,
                            fits=None) -> ManagementReport:
    """The management report's content for ``frame`` (the canonical response frame).

    Parameters
    ----------
    survey : Survey
    frame : DataFrame
        Canonical responses (``csi.io.read_responses(...).valid`` or the store's frame).
    lang : {"en", "zh"}
        Language of the labels and sentences.
    wave : str, optional
        Report on this wave (headline, drivers, complaints, segments); default: the headline is
        the latest wave and the other sections pool every wave.
    n_boot : int, default=200
        Bootstrap resamples for every CI (the fit, IPMA importances, relative weights).
    seed : int, default=0
    target : str, optional
        The outcome construct of the IPMA (default: the driver outcome, else loyalty).
    fits : StrataFit, optional
        :func:`csi.estimate.waves.fit_by_wave` of ``frame`` with the same ``n_boot`` and ``seed``
        when already computed (the dashboard passes its cached fit, so the report shows the
        page's numbers without fitting again); computed when None.

    Raises
    ------
    ParameterError
        An unknown wave, or no headline construct.
    """
    from csi.drivers import importance_performance
    from csi.drivers.ipma import check_target
    from csi.estimate.fit import fit

    if frame.empty:
        raise ParameterError("no responses to report on")
    cid = headline_construct(survey)
    target = check_target(survey, target)
    notes: list[str] = []
    sub, wave = _select_wave(frame, wave)
    fits = fits if fits is not None else fit_by_wave(survey, frame, n_boot=n_boot, seed=seed)
    trend = trend_table(fits.groups)
    cur, cur_wave, change, sentence = _headline(fits, cid, wave, lang)
    if wave is None:
        result, scope = fits.pooled, "pooled"
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result, scope = fit(survey, sub, n_boot=0, seed=seed), "wave"
    constructs = (fits.groups[cur_wave].index if cur_wave is not None else fits.pooled.index)
    # yes/no constructs (complaint) are shares where higher is worse: in the complaint section only
    constructs = constructs[~constructs["construct"].isin(ov.binary_constructs(survey))]
    ipma = importance_performance(survey, sub, result, target=target, level="both", n_boot=n_boot, seed=seed)
    ff, ff_texts = _fix_first(survey, sub, result, ipma, target=target, headline=cid, n_boot=n_boot, seed=seed,
                              lang=lang, notes=notes)
    repurchase, auc = _repurchase(survey, sub, result, n_boot, seed, notes)
    rate, types = _complaints(survey, sub, notes)
    return ManagementReport(
        survey_id=survey.id, survey_version=str(survey.version), title=survey.t(survey.title, lang), lang=lang,
        n_collected=len(sub), n_used=int(result.n_obs), scope=scope, wave=wave, headline_construct=cid,
        headline=cur, headline_wave=cur_wave, change=change, change_sentence=sentence, trend=trend,
        constructs=constructs[["construct", "score", "ci_low", "ci_high"]].reset_index(drop=True),
        target=target, fix_first=ff, fix_first_texts=ff_texts, ipma=ipma[ipma["level"] == "construct"].reset_index(drop=True),
        repurchase=repurchase, auc=auc, complaint_rate=rate, complaint_types=types,
        segments=_segments(survey, sub, result, cid),
        path_coefficients=fits.pooled.path_coefficients, pooled_index=fits.pooled.index,
        pooled_n=int(fits.pooled.n_obs),
        reliability=fits.pooled.reliability, r2=fits.pooled.r2, htmt=fits.pooled.htmt,
        admissibility=fits.pooled.admissibility, labels=report_labels(survey, lang),
        notes=notes + [str(w) for w in fits.pooled.warnings])
