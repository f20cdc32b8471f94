"""Higher-order constructs (HOCs): repeated-indicator and two-stage approaches.

A higher-order construct (e.g. *reputation* over *competence* and *likeability*) is measured
by lower-order constructs (LOCs, its *dimensions*), which are measured by items. Three
approaches (Becker, Klein & Wetzels 2012; Sarstedt et al. 2019; Hair et al. 2021, ch. 8):

- ``"repeated"`` -- repeated indicators: the HOC's items are all its dimensions' items
  (copied, named ``item@HOC``); reflective HOC: paths HOC -> each dimension, formative HOC:
  each dimension -> HOC; the HOC keeps its structural relations. One estimation.
- ``"embedded"`` -- embedded two-stage: stage 1 is the repeated-indicator model; in stage 2
  the HOC is measured by the stage-1 dimension scores and the dimensions leave the model.
- ``"disjoint"`` (default, as SEMinR's ``higher_composite``) -- disjoint two-stage: stage 1
  replaces the HOC by its dimensions (the HOC's antecedents predict every dimension, every
  dimension predicts the HOC's outcomes); in stage 2 the HOC is measured by the stage-1
  dimension scores.

Reporting (``HigherOrderResult``): ``lower_order`` -- loadings and reliability of the
dimensions from the stage that measures them by items (stage 1; the repeated-indicator model
for ``"repeated"``); ``higher_order`` -- the HOC's measurement model, with the dimensions as
its items (stage 2: loadings/weights of the dimension scores; ``"repeated"``: the paths
between HOC and dimensions) and its reliability; ``paths``, ``r2`` of the structural model.

The disjoint approach matches seminr-py 0.2.1 ``higher_composite`` on corp_rep to 1e-6
(``tests/golden/test_seminr_models.py``); the embedded and repeated approaches, which seminr
does not offer, are checked by their algebra (stage 2 of ``"embedded"`` on the stage-1 scores
equals a plain fit of those scores).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from csi.errors import ParameterError
from csi.estimate.pls.model import PLSPathModel
from csi.estimate.prepare import check_option, prepare_data
from csi.survey.model import ConstructSpec, ItemSpec, ModelSpec

__all__ = ["fit_higher_order", "parse_higher_order", "HigherOrderResult", "HOC_METHODS"]

HOC_METHODS = ("disjoint", "embedded", "repeated")


@dataclass(frozen=True)
class HigherOrderResult:
    """A higher-order model's results.

    ``paths`` and ``r2`` of the structural model; ``lower_order``: dict of ``reliability``
    and ``loadings`` of the dimensions (measured by their items); ``higher_order``: dict of
    ``reliability``, ``loadings`` and ``weights`` of the HOCs over their dimensions (for
    ``"repeated"``: ``loadings`` holds the HOC-dimension paths, the others are None);
    ``stage1``/``stage2``: the fitted PLSPathModels (``stage2`` None for ``"repeated"``)."""

    paths: pd.DataFrame
    r2: pd.DataFrame
    lower_order: dict
    higher_order: dict
    stage1: PLSPathModel
    stage2: PLSPathModel | None
    method: str


class _RepeatedIndicatorPLS(PLSPathModel):
    """PLS for the repeated-indicator model: its copied items are collinear by design."""

    _repeated_items = True


def _rewire(paths, hoc: str, dims) -> list[tuple[str, str]]:
    """Disjoint stage 1: paths into/out of ``hoc`` go into/out of each dimension."""
    out = []
    for s, t in paths:
        if t == hoc:
            out += [(s, d) for d in dims]
        elif s == hoc:
            out += [(d, t) for d in dims]
        else:
            out.append((s, t))
    return list(dict.fromkeys(out))


def fit_higher_order(
    blocks: Mapping[str, list[str]],
    paths,
    hocs: Mapping[str, list[str]],
    data: pd.DataFrame,
    *,
    method: str = "disjoint",
    hoc_mode: str = "reflective",
    modes: Mapping[str, str] | None = None,
    scale=(1, 7),
    missing_codes=(),
    missing: str = "listwise",
    weighting: str = "path",
) -> HigherOrderResult:
    """Estimate a model with higher-order constructs.

    Parameters
    ----------
    blocks : mapping construct -> items
        Every first-order construct, the dimensions included (not the HOCs).
    paths : iterable of (source, target)
        The structural model, with the HOCs by name (dimensions appear in no path).
    hocs : mapping HOC -> dimensions
    method : {"disjoint", "embedded", "repeated"}, default="disjoint"
    hoc_mode : {"reflective", "formative"}, default="reflective"
        Mode of the HOC over its dimensions (Mode A / Mode B in stage 2; the direction of
        the HOC-dimension paths in the repeated-indicator model).
    modes, scale, missing_codes
        As :meth:`ModelSpec.from_blocks`.
    missing : {"listwise", "mean"}

    Returns
    -------
    HigherOrderResult
    """
    check_option("method", method, HOC_METHODS, func="fit_higher_order")
    check_option("hoc_mode", hoc_mode, ("reflective", "formative"), func="fit_higher_order")
    check_option("missing", missing, ("listwise", "mean"), func="fit_higher_order")
    modes = dict(modes or {})
    paths = [(str(s), str(t)) for s, t in paths]
    for h, dims in hocs.items():
        if h in blocks:
            raise ParameterError(f"higher-order construct {h!r} must not have items of its own.")
        bad = [d for d in dims if d not in blocks]
        if bad or len(dims) < 2:
            raise ParameterError(f"higher-order construct {h!r}: dimensions must be two or more "
                                 f"first-order constructs; unknown: {', '.join(bad) or '-'}.")
        used = [d for d in dims if any(d in p for p in paths)]
        if used:
            raise ParameterError(f"dimension(s) {', '.join(used)} of {h!r} appear in a path; "
                                 "paths go to or from the higher-order construct.")
    first = ModelSpec.from_blocks(blocks, _all_rewired(paths, hocs), scale=scale, modes=modes,
                                  missing_codes=missing_codes)
    items = prepare_data(first, data, missing=missing).items  # recoded, no missing codes
    if method == "disjoint":
        stage1 = PLSPathModel(weighting=weighting).fit(first, items)
    else:
        rep_spec, rep_frame = _repeated(blocks, paths, hocs, items, hoc_mode, modes, scale)
        stage1 = _RepeatedIndicatorPLS(weighting=weighting).fit(rep_spec, rep_frame)
    dims_all = [d for ds in hocs.values() for d in ds]
    lower = _measurement(stage1, dims_all)
    if method == "repeated":
        eff = stage1.path_coefficients_
        hier = eff[eff["source"].isin(hocs) & eff["target"].isin(dims_all)
                   | eff["source"].isin(dims_all) & eff["target"].isin(hocs)]
        higher = {"reliability": None, "loadings": hier.reset_index(drop=True), "weights": None}
        keep = ~eff.index.isin(hier.index)
        return HigherOrderResult(paths=eff[keep].reset_index(drop=True), r2=stage1.r2_,
                                 lower_order=lower, higher_order=higher, stage1=stage1,
                                 stage2=None, method=method)
    scores = stage1.scores_
    blocks2 = {c: list(v) for c, v in blocks.items() if c not in dims_all}
    frame2 = items[[i for v in blocks2.values() for i in v]].copy()
    for h, dims in hocs.items():
        blocks2[h] = [f"{d}_score" for d in dims]
        for d in dims:
            frame2[f"{d}_score"] = scores[d].to_numpy()
    in_paths = {x for p in paths for x in p}
    blocks2 = {c: v for c, v in blocks2.items() if c in in_paths}
    cons = [ConstructSpec(c, tuple(v), (hoc_mode if c in hocs else modes.get(c, "reflective")))
            for c, v in blocks2.items()]
    its = {i: ItemSpec(i, -1e12, 1e12) if c in hocs else ItemSpec(i, *scale)
           for c, v in blocks2.items() for i in v}
    spec2 = ModelSpec(tuple(cons), tuple(paths), its)
    stage2 = PLSPathModel(weighting=weighting).fit(spec2, frame2[[i for v in blocks2.values() for i in v]])
    higher = _measurement(stage2, list(hocs))
    higher["weights"] = stage2.outer_weights_[stage2.outer_weights_["construct"].isin(list(hocs))] \
        .reset_index(drop=True)
    return HigherOrderResult(paths=stage2.path_coefficients_, r2=stage2.r2_, lower_order=lower,
                             higher_order=higher, stage1=stage1, stage2=stage2, method=method)


def parse_higher_order(text: str) -> dict:
    """Keyword arguments of :func:`fit_higher_order` from lavaan-style text.

    ``X =~ a + b`` (reflective) and ``X <~ a + b`` (formative) define constructs; when every
    name on the right is itself a construct, ``X`` is a higher-order construct over those
    dimensions (its mode is ``hoc_mode``; all HOCs of one text share it). ``y ~ x + z`` are
    paths; ``#`` starts a comment.

    Examples
    --------
    >>> kw = parse_higher_order("A =~ a1 + a2\\nB =~ b1 + b2\\nC =~ c1\\nH =~ A + B\\nC ~ H")
    >>> kw["hocs"], kw["paths"], kw["hoc_mode"]
    ({'H': ['A', 'B']}, [('H', 'C')], 'reflective')
    """
    from csi.errors import SurveySpecError

    defs: dict[str, tuple[str, list[str]]] = {}
    paths: list[tuple[str, str]] = []
    for no, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        for op, mode in (("=~", "reflective"), ("<~", "formative")):
            if op in line:
                lhs, rhs = (v.strip() for v in line.split(op, 1))
                defs[lhs] = (mode, [t.strip() for t in rhs.split("+") if t.strip()])
                break
        else:
            if "~" not in line:
                raise SurveySpecError(f"line {no}: expected 'X =~ ...', 'X <~ ...' or 'y ~ ...'; got {raw!r}")
            lhs, rhs = (v.strip() for v in line.split("~", 1))
            paths += [(t.strip(), lhs) for t in rhs.split("+") if t.strip()]
    hocs = {c: rhs for c, (_, rhs) in defs.items() if rhs and all(r in defs for r in rhs)}
    blocks = {c: rhs for c, (_, rhs) in defs.items() if c not in hocs}
    modes = {c: m for c, (m, _) in defs.items() if c not in hocs and m == "formative"}
    hoc_modes = {defs[h][0] for h in hocs}
    if len(hoc_modes) > 1:
        raise SurveySpecError("all higher-order constructs of one model must share a mode (=~ or <~)")
    return {"blocks": blocks, "paths": paths, "hocs": hocs, "modes": modes,
            "hoc_mode": hoc_modes.pop() if hoc_modes else "reflective"}


def _all_rewired(paths, hocs):
    out = list(paths)
    for h, dims in hocs.items():
        out = _rewire(out, h, dims)
    return out


def _repeated(blocks, paths, hocs, items, hoc_mode, modes, scale):
    """The repeated-indicator model and its data (dimension items copied as ``item@HOC``)."""
    blk = {c: list(v) for c, v in blocks.items()}
    frame = items.copy()
    extra = list(paths)
    for h, dims in hocs.items():
        copies = []
        for d in dims:
            for i in blocks[d]:
                copies.append(f"{i}@{h}")
                frame[copies[-1]] = items[i].to_numpy()
            extra.append((h, d) if hoc_mode == "reflective" else (d, h))
        blk[h] = copies
    spec = ModelSpec.from_blocks(blk, extra, scale=scale,
                                 modes={**modes, **{h: "reflective" for h in hocs}})
    return spec, frame[list(spec.item_ids)]


def _measurement(est: PLSPathModel, constructs) -> dict:
    rel = est.reliability_
    load = est.loadings_
    return {"reliability": rel[rel["construct"].isin(constructs)].reset_index(drop=True),
            "loadings": load[load["construct"].isin(constructs)].reset_index(drop=True)}
