"""``csi micom``: measurement invariance of composites (MICOM) between two groups, as JSON.

MODEL is a survey YAML or a lavaan-syntax file (then ``--scale MIN,MAX``); DATA a response
file, else (survey YAML only) the stored responses (``--db URL``, else ``CSI_DATABASE_URL``,
else ``./var/csi.sqlite``); ``--group`` the column whose two groups are compared (``--a``/``--b``
pick two when it has more). ``--json OUT`` also writes the table as JSON.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer

from csi.cli.main import app, fail
from csi.errors import CsiError

__all__ = ["micom_command"]


def _clean(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v.item() if hasattr(v, "item") else v


def _num(v, spec: str) -> str:
    return "n/a" if v is None else format(v, spec)


@app.command("micom")
def micom_command(
    model: Annotated[Path, typer.Argument(help="Survey YAML or lavaan model file.", show_default=False)],
    group: Annotated[str, typer.Option("--group", help="Column holding the group label (e.g. wave).")],
    data: Annotated[Path | None, typer.Argument(help="Responses file (default: the store, see --db).",
                                                show_default=False)] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the MICOM table as JSON here.")] = None,
    db: Annotated[str | None, typer.Option("--db", help="Store URL when no DATA is given (default: "
                                                        "CSI_DATABASE_URL, else sqlite:///./var/csi.sqlite).")] = None,
    a: Annotated[str | None, typer.Option("--a", help="First group (default: when there are two).")] = None,
    b: Annotated[str | None, typer.Option("--b", help="Second group.")] = None,
    perm: Annotated[int, typer.Option("--perm", help="Permutations.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed for the permutations.")] = 0,
    alpha: Annotated[float, typer.Option(help="Level of the tests.")] = 0.05,
    missing: Annotated[str, typer.Option(help="listwise or mean.")] = "listwise",
    scale: Annotated[str | None, typer.Option(help="Item scale MIN,MAX (lavaan models).")] = None,
) -> None:
    """MICOM (Henseler et al. 2016): configural, compositional, equal means/variances; verdict per construct."""
    from csi.cli.data_source import echo_rejected, load_model, load_responses
    from csi.cli.estimate_cmd import _parse_scale
    from csi.estimate.analysis.micom import micom

    try:
        spec = load_model(model, _parse_scale(scale))
        got = load_responses(spec, data, db)
        echo_rejected(got)
        frame = got.frame
        if group not in frame.columns:
            raise fail(f"{got.source}: no column {group!r} (--group); columns: "
                       f"{', '.join(map(str, frame.columns[:30]))}")
        labels = frame[group].astype("string")
        out = micom(spec, frame, labels, a, b, n_perm=perm, seed=seed, alpha=alpha, missing=missing,
                    scale=_parse_scale(scale))
    except CsiError as exc:
        raise fail(exc) from None
    rows = [{k: _clean(v) for k, v in rec.items()} for rec in out.to_dict(orient="records")]
    groups = sorted(set(labels.dropna()))
    doc = {"group": group, "a": a or groups[0], "b": b or groups[-1], "n_perm": perm, "seed": seed,
           "alpha": alpha, "micom": rows}
    for r in rows:
        typer.echo(f"{r['construct']}: {r['verdict']} (c={_num(r['c'], '.4f')}, "
                   f"mean diff={_num(r['mean_diff'], '+.3f')}, log var ratio={_num(r['log_var_ratio'], '+.3f')})")
    if json_out is not None:  # without --json the lines above are the output
        json_out.write_text(json.dumps(doc, indent=2, allow_nan=False), encoding="utf-8")
        typer.echo(f"wrote {json_out}")
