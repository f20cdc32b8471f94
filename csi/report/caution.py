"""Small-n cautions and the filter statement shown next to every headline number.

One rule for the whole dashboard: a number estimated from fewer than ``warn_below``
respondents (default 30) carries a **warning**, from fewer than ``caution_below`` (default 100)
a **caution**; both thresholds are set per survey under ``reporting:`` in the YAML. For scale:
the ACSI reports a company only from about 250 completed interviews (ACSI methodology), so
even 100 is a small sample for a company-level index.

Every headline, card, IPMA verdict and segment row asks :func:`small_n_caution` with its own
n; the app renders the returned :class:`Caution` in one line (``app_pages.common.caution``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from csi.report.filters import Filters
from csi.report.i18n import tr

__all__ = ["ACSI_REFERENCE_N", "DEFAULT_WARN_BELOW", "DEFAULT_CAUTION_BELOW", "Caution",
           "caution_thresholds", "small_n_caution", "caution_column", "filter_statement"]

#: Completed interviews behind an ACSI company score (about 250; quoted in the help text).
ACSI_REFERENCE_N = 250
DEFAULT_WARN_BELOW = 30
DEFAULT_CAUTION_BELOW = 100

_LEVELS = ("warning", "caution")


@dataclass(frozen=True)
class Caution:
    """A small-n caution: ``level`` is ``"warning"`` (n < warn_below, the number is barely
    informative) or ``"caution"`` (n < caution_below, read with care); ``threshold`` is the
    bound that n falls below."""

    level: str
    n: int
    threshold: int

    def message(self, lang: str = "en") -> str:
        """The caution in words (``zh`` or ``en``), e.g. "Caution: only n = 62 respondents …"."""
        return tr(f"small_n_{self.level}", lang, n=self.n, threshold=self.threshold)

    @property
    def icon(self) -> str:
        return "⚠" if self.level == "warning" else "⚑"


def caution_thresholds(survey=None) -> tuple[int, int]:
    """``(warn_below, caution_below)`` of ``survey`` (its ``reporting:`` block) or the defaults.

    >>> caution_thresholds()
    (30, 100)
    """
    rep = getattr(survey, "reporting", None)
    if rep is None:
        return DEFAULT_WARN_BELOW, DEFAULT_CAUTION_BELOW
    return int(rep.warn_below), int(rep.caution_below)


def small_n_caution(n: int | float | None, survey=None, *,
                    thresholds: tuple[int, int] | None = None) -> Caution | None:
    """The caution for a number estimated from ``n`` respondents, or None when n is enough.

    Parameters
    ----------
    n : int
        Respondents behind the number (after filters; for a segment, the segment's n).
    survey : Survey, optional
        Supplies the thresholds (``reporting.warn_below``, ``reporting.caution_below``).
    thresholds : (int, int), optional
        ``(warn_below, caution_below)``, overriding the survey's.

    Examples
    --------
    >>> small_n_caution(12).level, small_n_caution(29).level, small_n_caution(30).level
    ('warning', 'warning', 'caution')
    >>> small_n_caution(99).threshold, small_n_caution(100) is None
    (100, True)
    >>> small_n_caution(150, thresholds=(50, 200)).level
    'caution'
    """
    warn_below, caution_below = thresholds if thresholds is not None else caution_thresholds(survey)
    k = 0 if n is None or n != n else int(n)  # None / NaN: no respondents
    if k < warn_below:
        return Caution("warning", k, int(warn_below))
    if k < caution_below:
        return Caution("caution", k, int(caution_below))
    return None


def caution_column(ns, survey=None, lang: str = "en") -> list[str]:
    """A display column for tables: the short caution per row ("" when n is enough).

    >>> caution_column([10, 50, 500])
    ['⚠ n < 30', '⚑ n < 100', '']
    """
    out = []
    for n in ns:
        c = small_n_caution(n, survey)
        out.append("" if c is None else f"{c.icon} n < {c.threshold}")
    return out


def _fmt_date(d) -> str:
    return d.isoformat() if isinstance(d, dt.date) else str(d)


def filter_statement(filters: Filters, lang: str = "en", *, survey=None, n: int | None = None,
                     date_bounds: tuple | None = None) -> str:
    """The active filters in words, for the line next to a headline number.

    ``date_bounds`` (first, last response date of the unfiltered data): a date range equal
    to them is no filter. Segment values are shown with their labels from ``survey``.

    Examples
    --------
    >>> filter_statement(Filters(), "en", n=3000)
    'All respondents · n = 3000'
    >>> f = Filters(waves=("2026Q4",), date_range=(dt.date(2026, 10, 1), dt.date(2026, 10, 2)),
    ...             segment=("channel", "jd"))
    >>> filter_statement(f, "en", n=12)
    'Filtered: wave 2026Q4 · dates 2026-10-01 to 2026-10-02 · channel = jd · n = 12'
    >>> filter_statement(f, "zh", n=12)
    '已筛选：调查期 2026Q4 · 日期 2026-10-01 至 2026-10-02 · channel = jd · n = 12'
    """
    parts = []
    if filters.waves:
        parts.append(tr("filter_waves", lang, waves=", ".join(sorted(filters.waves))))
    dr = filters.date_range
    if dr is not None and (date_bounds is None or tuple(date_bounds) != tuple(dr)):
        parts.append(tr("filter_dates", lang, start=_fmt_date(dr[0]), end=_fmt_date(dr[1])))
    if filters.segment is not None:
        qid, value = filters.segment
        name, label = qid, value
        if survey is not None and qid in survey.question_map:
            q = survey.question_map[qid]
            name = survey.t(q.short or q.text, lang)
            label = next((survey.t(o.label, lang) for o in q.options if str(o.code) == str(value)), value)
        parts.append(f"{name} = {label}")
    head = tr("filter_active", lang) + " · ".join(parts) if parts else tr("filter_none", lang)
    return head if n is None else f"{head} · n = {int(n)}"
