"""Presentation helpers of :class:`~csi.estimate.results.IndexResult`: Summary, conf_int, to_dict.

Nothing is rounded in the returned frames/dicts; ``Summary.__str__`` formats numbers for the
terminal only.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from csi.errors import ParameterError

__all__ = ["Summary", "conf_int", "to_dict"]


class Summary:
    """Paths, reliability and index of a result (statsmodels-style summary).

    ``str(summary)`` is a plain-text report, ``_repr_html_`` renders in notebooks, and
    ``to_frames()`` returns the full tables by name.
    """

    def __init__(self, result):
        self.result = result

    def to_frames(self) -> dict[str, pd.DataFrame]:
        r = self.result
        frames = {
            "index": r.index,
            "path_coefficients": r.path_coefficients,
            "total_effects": r.total_effects,
            "r2": r.r2,
            "reliability": r.reliability,
            "loadings": r.loadings,
            "weights": r.weights,
            "htmt": r.htmt,
            "admissibility": r.admissibility,
        }
        for k in ("effects", "f2", "vif_inner", "vif_outer"):
            if isinstance(getattr(r, k), pd.DataFrame):
                frames[k] = getattr(r, k)
        return frames

    def _header(self) -> str:
        r = self.result
        conv = "yes" if r.converged else "NO"
        miss = r.missing or {}
        parts = [
            f"csi {r.method.upper()} estimate: n = {r.n_obs}, bootstrap resamples = {r.n_boot}, "
            f"iterations = {r.n_iter}, converged = {conv}",
        ]
        if miss:
            types = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in (miss.get("by_type") or {}).items() if v)
            em = miss.get("em")
            parts.append(
                f"missing data: policy {miss.get('policy')}, {miss.get('n_used', 0)} of "
                f"{miss.get('n_total', 0)} respondents used; missing answers: {types or 'none'}"
                + (f"; EM {em['iterations']} iterations, converged = {'yes' if em['converged'] else 'NO'}"
                   if em else "")
            )
        f = r.fit or {}
        if "chi2" not in f and f.get("srmr") is not None:
            parts.append(f"fit: SRMR = {f['srmr']:.3f}")
        elif f:
            parts.append(
                f"fit: chi2 = {f.get('chi2', float('nan')):.3f} (df = {f.get('df')}, "
                f"p = {f.get('p_value', float('nan')):.4f}), CFI = {f.get('cfi', float('nan')):.3f}, "
                f"TLI = {f.get('tli', float('nan')):.3f}, RMSEA = {f.get('rmsea', float('nan')):.3f} "
                f"[{f.get('rmsea_ci_low', float('nan')):.3f}, {f.get('rmsea_ci_high', float('nan')):.3f}], "
                f"SRMR = {f.get('srmr', float('nan')):.3f}"
            )
        return "\n".join(parts)

    def __str__(self) -> str:
        r = self.result
        out = [self._header(), ""]
        for title, df in (
            ("Index (0-100, higher is better)", r.index),
            ("Path coefficients (standardized)", r.path_coefficients),
            ("R²", r.r2),
            ("Reliability", r.reliability),
        ):
            out += [title, df.to_string(index=False, float_format=lambda v: f"{v:.3f}"), ""]
        bad = r.admissibility[r.admissibility["status"] != "ok"] if len(r.admissibility) else []
        if len(bad):
            out += ["Admissibility", bad.to_string(index=False), ""]
        for w in r.warnings:
            out.append(f"warning: {w}")
        return "\n".join(out).rstrip() + "\n"

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        r = self.result
        html = [f"<p>{self._header().replace(chr(10), '<br>')}</p>"]
        for title, df in (
            ("Index (0-100, higher is better)", r.index),
            ("Path coefficients (standardized)", r.path_coefficients),
            ("R²", r.r2),
            ("Reliability", r.reliability),
            ("Admissibility", r.admissibility),
        ):
            html.append(f"<h4>{title}</h4>" + df.to_html(index=False, float_format=lambda v: f"{v:.3f}"))
        return "\n".join(html)


def conf_int(result, alpha: float = 0.05) -> pd.DataFrame:
    """See :meth:`IndexResult.conf_int`."""
    from csi.estimate.params import check_number

    check_number("alpha", alpha, 0.0, 1.0, closed="neither", func="conf_int")
    reps = (result.extra.get("replicates") or {}) if result.n_boot else {}
    fitted = result.options.get("alpha", result.extra.get("alpha") if not result.options else None)
    normal = None  # z of the recomputed normal intervals (CB-SEM's analytic CIs), if any
    if not any(r is not None and len(r) > 1 for r in reps.values()) and fitted is not None \
            and not math.isclose(alpha, fitted, rel_tol=0, abs_tol=1e-12):
        if result.method == "cbsem" and not result.n_boot:
            from scipy.special import ndtri

            normal = float(ndtri(1 - alpha / 2))
        else:
            raise ParameterError(
                f"conf_int(alpha={alpha!r}): the result has no bootstrap replicates, and its "
                f"intervals were computed at alpha={fitted!r}; refit with n_boot > 0 (or "
                f"alpha={alpha!r}) for another level")
    rows = []
    q = (alpha / 2, 1 - alpha / 2)
    for table, df, key, a, b, est in (
        ("paths", result.path_coefficients, "paths", "source", "target", "estimate"),
        ("total_effects", result.total_effects, "total_effects", "source", "target", "estimate"),
        ("index", result.index, "index", "construct", None, "score"),
    ):
        if df is None or not len(df):
            continue
        rep = reps.get(key)
        for j, row in enumerate(df.itertuples(index=False)):
            rd = row._asdict()
            lo, hi = rd.get("ci_low", np.nan), rd.get("ci_high", np.nan)
            if normal is not None:
                se = rd.get("se", np.nan)
                lo, hi = rd[est] - normal * se, rd[est] + normal * se
            elif rep is not None and len(rep) > 1:
                col = rep.iloc[:, j].to_numpy(float)
                col = col[np.isfinite(col)]
                if col.size > 1:
                    lo, hi = np.quantile(col, q)
            rows.append({"table": table, "source": rd[a], "target": rd[b] if b else None,
                         "estimate": rd[est], "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows, columns=["table", "source", "target", "estimate", "ci_low", "ci_high"])


def _clean(v: Any) -> Any:
    if isinstance(v, float | np.floating):
        v = float(v)
        return None if math.isnan(v) or math.isinf(v) else v
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_clean(x) for x in v]
    return v


def _records(df: pd.DataFrame, cols: list[str], rename: dict[str, str] | None = None) -> list[dict]:
    if df is None or not len(df):
        return []
    d = df.rename(columns=rename or {})
    out = []
    for rec in d.to_dict(orient="records"):
        out.append({c: _clean(rec.get(c)) for c in cols})
    return out


def to_dict(result) -> dict[str, Any]:
    """See :meth:`IndexResult.to_dict`; NaN becomes ``None`` (JSON null)."""
    r = result
    pcols = ["source", "target", "estimate", "se", "ci_low", "ci_high", "p_value"]
    # CB-SEM: standardized `estimate` with the unstandardized one beside it.
    unstd = [c for c in ("estimate_unstd", "se_unstd") if c in r.path_coefficients.columns]
    icols = ["construct", "item", "estimate", "ci_low", "ci_high"]
    out = {
        "method": r.method,
        "survey_version": r.survey_version,
        "n": int(r.n_obs),
        "n_boot": int(r.n_boot),
        "converged": bool(r.converged),
        "iterations": None if r.n_iter is None else int(r.n_iter),
        "missing": _clean(dict(r.missing or {})),
        "warnings": list(r.warnings),
        "paths": _records(r.path_coefficients, pcols),
        "total_effects": _records(r.total_effects, pcols),
        "r2": _records(r.r2, ["construct", "r2", "r2_adj"]),
        "loadings": _records(r.loadings, icols),
        "weights": _records(r.weights, icols),
        "index": _records(r.index, ["construct", "score", "se", "ci_low", "ci_high"]),
        "reliability": _records(r.reliability, ["construct", "alpha", "rho_a", "rho_c", "ave"]),
        "htmt": _records(r.htmt, ["construct_a", "construct_b", "estimate", "ci_high"]),
        "admissibility": _records(r.admissibility, ["check", "status", "detail"]),
        "bootstrap": _clean(r.extra.get("bootstrap", {})),
    }
    if len(r.path_coefficients):  # issue 16: mediation (CB-SEM: point estimates only)
        from csi.estimate.analysis.indirect import mediation

        spec, dec = mediation(r)
        out["specific_indirect"] = _records(spec, [
            "path", "estimate", "se", "ci_low", "ci_high", "p_value", "source", "target", "mediators"])
        out["effects"] = _records(dec, [
            "source", "target", "direct", "indirect", "total", "indirect_se", "indirect_ci_low",
            "indirect_ci_high", "indirect_p_value"])
    if unstd:
        out["paths"] = _records(r.path_coefficients, pcols + unstd)
    if r.fit is not None:
        out["fit"] = _clean(dict(r.fit))
    return out
