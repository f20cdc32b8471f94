"""``csi simulate``: respondents drawn from a known population model (CSV + truth JSON)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from csi.cli.main import app, fail
from csi.errors import CsiError, ParameterError

__all__ = ["simulate", "parse_path_option", "parse_trend_option"]


def parse_path_option(text: str) -> tuple[tuple[str, str], float]:
    """Parse ``source->target=coefficient``.

    >>> parse_path_option("quality->satisfaction=0.4")
    (('quality', 'satisfaction'), 0.4)
    """
    try:
        lhs, val = text.split("=", 1)
        s, t = lhs.split("->", 1)
        return (s.strip(), t.strip()), float(val)
    except ValueError:
        raise ParameterError(f"--path {text!r}: expected SOURCE->TARGET=COEFFICIENT, "
                             "e.g. quality->satisfaction=0.4.") from None


def parse_trend_option(text: str) -> dict:
    """Parse ``QUESTION=OPTION:ITEM,ITEM:PER_WAVE``.

    >>> parse_trend_option("channel=jd:pq3,pq4:0.25")
    {'segment': ('channel', 'jd'), 'items': ['pq3', 'pq4'], 'per_wave': 0.25}
    """
    try:
        seg, items, per = text.split(":")
        q, opt = seg.split("=", 1)
        return {"segment": (q.strip(), opt.strip()),
                "items": [i.strip() for i in items.split(",") if i.strip()],
                "per_wave": float(per)}
    except ValueError:
        raise ParameterError(f"--item-trend {text!r}: expected QUESTION=OPTION:ITEM,ITEM:PER_WAVE, "
                             "e.g. channel=jd:pq3,pq4:0.25.") from None


@app.command("simulate")
def simulate(
    survey: Annotated[Path, typer.Argument(help="Survey YAML file.", show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="Response CSV to write (plain layout).")],
    n: Annotated[int, typer.Option("--n", help="Number of respondents.")] = 3000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same bytes).")] = 0,
    truth: Annotated[Path | None, typer.Option("--truth", help="JSON file for every true parameter.")] = None,
    path: Annotated[list[str] | None, typer.Option(
        "--path", help="True standardized path, SOURCE->TARGET=COEF (repeatable).")] = None,
    item_trend: Annotated[list[str] | None, typer.Option(
        "--item-trend", help="Item improvement per wave in one segment, "
                             "QUESTION=OPTION:ITEMS:PER_WAVE (repeatable).")] = None,
    waves: Annotated[int, typer.Option("--waves", help="Number of quarterly waves.")] = 4,
    start: Annotated[str, typer.Option("--start", help="First day of the first wave's quarter.")] = "2026-01-01",
    complaint_rate: Annotated[float, typer.Option("--complaint-rate", help="Base complaint rate.")] = 0.15,
) -> None:
    """Simulate responses with a known truth (paths, loadings, segment/wave effects, drivers)."""
    from csi.simulate import simulate_responses, write_plain_csv, write_truth
    from csi.survey import load_survey

    try:
        s = load_survey(survey)
        paths = dict(parse_path_option(p) for p in path or [])
        trends = [parse_trend_option(t) for t in item_trend or []]
        frame, tr = simulate_responses(s, n=n, seed=seed, paths=paths, n_waves=waves, start=start,
                                       item_trends=trends, complaint_rate=complaint_rate)
    except CsiError as exc:
        raise fail(exc) from None
    write_plain_csv(frame, out)
    if truth is not None:
        write_truth(tr, truth)
    typer.echo(f"{out}: {len(frame)} respondents, {frame['wave'].nunique()} waves"
               + (f"; truth in {truth}" if truth is not None else ""))
