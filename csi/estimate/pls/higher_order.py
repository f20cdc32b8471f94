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
from dataclasses import dataclass, replace

import pandas as pd

from csi.errors import ParameterError
from csi.estimate.pls.model import PLSPathModel
from csi.estimate.prepare import check_option, prepare_data
from csi.survey.model import ConstructSpec, ItemSpec, ModelSpec

__all__ = ["fit_higher_order", "parse_higher_order", "higher_order_model", "HigherOrderResult", "HOC_METHODS"]

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
    items: Mapping[str, ItemSpec] | None = None,
    binary=(),
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
    items : mapping item id -> ItemSpec, optional
        Per-item scale bounds, reverse coding and missing codes (e.g. ``Survey.to_model().items``);
        they take precedence over ``scale`` and ``missing_codes`` for the items they name.
    binary : iterable of str, default=()
        Constructs that are one 0/1 item (the ACSI complaint construct). They take part in the
        structural model like any single-item construct (Hair et al. 2022, ch. 2: a dummy
        variable as a single-item construct) but cannot be dimensions of a HOC: a dimension's
        score becomes an indicator of the HOC, and a reflective HOC takes its dimensions as
        interchangeable, continuous manifestations (Becker et al. 2012; Sarstedt et al. 2019),
        which a yes/no item is not. Give their 0/1 bounds in ``items``.

    Returns
    -------
    HigherOrderResult
    """
    check_option("method", method, HOC_METHODS, func="fit_higher_order")
    check_option("hoc_mode", hoc_mode, ("reflective", "formative"), func="fit_higher_order")
    check_option("missing", missing, ("listwise", "mean"), func="fit_higher_order")
    modes = dict(modes or {})
    paths = [(str(s), str(t)) for s, t in paths]
    binary = set(binary)
    specs = _item_specs(blocks, items or {}, scale, missing_codes)
    for c in sorted(binary):
        if c not in blocks or len(blocks[c]) != 1:
            raise ParameterError(f"binary construct {c!r} must be a first-order construct with one 0/1 item.")
        it = specs[blocks[c][0]]
        if (it.scale_min, it.scale_max) != (0, 1):
            raise ParameterError(f"binary construct {c!r}: its item {it.id!r} has scale {it.scale_min:g}..{it.scale_max:g}; "
                                 "expected 0..1 (give it in `items`).")
    for h, dims in hocs.items():
        if h in blocks:
            raise ParameterError(f"higher-order construct {h!r} must not have items of its own.")
        bad = [d for d in dims if d not in blocks]
        if bad or len(dims) < 2:
            raise ParameterError(f"higher-order construct {h!r}: dimensions must be two or more "
                                 f"first-order constructs; unknown: {', '.join(bad) or '-'}.")
        yes_no = [d for d in dims if d in binary]
        if yes_no:
            raise ParameterError(f"higher-order construct {h!r}: {', '.join(yes_no)} is a binary (0/1) construct and "
                                 "cannot be a dimension -- a dimension's score is an indicator of the HOC, which a "
                                 "yes/no item is not (Sarstedt et al. 2019); keep it in the structural model instead.")
        used = [d for d in dims if any(d in p for p in paths)]
        if used:
            raise ParameterError(f"dimension(s) {', '.join(used)} of {h!r} appear in a path; "
                                 "paths go to or from the higher-order construct.")
    rewired = _all_rewired(paths, hocs)
    items = prepare_data(_spec(blocks, rewired, specs, modes, binary), data, missing=missing).items
    specs = {i: _recoded(sp) for i, sp in specs.items()}  # the fits see the recoded items
    first = _spec(blocks, rewired, specs, modes, binary)
    if method == "disjoint":
        stage1 = PLSPathModel(weighting=weighting).fit(first, items)
    else:
        rep_spec, rep_frame = _repeated(blocks, paths, hocs, items, hoc_mode, modes, specs, binary)
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
    cons = [ConstructSpec(c, tuple(v), (hoc_mode if c in hocs else modes.get(c, "reflective")), c in binary)
            for c, v in blocks2.items()]
    its = {i: ItemSpec(i, -1e12, 1e12) if c in hocs else specs[i]
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


def _repeated(blocks, paths, hocs, items, hoc_mode, modes, specs, binary):
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
    copies = {f"{i}@{h}": replace(specs[i], id=f"{i}@{h}") for h, dims in hocs.items() for d in dims
              for i in blocks[d]}
    spec = _spec(blk, extra, {**specs, **copies}, {**modes, **{h: "reflective" for h in hocs}}, binary)
    return spec, frame[list(spec.item_ids)]


def _item_specs(blocks, given: Mapping[str, ItemSpec], scale, missing_codes) -> dict[str, ItemSpec]:
    """Every item's spec: ``given`` where it names the item, else ``scale`` and ``missing_codes``."""
    codes = tuple(missing_codes)
    return {i: given[i] if i in given else ItemSpec(i, scale[0], scale[1], False, codes)
            for v in blocks.values() for i in v}


