"""The one parameter gate of the estimators: accepted values and ranges, and which apply where.

:data:`PARAMS` is the table every estimator checks its options against (``csi.fit``,
``fit_strata``, :class:`~csi.estimate.pls.model.PLSPathModel`, ``fit_cbsem``), so one option has
one rule and one message (scikit-learn's shape: ``The 'alpha' parameter of fit must be a float
in the range (0.0, 0.5). Got 0.7 instead.``). :data:`NOT_FOR` lists, per method, the options
of the other method with the value that leaves a fit unchanged; :func:`reject_inapplicable`
raises :class:`~csi.errors.ParameterError` naming every such option given another value,
instead of ignoring it.

Adding an option: one row in :data:`PARAMS` (and in :data:`NOT_FOR` for the method it does
not apply to); the estimator calls :func:`check` with its name.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

from csi.errors import ParameterError

__all__ = ["Choice", "Range", "PARAMS", "NOT_FOR", "check", "check_number", "check_option",
           "reject_inapplicable"]


@dataclass(frozen=True)
class Range:
    """A number in ``[lo, hi]`` (``closed``: "both", "left", "right" or "neither")."""

    lo: float
    hi: float
    integer: bool = False
    closed: str = "both"


@dataclass(frozen=True)
class Choice:
    """A string among ``values``."""

    values: tuple[str, ...]


PARAMS: dict[str, Range | Choice] = {
    "method": Choice(("pls", "cbsem")),
    "weighting": Choice(("path", "factorial", "centroid")),
    "ci": Choice(("percentile", "bca")),
    "n_boot": Range(0, math.inf, integer=True),
    "alpha": Range(0.0, 0.5, closed="neither"),
    "max_iter": Range(1, math.inf, integer=True),
    "tol": Range(0.0, math.inf, closed="neither"),
    "single_item_reliability": Range(0, 1, closed="right"),
    "max_starts": Range(1, math.inf, integer=True),
}

#: Options that do not apply to a method, with the value that leaves its fit unchanged
#: (accepted, so one call site can serve both methods); any other value raises.
NOT_FOR: dict[str, dict[str, object]] = {
    "cbsem": {"weighting": "path", "consistent": False, "ci": "percentile", "progress": None,
              "max_iter": 300, "tol": 1e-7},
    "pls": {"single_item_reliability": 1.0, "max_starts": 4},
}


def check_number(name, value, lo, hi, *, integer=False, func="fit", closed="both"):
    """Check a number against ``[lo, hi]``; :class:`ParameterError` in sklearn's message shape."""
    kind = "an int" if integer else "a float"
    if type(value) is (int if integer else float) or (not integer and type(value) is int):
        ok_type = True  # fast path for plain Python numbers
    else:
        ok_type = isinstance(value, numbers.Integral if integer else numbers.Real) and not isinstance(
            value, bool
        )
    lb = "[" if closed in ("both", "left") else "("
    rb = "]" if closed in ("both", "right") and math.isfinite(hi) else ")"
    ok = ok_type and (value >= lo if lb == "[" else value > lo) and (
        value <= hi if rb == "]" else value < hi
    )
    if not ok:
        hi_s = "inf" if not math.isfinite(hi) else hi
        raise ParameterError(
            f"The {name!r} parameter of {func} must be {kind} in the range "
            f"{lb}{lo}, {hi_s}{rb}. Got {value!r} instead."
        )
    return value


def check_option(name: str, value: object, allowed: tuple[str, ...], func: str = "fit") -> str:
    """Check a string option; raise :class:`ParameterError` in sklearn's message shape."""
    if not isinstance(value, str) or value not in allowed:
        opts = ", ".join(repr(a) for a in allowed)
        raise ParameterError(
            f"The {name!r} parameter of {func} must be a str among {{{opts}}}. Got {value!r} instead."
        )
    return value


def check(name: str, value, func: str = "fit"):
    """Check ``value`` against the rule of option ``name`` in :data:`PARAMS`; returns it."""
    rule = PARAMS[name]
    if isinstance(rule, Choice):
        return check_option(name, value, rule.values, func=func)
    return check_number(name, value, rule.lo, rule.hi, integer=rule.integer, func=func,
                        closed=rule.closed)


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(b, bool):
        return isinstance(a, bool | int) and bool(a) == b and type(a) is not str
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - arrays and odd objects are simply "not the default"
        return False


def reject_inapplicable(method: str, func: str = "fit", **given) -> tuple[str, ...]:
    """Raise :class:`ParameterError` naming the options in ``given`` that do not apply to
    ``method`` and are not at their neutral value (:data:`NOT_FOR`); returns the names of
    those given at the neutral value (accepted, recorded as ignored)."""
    table = NOT_FOR.get(method, {})
    bad = [f"{k}={v!r}" for k, v in given.items() if k in table and not _same(v, table[k])]
    if bad:
        other = "pls" if method == "cbsem" else "cbsem"
        raise ParameterError(
            f"{func} with method={method!r}: {', '.join(bad)} "
            f"{'does' if len(bad) == 1 else 'do'} not apply (only to method={other!r}); "
            "leave them out")
    return tuple(sorted(k for k in given if k in table))
