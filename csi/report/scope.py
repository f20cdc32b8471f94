"""One number, one meaning, one label: which respondents a figure rests on, in words.

Every dashboard figure says whether it is **one wave** or **pooled** over the selected waves,
and how many respondents it **used of those collected** (the model drops respondents it
cannot score). :func:`wave_rows` puts the Overview's per-wave fit into the Segments page's
table shape, so a wave's index is the same number on both pages.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["SCOPE_WORDS", "scope_label", "used_of_collected", "collected_by_wave", "wave_rows"]

SCOPE_WORDS: dict[str, dict[str, str]] = {
    "wave": {"en": "Wave {wave}", "zh": "{wave} 期"},
    "pooled": {"en": "Pooled over the selected waves", "zh": "所选各期合并"},
    "pooled_one": {"en": "All selected responses", "zh": "所选全部答卷"},
    "used": {"en": "n = {used} used of {collected} collected", "zh": "n = {used}（共收集 {collected}）"},
    "all_used": {"en": "n = {used}", "zh": "n = {used}"},
}


def _w(key: str, lang: str, **kw) -> str:
    e = SCOPE_WORDS[key]
    return (e.get(lang) or e["en"]).format(**kw)


def used_of_collected(used: int, collected: int, lang: str) -> str:
    """``n = 2280 used of 3000 collected`` (just ``n = 3000`` when every respondent was used).

    >>> used_of_collected(2280, 3000, "en"), used_of_collected(3000, 3000, "zh")
    ('n = 2280 used of 3000 collected', 'n = 3000')
    """
    if int(used) == int(collected):
        return _w("all_used", lang, used=int(used))
    return _w("used", lang, used=int(used), collected=int(collected))


def scope_label(lang: str, *, used: int, collected: int, wave: str | None = None,
                n_waves: int | None = None) -> str:
    """Which respondents a figure uses: ``wave`` (one wave) or pooled, then n used of collected.

    >>> scope_label("en", used=712, collected=750, wave="2026Q4")
    'Wave 2026Q4 · n = 712 used of 750 collected'
    >>> scope_label("en", used=2280, collected=3000, n_waves=4)
    'Pooled over the selected waves · n = 2280 used of 3000 collected'
    >>> scope_label("zh", used=30, collected=30, n_waves=1)
    '所选全部答卷 · n = 30'
    """
    head = (_w("wave", lang, wave=wave) if wave is not None
            else _w("pooled" if (n_waves or 0) > 1 else "pooled_one", lang))
    return f"{head} · {used_of_collected(used, collected, lang)}"


def collected_by_wave(frame: pd.DataFrame) -> dict[str, int]:
    """Responses collected per wave label (rows of ``frame``; rows without a wave left out)."""
    if "wave" not in frame:
        return {}
    counts = frame["wave"].dropna().astype(str).value_counts()
    return {str(k): int(v) for k, v in counts.items()}


def wave_rows(groups: pd.DataFrame, trend: pd.DataFrame) -> pd.DataFrame:
    """The Segments page's by-wave table with the Overview's numbers for the constructs.

    ``groups``: :func:`csi.drivers.segments.group_results` by ``wave`` (``by, group, kind,
    name, n, mean, ci_low, ci_high, small_n``); ``trend``: the per-wave fits
    (:func:`csi.estimate.waves.trend_table`: ``wave, construct, score, ci_low, ci_high,
    n_obs``). Construct rows take ``mean, ci_low, ci_high, n`` from the per-wave fit (the
    headline's numbers); lever rows (not in the model) are kept. Waves without a fit keep
    their score means.
    """
    t = trend.assign(wave=trend["wave"].astype(str)).set_index(["wave", "construct"])
    out = groups.copy()
    for i, r in out.iterrows():
        key = (str(r["group"]), r["name"])
        if r["kind"] == "construct" and key in t.index:
            row = t.loc[key]
            out.at[i, "mean"] = float(row["score"])
            out.at[i, "ci_low"] = float(row["ci_low"])
            out.at[i, "ci_high"] = float(row["ci_high"])
            out.at[i, "n"] = int(row["n_obs"])
    return out