def _recoded(sp: ItemSpec) -> ItemSpec:
    """The spec of an item after :func:`prepare_data`: reverse coding applied, missing codes gone."""
    return ItemSpec(sp.id, sp.scale_min, sp.scale_max)


def _spec(blocks, paths, specs: Mapping[str, ItemSpec], modes, binary) -> ModelSpec:
    cons = tuple(ConstructSpec(c, tuple(v), modes.get(c, "reflective"), c in binary) for c, v in blocks.items())
    return ModelSpec(cons, tuple(paths), {i: specs[i] for c in cons for i in c.items})


def _measurement(est: PLSPathModel, constructs) -> dict:
    rel = est.reliability_
    load = est.loadings_
    return {"reliability": rel[rel["construct"].isin(constructs)].reset_index(drop=True),
            "loadings": load[load["construct"].isin(constructs)].reset_index(drop=True)}


def higher_order_model(survey) -> dict:
    """Keyword arguments of :func:`fit_higher_order` from a survey's ``higher_order:`` block.

    Each HOC takes its dimensions' places in the survey's paths (a path to or from a dimension
    goes to or from the HOC; paths between dimensions of one HOC are dropped). Every other
    construct keeps its place, binary ones (the ACSI complaint item, 0/1) included, so the
    structural model is the survey's. Each item keeps its own scale bounds, reverse coding and
    missing / don't-know codes (``items``: ``Survey.to_model().items``); ``scale`` is the
    dimensions' most common scale. Raises :class:`ParameterError` when the survey declares none.
    """
    from collections import Counter

    if not survey.higher_order:
        raise ParameterError(f"survey {survey.id!r} declares no higher-order construct (a "
                             "`higher_order:` block).")
    hocs = {h.id: list(h.dimensions) for h in survey.higher_order}
    of = {d: h for h, ds in hocs.items() for d in ds}
    paths = []
    for s, t in survey.effective_paths:
        s2, t2 = of.get(s, s), of.get(t, t)
        if s2 != t2 and (s2, t2) not in paths:
            paths.append((s2, t2))
    blocks = {c: [it.id for it in spec.items] for c, spec in survey.constructs.items()}
    modes = {c: spec.mode for c, spec in survey.constructs.items() if spec.mode == "formative"}
    model = survey.to_model()
    scales = Counter((model.items[i].scale_min, model.items[i].scale_max)
                     for ds in hocs.values() for d in ds for i in blocks[d])
    return {"blocks": blocks, "paths": paths, "hocs": hocs, "modes": modes,
            "hoc_mode": survey.higher_order[0].mode, "method": survey.higher_order[0].method,
            "scale": scales.most_common(1)[0][0], "items": dict(model.items),
            "binary": [c for c, spec in survey.constructs.items() if spec.binary]}
