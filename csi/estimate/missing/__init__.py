"""Missing data: per-pattern sufficient statistics, EM, casewise ML and the policies.

Public: :class:`PatternMoments` (the moments contract shared with database back ends),
:func:`em` / :class:`EMResult` (saturated mean and covariance under MAR).
"""

from csi.estimate.missing.em import EMResult, em, em_batch
from csi.estimate.missing.patterns import PatternMoments, pattern_codes

__all__ = ["EMResult", "PatternMoments", "em", "em_batch", "pattern_codes"]
