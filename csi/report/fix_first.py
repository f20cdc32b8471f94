"""What to fix first in plain words (zh/en): one sentence per top lever of
:func:`csi.drivers.fix_first.fix_first`, for the Overview and the management report.

Numbers are rounded here (presentation): gaps to whole points, gains to one decimal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from csi.report.tables import construct_labels, item_labels

__all__ = ["LeverText", "fix_first_texts", "fix_first_heading", "FIX_FIRST_WORDS"]

FIX_FIRST_WORDS: dict[str, dict[str, str]] = {
    "heading": {"en": "What to fix first", "zh": "优先改进"},
    "none": {"en": "No lever stands out: no driver has a clear positive effect on {target} in these "
                   "responses.", "zh": "暂无突出的改进点：在这些回答中，没有驱动因素对{target}有明显的正向作用。"},
    "impact_high": {"en": "high impact on {target}", "zh": "对{target}影响大"},
    "impact_some": {"en": "some impact on {target}", "zh": "对{target}有一定影响"},
    "below_items": {"en": "its weakest item, “{item}”, scores {gap} points below the other {owner} items",
                    "zh": "其中最弱的一项“{item}”比{owner}的其他题目低 {gap} 分"},
    "above_items": {"en": "its weakest item is “{item}” ({perf} of 100)",
                    "zh": "其中最弱的一项是“{item}”（{perf} 分，满分 100）"},
    "below_peers": {"en": "scores {gap} points below the other {peers}",
                    "zh": "得分比其他{peers}低 {gap} 分"},
    "above_peers": {"en": "scores {perf} of 100, {gap} points above the other {peers}",
                    "zh": "得分 {perf}（满分 100），比其他{peers}高 {gap} 分"},
    "peers_levers": {"en": "reasons to come back", "zh": "复购因素"},
    "peers_constructs": {"en": "areas", "zh": "方面"},
    "gain": {"en": "Raising it by {step} points is predicted to lift {headline} by {gain} index points{ci}.",
             "zh": "若提升 {step} 分，预计{headline}指数提高 {gain} 分{ci}。"},
    "gain_ci": {"en": " (95% CI {low} to {high})", "zh": "（95% 置信区间 {low} 至 {high}）"},
    "repurchase": {"en": " Repurchase probability: {pp} percentage points.",
                   "zh": "复购概率：{pp} 个百分点。"},
    "quadrant_fix first": {"en": "below par", "zh": "表现偏低"},
}


def _w(key: str, lang: str, **kw) -> str:
    entry = FIX_FIRST_WORDS[key]
    return (entry.get(lang) or entry["en"]).format(**kw)


def fix_first_heading(lang: str) -> str:
    """The panel heading ("What to fix first" / "优先改进")."""
    return _w("heading", lang)


@dataclass(frozen=True)
class LeverText:
    """One lever in words: ``title`` (its label), ``cause`` (impact and weakest item), ``gain``
    (the what-if in words) and ``page`` (the dashboard page with the details, a url path)."""

    title: str
    cause: str
    gain: str
    page: str = "drivers"

    @property
    def sentence(self) -> str:
        return f"{self.title}: {self.cause} {self.gain}"


def _num(x: float, digits: int = 1) -> str:
    return f"{x:.{digits}f}"


def _lever_text(row, survey, lang: str, step: float, target_label: str, headline_label: str,
                labels: dict[str, str], items: dict[str, str]) -> LeverText:
    title = labels.get(row.id, row.id)
    impact = _w("impact_high" if row.quadrant in ("fix first", "keep up") else "impact_some", lang,
                target=target_label)
    gap = row.cause_gap
    if row.cause_peers == "items":
        owner = _in_sentence(title, lang)
        cause = (_w("below_items", lang, item=items.get(row.cause_item, row.cause_item), gap=_num(-gap, 0),
                    owner=owner) if gap < -0.5 else
                 _w("above_items", lang, item=items.get(row.cause_item, row.cause_item),
                    perf=_num(row.cause_performance, 0)))
    elif isinstance(gap, float) and math.isfinite(gap):
        peers = _w("peers_" + row.cause_peers, lang)
        cause = (_w("below_peers", lang, gap=_num(-gap, 0), peers=peers) if gap < -0.5 else
                 _w("above_peers", lang, perf=_num(row.performance, 0), gap=_num(abs(gap), 0), peers=peers))
    else:
        cause = ""
    sep = "；" if lang == "zh" else "; "
    end = "。" if lang == "zh" else "."
    cause_text = (impact[0].upper() + impact[1:] if lang != "zh" else impact) + (sep + cause if cause else "") + end
    ci = ""
    if math.isfinite(row.headline_gain_ci_low) and math.isfinite(row.headline_gain_ci_high):
        ci = _w("gain_ci", lang, low=_num(row.headline_gain_ci_low), high=_num(row.headline_gain_ci_high))
    gain = _w("gain", lang, step=_num(step, 0), headline=headline_label, gain=_num(row.headline_gain), ci=ci)
    if math.isfinite(row.repurchase_gain):
        gain += _w("repurchase", lang, pp=f"{row.repurchase_gain:+.1f}")
    return LeverText(title=title, cause=cause_text, gain=gain, page="drivers")


def _in_sentence(label: str, lang: str) -> str:
    """A label inside an English sentence: "Customer loyalty" -> "customer loyalty" (acronyms kept)."""
    if lang == "zh" or len(label) < 2 or label[1].isupper():
        return label
    return label[0].lower() + label[1:]


def fix_first_texts(ff, survey, lang: str) -> list[LeverText]:
    """One :class:`LeverText` per row of ``ff.top`` (a :class:`~csi.drivers.fix_first.FixFirst`),
    in ``lang``; empty when no lever has a positive predicted gain (see :func:`no_lever_text`)."""
    labels = construct_labels(survey, lang)
    items = item_labels(survey, lang)
    target_label = _in_sentence(labels.get(ff.target, ff.target), lang)
    headline_label = _in_sentence(labels.get(ff.headline, ff.headline), lang)
    return [_lever_text(r, survey, lang, ff.step, target_label, headline_label, labels, items)
            for r in ff.top.itertuples(index=False)]


def no_lever_text(ff, survey, lang: str) -> str:
    """The sentence shown when :func:`fix_first_texts` is empty."""
    return _w("none", lang, target=construct_labels(survey, lang).get(ff.target, ff.target))
