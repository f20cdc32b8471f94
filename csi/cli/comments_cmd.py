"""``csi comments``: what customers say -- themes, sentiment and keywords of the comments,
linked to satisfaction and loyalty, written as JSON; and ``csi nps``: the Net Promoter Score.

DATA is a response file (read with :func:`csi.io.read_responses`), else the stored responses
(``--db URL``, else ``CSI_DATABASE_URL``, else ``./var/csi.sqlite``). Comment texts are not written unless ``--with-text`` is given, and then
scrubbed of contact data (phone numbers, e-mail addresses, ID numbers, accounts).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer

from csi.cli.main import app, fail
from csi.errors import CsiError

__all__ = ["comments", "nps_command", "load_frame", "comments_report", "records"]


def records(df) -> list[dict]:
    """DataFrame rows as JSON-ready dicts (numpy scalars unwrapped, NaN -> None)."""
    out = []
    for row in df.to_dict(orient="records"):
        clean = {}
        for k, v in row.items():
            if hasattr(v, "item") and not isinstance(v, list | tuple):
                v = v.item()
            if isinstance(v, float) and not math.isfinite(v):
                v = None
            clean[str(k)] = v
        out.append(clean)
    return out


def load_frame(survey_path: Path, data: Path | None, db: str | None):
    """``(survey, frame)`` from a survey file and a DATA file, else the store (``--db``, else
    ``CSI_DATABASE_URL``, else ``./var/csi.sqlite``; user errors raise CsiError)."""
    from csi.cli.data_source import echo_rejected, load_model, load_responses

    s = load_model(survey_path)
    if isinstance(s, str):
        raise fail(f"{survey_path}: this analysis needs a survey YAML file")
    got = load_responses(s, data, db)
    echo_rejected(got)
    return s, got.frame


def comments_report(survey, frame, *, with_text: bool = False, top_keywords: int = 30, cache=None) -> dict:
    """The ``csi comments`` JSON document (see the command's help); ``cache``: a store's
    :class:`~csi.store.comment_cache.CommentAnalysisCache`."""
    from csi.text import analyze_comments
    from csi.text.privacy import scrub_contacts
    from csi.text.themes import (
        keyword_counts,
        representative_comments,
        rising_themes,
        theme_disagreements,
        theme_summary,
        themes_by,
    )

    a = analyze_comments(survey, frame, cache=cache)
    rows = []
    for i, r in a.iterrows():
        row = {"response_id": r.get("respondent_id"), "language": r["language"],
               "categories": list(r["categories"]), "sentiment": float(r["sentiment"]),
               "sentiment_label": r["sentiment_label"], "keywords": list(r["keywords"])}
        if "wave" in a:
            row["wave"] = None if r["wave"] is None or r["wave"] != r["wave"] else str(r["wave"])
        if with_text:
            row["text"] = scrub_contacts(str(r["comment"]))[0]
        rows.append(row)
        del i
    rep = {"survey": survey.id, "survey_version": survey.version, "n_respondents": len(frame),
           "n_comments": len(a), "comments": rows,
           "themes": records(theme_summary(survey, frame, a)),
           "keywords": records(keyword_counts(a, top_keywords)),
           "themes_by_wave": records(themes_by(survey, frame, "wave", a)) if "wave" in frame else [],
           "rising_themes": records(rising_themes(survey, frame, a)),
           "representative_comments": records(representative_comments(survey, frame, a)),
           "notes": []}
    try:
        rep["disagreements"] = records(theme_disagreements(survey, frame, a).drop(columns="comment"))
    except CsiError as exc:
        rep["disagreements"] = []
        rep["notes"].append(str(exc))
    for q in survey.segments:
        if q.id in frame:
            rep.setdefault("themes_by_segment", {})[q.id] = records(themes_by(survey, frame, q.id, a))
    return rep


@app.command("comments")
def comments(
    survey: Annotated[Path, typer.Argument(help="Survey YAML file.", show_default=False)],
    data: Annotated[Path | None, typer.Argument(help="Responses file (CSV/Excel).", show_default=False)] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the comment report (JSON) here.")] = None,
    db: Annotated[str | None, typer.Option("--db", help="Store URL when no DATA is given (default: "
                                                        "CSI_DATABASE_URL, else sqlite:///./var/csi.sqlite).")] = None,
    with_text: Annotated[bool, typer.Option("--with-text", help="Include each comment's text (contact data "
                                                                 "scrubbed).")] = False,
) -> None:
    """Comment themes, sentiment and keywords (zh/en), with the satisfaction and loyalty of those
    who mention each theme (JSON: per-comment rows and per-theme summary rows)."""
    try:
        s, frame = load_frame(survey, data, db)
        cache = None
        if data is None:
            from csi.cli.data_source import resolve_store_url
            from csi.store.comment_cache import CommentAnalysisCache

            cache = CommentAnalysisCache(resolve_store_url(db))
        rep = comments_report(s, frame, with_text=with_text, cache=cache)
    except CsiError as exc:
        raise fail(exc) from None
    top = sorted((t for t in rep["themes"] if t["n"]), key=lambda t: -t["n"])[:3]
    typer.echo(f"{rep['n_comments']} comments of {rep['n_respondents']} respondents; top themes: "
               + (", ".join(f"{t['theme']} ({t['n']})" for t in top) or "-"))
    if json_out is not None:  # without --json the lines above are the output
        json_out.write_text(json.dumps(rep, indent=2, ensure_ascii=False, allow_nan=False), encoding="utf-8")
        typer.echo(f"wrote {json_out}")


@app.command("nps")
def nps_command(
    survey: Annotated[Path, typer.Argument(help="Survey YAML file.", show_default=False)],
    data: Annotated[Path | None, typer.Argument(help="Responses file (CSV/Excel).", show_default=False)] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the NPS report (JSON) here.")] = None,
    db: Annotated[str | None, typer.Option("--db", help="Store URL when no DATA is given (default: "
                                                        "CSI_DATABASE_URL, else sqlite:///./var/csi.sqlite).")] = None,
) -> None:
    """Net Promoter Score (from the survey's 0-10 recommendation question) with its CI, by wave
    and segment, and its relation to the loyalty index."""
    from csi.drivers.nps import nps, nps_by, nps_loyalty, nps_loyalty_correlation, nps_question
    from csi.survey import load_survey

    try:
        if survey.exists() and nps_question(load_survey(survey)) is None:
            raise fail(f"{survey}: the survey has no 0-10 recommendation question (a rating with "
                       "`role: recommendation` on a 0-10 scale), so it has no NPS")
        s, frame = load_frame(survey, data, db)
        overall = records(nps(s, frame))[0]
        rep = {"survey": s.id, "survey_version": s.version, "nps": overall,
               "by_wave": records(nps_by(s, frame, "wave")) if "wave" in frame else [],
               "by_segment": {q.id: records(nps_by(s, frame, q.id)) for q in s.segments if q.id in frame}}
        if "loyalty" in s.constructs:
            rep["loyalty_by_category"] = records(nps_loyalty(s, frame))
            rep["loyalty_correlation"] = nps_loyalty_correlation(s, frame)
    except CsiError as exc:
        raise fail(exc) from None
    if json_out is not None:
        json_out.write_text(json.dumps(rep, indent=2, ensure_ascii=False, allow_nan=False), encoding="utf-8")
    o = overall
    typer.echo(f"NPS {o['nps']:.1f} (95% CI {o['ci_low']:.1f} to {o['ci_high']:.1f}), n = {o['n']}: "
               f"{100 * o['promoters']:.0f}% promoters, {100 * o['detractors']:.0f}% detractors"
               if o["n"] else "NPS: no answers to the recommendation question")
    if json_out is not None:
        typer.echo(f"wrote {json_out}")
