"""``csi micom``: measurement invariance of composites (MICOM) between two groups, as JSON.

MODEL is a survey YAML or a lavaan-syntax file (then ``--scale MIN,MAX``); DATA a responses
CSV; ``--group`` the column whose two groups are compared (``--a``/``--b`` pick two when it
has more).
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


@app.command("micom")
def micom_command(
    model: Annotated[Path, typer.Argument(help="Survey YAML or lavaan model file.", show_default=False)],
    data: Annotated[Path, typer.Argument(help="Responses CSV.", show_default=False)],
    group: Annotated[str, typer.Option("--group", help="Column holding the group label.")],
    json_out: Annotated[Path, typer.Option("--json", help="Write the MICOM table as JSON here.")],
    a: Annotated[str | None, typer.Option("--a", help="First group (default: when there are two).")] = None,
    b: Annotated[str | None, typer.Option("--b", help="Second group.")] = None,
    perm: Annotated[int, typer.Option("--perm", help="Permutations.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed for the permutations.")] = 0,
    alpha: Annotated[float, typer.Option(help="Level of the tests.")] = 0.05,
    missing: Annotated[str, typer.Option(help="listwise or mean.")] = "listwise",
    scale: Annotated[str | None, typer.Option(help="Item scale MIN,MAX (lavaan models).")] = None,
) -> None:
    """MICOM (Henseler et al. 2016): configural, compositional, equal means/variances; verdict per construct."""
    import pandas as pd

    from csi.cli.estimate_cmd import _parse_scale
    from csi.estimate.analysis.micom import micom

    for path, what in ((model, "model"), (data, "data")):
        if not path.exists():
            raise fail(f"{path}: no such {what} file")
    try:
        if model.suffix.lower() in (".yaml", ".yml"):
            from csi.survey import load_survey

            spec = load_survey(model)
        else:
            if scale is None:
                raise fail(f"{model}: a lavaan model needs --scale MIN,MAX (the items' theoretical bounds)")
            spec = model.read_text(encoding="utf-8")
        frame = pd.read_csv(data)
        if group not in frame.columns:
            raise fail(f"{data}: no column {group!r} (--group); columns: {', '.join(map(str, frame.columns[:30]))}")
        labels = frame[group].astype("string")
        out = micom(spec, frame, labels, a, b, n_perm=perm, seed=seed, alpha=alpha, missing=missing,
                    scale=_parse_scale(scale))
    except CsiError as exc:
        raise fail(exc) from None
    rows = [{k: _clean(v) for k, v in rec.items()} for rec in out.to_dict(orient="records")]
    groups = sorted(set(labels.dropna()))
    doc = {"group": group, "a": a or groups[0], "b": b or groups[-1], "n_perm": perm, "seed": seed,
           "alpha": alpha, "micom": rows}
    json_out.write_text(json.dumps(doc, indent=2, allow_nan=False), encoding="utf-8")
    for r in rows:
        typer.echo(f"{r['construct']}: {r['verdict']} (c={r['c']:.4f}, mean diff={r['mean_diff']:+.3f}, "
                   f"log var ratio={r['log_var_ratio']:+.3f})")
    typer.echo(f"wrote {json_out}")
