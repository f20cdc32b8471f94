"""``csi drivers``: what to fix first (IPMA, impacts, relative importance), checked against
actual repurchase, plus complaints and what-if examples, written as JSON.

DATA is a response file (read with :func:`csi.io.read_responses`), else the stored responses
(``--db URL``, else ``CSI_DATABASE_URL``, else ``./var/csi.sqlite``). ``--json OUT`` writes the
full report; the summary lines are always printed. ``--segment COL=VALUE`` restricts the analysis to one segment or wave;
at least 30 respondents are required (the model is re-fitted on them).
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path
from typing import Annotated

import typer

from csi.cli.main import app, fail
from csi.errors import CsiError

__all__ = ["drivers", "build_report"]


def _records(df) -> list[dict]:
    out = []
    for row in df.to_dict(orient="records"):
        clean = {}
        for k, v in row.items():
            if hasattr(v, "item"):
                v = v.item()
            if isinstance(v, float) and not math.isfinite(v):
                v = None
            clean[str(k)] = v
        out.append(clean)
    return out


def build_report(survey, frame, result, *, target: str | None, n_boot: int, seed: int) -> dict:
    """Every driver table as JSON-ready records (see the ``csi drivers`` help)."""
    import pandas as pd

    from csi.drivers import (
        acsi_impacts,
        complaint_rate,
        complaint_types,
        complaints_by,
        handling_summary,
        importance_performance,
        relative_importance,
        repurchase_analysis,
        service_recovery,
        what_if,
    )
    from csi.drivers.ipma import check_target

    target = check_target(survey, target)
    rep: dict = {"survey": survey.id, "survey_version": survey.version, "n": len(frame),
                 "target": target, "notes": []}
    ipma = importance_performance(survey, frame, result, target=target, n_boot=n_boot, seed=seed)
    rep["ipma"] = _records(ipma)
    rep["impacts"] = _records(acsi_impacts(survey, frame, result, target=target, n_boot=n_boot, seed=seed))
    ri = None
    if survey.drivers is not None:
        ri = relative_importance(survey, frame, result, n_boot=n_boot, seed=seed)
        rep["relative_importance"] = _records(ri)
    else:
        rep["relative_importance"] = []
        rep["notes"].append("relative importance skipped: the survey has no driver battery.")
    beh = repurchase_analysis(survey, frame, result) if survey.drivers is not None else {
        "skipped": "behavioural analyses skipped: the survey has no driver battery."}
    if "skipped" in beh:
        rep["notes"].append(beh["skipped"])
        rep["repurchase_logit"], rep["auc"], rep["calibration"] = [], None, []
    else:
        cols = ["model", "term", "odds_ratio", "ci_low", "ci_high", "p_value", "marginal_effect",
                "marginal_effect_ci_low", "marginal_effect_ci_high", "n"]
        logit = pd.concat([beh["logit_drivers"], beh["logit_constructs"]], ignore_index=True)
        rep["repurchase_logit"] = _records(logit[cols])
        auc = beh["auc"]
        main = auc[auc["model"] == "drivers"].iloc[0]
        rep["auc"] = {"auc": float(main["auc"]), "ci_low": float(main["ci_low"]),
                      "ci_high": float(main["ci_high"]), "n": int(main["n"]), "by_model": _records(auc)}
        rep["calibration"] = _records(beh["calibration"])
        rep["importance_agreement"] = _records(beh["agreement"])
        rep["importance_agreement_summary"] = _records(beh["agreement_summary"])[0]
    try:
        rate = complaint_rate(survey, frame)
        rows = [{"level": "all", "type": "any", "group": None, **_records(rate)[0]}]
        types = complaint_types(survey, frame)
        rows += _records(types[["level", "type", "group", "n", "rate", "ci_low", "ci_high"]])
        rep["complaints"] = [{k: r.get(k) for k in ("level", "type", "group", "rate", "ci_low", "ci_high", "n")}
                             for r in rows]
        rep["complaints_by_wave"] = _records(complaints_by(survey, frame, "wave")) if "wave" in frame else []
        rep["complaint_handling"] = _records(handling_summary(survey, frame))
        rep["service_recovery"] = _records(service_recovery(survey, frame, result))
        if result is not None:
            from csi.drivers import complaint_paths

            rep["complaint_paths"] = _records(complaint_paths(survey, result))
    except CsiError as exc:
        rep["complaints"] = []
        rep["notes"].append(f"complaint analysis skipped: {exc}")
    examples = []
    if ri is not None:
        top = list(ri.sort_values("raw_weight", ascending=False)["lever"][:2])
        examples += [{lv: 5.0} for lv in top] + [dict.fromkeys(top, 5.0)]
    fix = ipma[(ipma["level"] == "construct") & (ipma["quadrant"] == "fix first")]["name"].tolist()
    examples += [{c: 5.0} for c in fix[:1]]
    rep["whatif"] = []
    for ch in examples:
        try:
            wi = what_if(survey, frame, ch, result, target=target, n_boot=min(n_boot, 200), seed=seed)
        except CsiError as exc:
            rep["notes"].append(f"what-if {ch} skipped: {exc}")
            continue
        rep["whatif"].append({"changes": ch, "results": _records(wi)})
    return rep


@app.command("drivers")
def drivers(
    survey: Annotated[Path, typer.Argument(help="Survey YAML file.", show_default=False)],
    data: Annotated[Path | None, typer.Argument(help="Responses file (CSV/Excel).", show_default=False)] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the driver report (JSON) here.")] = None,
    db: Annotated[str | None, typer.Option("--db", help="Store URL when no DATA is given (default: "
                                                        "CSI_DATABASE_URL, else sqlite:///./var/csi.sqlite).")] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding of DATA (default: detected).")] = None,
    target: Annotated[str | None, typer.Option("--target", help="Target construct (default: loyalty).")] = None,
    segment: Annotated[str | None, typer.Option(
        "--segment", help="Restrict to one group, COL=VALUE (e.g. channel=jd or wave=2026Q4).")] = None,
    boot: Annotated[int, typer.Option("--boot", help="Bootstrap resamples for the CIs.")] = 500,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    missing: Annotated[str, typer.Option(
        "--missing", help="Missing-data policy of the model fit: em, pairwise, mean or listwise.")] = "em",
) -> None:
    """Drivers of loyalty and repeat purchase: IPMA, impacts, relative importance, repurchase
    logit and AUC, complaints, what-if examples (JSON)."""
    from csi.cli.data_source import echo_rejected, load_model, load_responses
    from csi.drivers.scores import MIN_GROUP_N
    from csi.estimate.fit import fit

    caught = []
    try:
        s = load_model(survey)
        if isinstance(s, str):
            raise fail(f"{survey}: a driver analysis needs a survey YAML file")
        got = load_responses(s, data, db, encoding=encoding)
        echo_rejected(got)
        frame = got.frame
        if segment is not None:
            if "=" not in segment:
                raise fail(f"--segment must be COL=VALUE (e.g. channel=jd); got {segment!r}")
            col, val = (p.strip() for p in segment.split("=", 1))
            if col not in frame:
                raise fail(f"--segment: the data have no column {col!r}")
            frame = frame[frame[col].astype("string") == val]
            if len(frame) < MIN_GROUP_N:
                raise fail(f"--segment {col}={val}: {len(frame)} respondents; a driver analysis needs "
                           f"at least {MIN_GROUP_N} (the model is re-fitted on them)")
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            result = fit(s, frame, n_boot=0, seed=seed, missing=missing)
            report = build_report(s, frame, result, target=target, n_boot=boot, seed=seed)
            report["missing"] = result.missing
            caught = [str(w.message) for w in rec if issubclass(w.category, UserWarning)]
    except CsiError as exc:
        raise fail(exc) from None
    report["segment"] = segment
    report["warnings"] = list(dict.fromkeys(caught))
    for w in report["warnings"]:
        typer.echo(f"warning: {w}", err=True)
    if json_out is not None:  # without --json the lines below are the output
        json_out.write_text(json.dumps(report, indent=2, ensure_ascii=False, allow_nan=False), encoding="utf-8")
    top = [r for r in report["ipma"] if r["level"] == "construct" and r["quadrant"] == "fix first"]
    typer.echo(f"{report['n']} respondents; fix first: {', '.join(r['name'] for r in top) or '-'}"
               + (f"; AUC {report['auc']['auc']:.3f}" if report.get("auc") else ""))
    for note in report["notes"]:
        typer.echo(note)
    if json_out is not None:
        typer.echo(f"wrote {json_out}")
