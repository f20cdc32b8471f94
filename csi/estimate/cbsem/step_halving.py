"""Step halving along a descent direction: the line search of the ML and FIML optimisers."""

from __future__ import annotations

import numpy as np

__all__ = ["halve_until_lower"]


def halve_until_lower(f, z: np.ndarray, dz: np.ndarray, fz: float, *, tries: int, rel_tol: float):
    """First of ``z - t dz``, ``t = 1, 1/2, ...`` (``tries`` sizes) whose ``f`` is at most
    ``fz + rel_tol * max(1, |fz|)``; returns ``(z_new, f_new)``, or None when none is."""
    t = 1.0
    for _ in range(tries):
        zn = z - t * dz
        fn = f(zn)
        if fn <= fz + rel_tol * max(1.0, abs(fz)):
            return zn, fn
        t /= 2.0
    return None
