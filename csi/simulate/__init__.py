"""Simulated survey responses with a known truth (``csi simulate``).

:func:`simulate_responses` draws respondents from a population model built from any valid
survey (see :mod:`csi.simulate.population` for the model and :mod:`csi.simulate.answers` for
how scores become answers) and returns the canonical response frame plus a JSON-ready dict of
every true parameter. :func:`write_plain_csv` writes the frame in the plain CSV layout
(one header row of ids, UTF-8, ISO 8601 ``submitted_at``); same inputs, same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from csi.errors import ParameterError
from csi.simulate.answers import apply_missing, apply_show_if, draw_items, draw_questions
from csi.simulate.population import build_truth, draw_latents
from csi.survey import Survey

__all__ = ["simulate_responses", "write_plain_csv", "write_truth", "wave_label"]


def wave_label(ts: pd.Timestamp) -> str:
    """Calendar-quarter wave label.

    >>> wave_label(pd.Timestamp("2026-05-17"))
    '2026Q2'
    """
    return f"{ts.year}Q{(ts.month - 1) // 3 + 1}"


def simulate_responses(
    survey: Survey,
    n: int = 3000,
    seed: int = 0,
    *,
    paths: dict[tuple[str, str], float] | None = None,
    n_waves: int = 4,
    start: str = "2026-01-01",
    item_trends: list[dict[str, Any]] | None = None,
    complaint_rate: float = 0.15,
    dont_know_rate: float = 0.01,
    skip_rate: float = 0.004,
    wave_trend: float = 0.06,
    segment_sd: float = 0.15,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Draw ``n`` respondents of ``survey`` from a population with known parameters.

    Parameters
    ----------
    survey : Survey
        Any valid survey.
    n : int, default=3000
        Number of respondents.
    seed : int, default=0
        Seed of the only random generator used; same inputs give the same frame and truth.
    paths : dict, optional
        ``{(source, target): standardized coefficient}`` overriding the defaults (ACSI
        magnitudes for the ACSI paths; otherwise ``0.7 / k`` for each of ``k`` paths into a
        construct).
    n_waves : int, default=4
        Quarterly waves starting at the quarter of ``start``.
    item_trends : list of dict, optional
        ``{"segment": (question, option), "items": [...], "per_wave": float}`` -- item-level
        improvement per wave (SD units) within one segment, e.g. delivery items in one channel.
    complaint_rate, dont_know_rate, skip_rate : float
        Base complaint rate; share of Likert answers that are "don't know" (scale code) and
        skipped (NaN).
    wave_trend, segment_sd : float
        Trend per wave on exogenous constructs and SD of segment shifts (SD units).

    Returns
    -------
    frame : DataFrame
        The canonical response frame: ``respondent_id``, ``submitted_at``, ``wave``, every
        Likert item (float: scale value, don't-know code or NaN; reverse items as answered),
        every non-contact question. Contact/PII fields are not generated.
    truth : dict
        Every true parameter (JSON-ready), see :func:`csi.simulate.population.build_truth`.

    Examples
    --------
    >>> from csi.survey import load_survey
    >>> frame, truth = simulate_responses(load_survey("surveys/ecommerce_csi.yaml"), n=50, seed=1)
    >>> frame.shape[0], frame["wave"].nunique(), truth["paths"][0]["source"]
    (50, 4, 'expectation')
    """
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 1:
        raise ParameterError(f"The 'n' parameter of simulate_responses must be an int in the range [1, inf). Got {n!r} instead.")
    if not isinstance(n_waves, int) or n_waves < 1:
        raise ParameterError(f"The 'n_waves' parameter of simulate_responses must be an int in the range [1, inf). Got {n_waves!r} instead.")
    for name, v in (("complaint_rate", complaint_rate), ("dont_know_rate", dont_know_rate), ("skip_rate", skip_rate)):
        if not 0 <= v < 1 or (name == "complaint_rate" and v <= 0):
            raise ParameterError(f"The {name!r} parameter of simulate_responses must be a float in the range (0, 1). Got {v!r} instead.")
    try:
        t0 = pd.Timestamp(start).to_period("Q").start_time
    except ValueError as exc:
        raise ParameterError(f"The 'start' parameter of simulate_responses must be a date (YYYY-MM-DD). Got {start!r} instead.") from exc
    rng = np.random.default_rng(seed)
    truth = build_truth(survey, rng, paths=paths, n_waves=n_waves, start=str(t0.date()),
                        wave_trend=wave_trend, segment_sd=segment_sd, complaint_rate=complaint_rate,
                        dont_know_rate=dont_know_rate, skip_rate=skip_rate, item_trends=item_trends)
    truth = {"seed": int(seed), "n": int(n), **truth}
    lat = draw_latents(survey, truth, n, rng)

    # submission times: uniform within each respondent's quarter, whole seconds, sorted
    quarters = [t0 + pd.DateOffset(months=3 * k) for k in range(n_waves + 1)]
    starts = np.array([q.value for q in quarters[:-1]], dtype=np.int64)
    lengths = np.array([(quarters[k + 1] - quarters[k]).total_seconds() for k in range(n_waves)])
    secs = np.floor(rng.random(n) * lengths[lat["wave"]]).astype(np.int64)
    stamps = pd.to_datetime(starts[lat["wave"]] + secs * 1_000_000_000).as_unit("ns")
    labels = np.array([wave_label(q) for q in quarters[:-1]], dtype=object)[lat["wave"]]

    complete, cont = draw_items(survey, truth, lat, rng)
    answers = apply_missing(survey, truth, complete, rng)
    questions = draw_questions(survey, truth, lat, cont, complete, labels, rng)

    cols: dict[str, Any] = {
        "respondent_id": [f"R{k + 1:05d}" for k in range(n)],
        "submitted_at": stamps,
        "wave": labels.astype(object),
    }
    cols.update({iid: v.astype(float) for iid, v in answers.items()})
    cols.update({qid: v for qid, v in questions.items() if qid not in cols})
    frame = pd.DataFrame(cols)
    frame = apply_show_if(survey, frame)
    frame = frame.sort_values(["submitted_at", "respondent_id"], kind="stable").reset_index(drop=True)
    frame["respondent_id"] = [f"R{k + 1:05d}" for k in range(n)]
    for q in survey.questions:
        if q.id in frame and frame[q.id].dtype == object:
            frame[q.id] = frame[q.id].astype(object)
    truth["waves"]["labels"] = [wave_label(q) for q in quarters[:-1]]
    return frame, truth


def _fmt(v: Any) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, float | np.floating):
        return str(int(v)) if float(v).is_integer() else repr(float(v))
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    return str(v)


def write_plain_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a canonical frame as plain CSV: header of ids, UTF-8, ISO 8601 times, integers
    without ``.0``, missing as empty cells, ``\\n`` line ends (byte-stable)."""
    out = pd.DataFrame({c: [_fmt(v) for v in frame[c].tolist()] for c in frame.columns})
    Path(path).write_text(out.to_csv(index=False, lineterminator="\n"), encoding="utf-8")


def write_truth(truth: dict[str, Any], path: str | Path) -> None:
    """Write the truth dictionary as indented JSON (keys in insertion order; byte-stable)."""
    Path(path).write_text(json.dumps(truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
