"""Per-group fits under ``missing="em"``: EM's saturated mean and covariance from the group's
pattern moments, then PLS on them; bucket-bootstrap CIs by EM on every resample's pattern
moments (:mod:`csi.estimate.missing.bucket_em`). No respondent rows."""

from __future__ import annotations

from csi.engines.group_fit import _STATS, GroupFit, _boot_warning, _point, _stat_fn
from csi.engines.pattern_stack import pattern_stack
from csi.errors import DataError
from csi.estimate.missing.bucket_em import em_as_moments_args, replicates_from_em, resample_em
from csi.estimate.missing.em import em
from csi.estimate.moments import Moments
from csi.estimate.resample.bootstrap import interval

__all__ = ["fit_em_group", "em_moments"]


def em_moments(stack) -> tuple[Moments, object]:
    """The EM estimate of a :class:`~csi.engines.pattern_stack.PatternStack` as :class:`Moments`
    (mean and ``n - 1`` covariance are EM's) and the :class:`EMResult`."""
    res = em(stack.pattern_moments())
    return Moments(n_obs=stack.n_obs, **em_as_moments_args(res)), res


def fit_em_group(layout, cells, rows, *, counts=None, weighting="path", consistent=False, alpha=0.05,
                 tol=1e-7, max_iter=300) -> GroupFit:
    """One group's fit under EM from its (bucket, pattern) cells ``rows`` (raises DataError)."""
    stack = pattern_stack(cells, rows)
    if not stack.n_obs:
        raise DataError("no respondent of the group answered any item")
    mom, res = em_moments(stack)
    st, est, warn = _point(layout, mom, weighting, consistent, tol, max_iter)
    if not res.converged:
        warn.append(f"EM did not converge in {res.iterations} iterations")
    intervals, n_valid, B = {}, 0, 0
    if counts is not None:
        B = counts.shape[0]
        rep = resample_em(stack.FTp, stack.masks, counts, res, stack.center)
        boot = replicates_from_em(rep, _stat_fn(layout, st, weighting, consistent, tol, max_iter))
        n_valid = boot.n_valid
        warn += _boot_warning(boot)
        if n_valid >= 2:
            intervals = {k: interval(est[k], boot.replicates[k], alpha=alpha, n=mom.n_obs) for k in _STATS}
    return GroupFit(layout, int(mom.n_obs), float(mom.n), est, intervals, int(B), int(n_valid),
                    bool(st["converged"]), tuple(warn))
