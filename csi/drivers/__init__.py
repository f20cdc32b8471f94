"""Driver analysis: what to fix first, checked against actual repeat purchase.

Every function takes the survey and its canonical response frame (and optionally a PLS
:class:`~csi.estimate.results.IndexResult` fitted on it) and returns tidy DataFrames with
``snake_case`` columns; scores are 0-100 indices (theoretical bounds, higher is better).
"""

from csi.drivers.complaints import (
    complaint_paths,
    complaint_rate,
    complaint_test,
    complaint_types,
    complaints_by,
    handling_summary,
    service_recovery,
)
from csi.drivers.impacts import acsi_impacts
from csi.drivers.ipma import importance_performance
from csi.drivers.relative_importance import relative_importance, relative_weights, shapley_r2
from csi.drivers.repurchase import (
    calibration_table,
    importance_agreement,
    repurchase_analysis,
    repurchase_auc,
    repurchase_logit,
)
from csi.drivers.scores import construct_scores, item_scores, lever_scores
from csi.drivers.segments import compare_groups, group_results, ipma_by_group
from csi.drivers.whatif import what_if

__all__ = [
    "acsi_impacts",
    "calibration_table",
    "compare_groups",
    "complaint_paths",
    "complaint_rate",
    "complaint_test",
    "complaint_types",
    "complaints_by",
    "construct_scores",
    "group_results",
    "handling_summary",
    "importance_agreement",
    "importance_performance",
    "ipma_by_group",
    "item_scores",
    "lever_scores",
    "relative_importance",
    "relative_weights",
    "repurchase_analysis",
    "repurchase_auc",
    "repurchase_logit",
    "service_recovery",
    "shapley_r2",
    "what_if",
]
