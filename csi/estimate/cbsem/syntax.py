"""Translate a :class:`~csi.survey.model.ModelSpec` into a semopy (lavaan-style) CB-SEM description.

Treatments (documented choices)
-------------------------------
- **Reflective** construct: ``construct =~ item1 + item2 + ...``; the first item's loading is
  fixed to 1 (marker-variable identification, as lavaan and semopy do by default).
- **Formative** construct: refused with :class:`~csi.errors.ParameterError`. semopy has no
  ``<~`` operator, and a MIMIC or composite approximation would estimate a different model
  than the PLS composite; use ``method="pls"`` or declare the construct reflective.
- **Single-item** construct: ``construct =~ item`` with the item's error variance fixed to
  ``(1 - reliability) * var(item)`` (variance with divisor N). The default reliability 1 fixes it
  to 0 -- the construct *is* the item -- exactly what lavaan does (``auto.fix.single = TRUE``).
- **Binary** item (``ConstructSpec.binary``, e.g. the ACSI complaint item, 0/1): treated as a
  continuous 0/1 item in normal-theory ML (a linear-probability measurement). The estimate of
  the path is the difference in the construct per unit of complaint; chi-square and SEs rest on
  normality, which a 0/1 item violates, so :func:`binary_note` produces a note for the result.
- Structural paths: ``target ~ source1 + source2``. Exogenous constructs covary freely;
  residuals of endogenous constructs are uncorrelated (lavaan's ``sem()`` defaults).
"""

from __future__ import annotations

import numpy as np

from csi.errors import ParameterError
from csi.survey.model import ModelSpec

__all__ = ["to_semopy_description", "binary_note"]


def to_semopy_description(
    model: ModelSpec,
    item_variances: dict[str, float] | None = None,
    *,
    single_item_reliability: float = 1.0,
) -> str:
    """Return the semopy description of ``model`` (see the module notes for each treatment).

    Parameters
    ----------
    model : ModelSpec
        Reflective constructs only.
    item_variances : dict, optional
        Item id -> variance (divisor N); needed only when ``single_item_reliability < 1``.
    single_item_reliability : float, default=1.0
        Assumed reliability of single-item constructs, in (0, 1]; the error variance is fixed
        to ``(1 - reliability) * var(item)``.

    Raises
    ------
    ParameterError
        A formative construct, a construct id equal to an item id, or a reliability outside (0, 1].

    Examples
    --------
    >>> m = ModelSpec.from_blocks({"sat": ["s1", "s2"], "cmp": ["c1"]}, [("sat", "cmp")])
    >>> print(to_semopy_description(m))
    sat =~ s1 + s2
    cmp =~ c1
    c1 ~~ 0*c1
    cmp ~ sat
    """
    rel = single_item_reliability
    if not isinstance(rel, int | float) or isinstance(rel, bool) or not 0 < rel <= 1:
        raise ParameterError(
            "The 'single_item_reliability' parameter of fit_cbsem must be a float in the range "
            f"(0, 1]. Got {rel!r} instead."
        )
    formative = [c.id for c in model.constructs if c.mode == "formative"]
    if formative:
        raise ParameterError(
            f"construct(s) {', '.join(map(repr, formative))} are formative (lavaan '<~'); "
            "CB-SEM (method='cbsem') estimates reflective constructs only because semopy has "
            "no composite operator. Use method='pls', or declare the construct(s) reflective."
        )
    clash = sorted(set(model.construct_ids) & set(model.item_ids))
    if clash:
        raise ParameterError(
            f"construct id(s) {', '.join(map(repr, clash))} are also item ids; CB-SEM needs "
            "distinct names for constructs and items. Rename the construct(s)."
        )
    lines = []
    for c in model.constructs:
        lines.append(f"{c.id} =~ {' + '.join(c.items)}")
        if len(c.items) == 1:
            it = c.items[0]
            if rel == 1:
                val = 0.0
            else:
                if item_variances is None or it not in item_variances:
                    raise ParameterError(
                        f"single-item construct {c.id!r}: the variance of item {it!r} is "
                        "needed to fix its error variance"
                    )
                val = (1.0 - rel) * float(item_variances[it])
            lines.append(f"{it} ~~ {_num(val)}*{it}")
    for t in model.topological_order():
        src = model.predecessors(t)
        if src:
            lines.append(f"{t} ~ {' + '.join(src)}")
    return "\n".join(lines)


def _num(v: float) -> str:
    """Format a fixed value for semopy (``0`` stays ``0``; otherwise full precision)."""
    return "0" if v == 0 else np.format_float_positional(v, unique=True, trim="-")


def binary_note(model: ModelSpec) -> str | None:
    """Note on binary items treated as continuous 0/1 items, or None when there are none.

    Examples
    --------
    >>> from csi.survey.model import ConstructSpec, ItemSpec
    >>> m = ModelSpec((ConstructSpec("s", ("s1",)), ConstructSpec("c", ("c1",), binary=True)),
    ...               (("s", "c"),), {"s1": ItemSpec("s1", 1, 10), "c1": ItemSpec("c1", 0, 1)})
    >>> binary_note(m)[:40]
    'binary item(s) c1 (construct c) treated '
    """
    parts = [f"{', '.join(c.items)} (construct {c.id})" for c in model.constructs if c.binary]
    if not parts:
        return None
    return (
        f"binary item(s) {'; '.join(parts)} treated as continuous 0/1 items in normal-theory ML "
        "(linear-probability measurement); chi-square, p-values and SEs of paths involving "
        "them assume normality and are approximate"
    )
