"""csi -- customer-satisfaction surveys and indices.

YAML questionnaires, response import, PLS path modeling and CB-SEM, 0-100 ACSI-style indices,
drivers of repeat purchase, and a Streamlit dashboard.

The public names below are imported on first use (PEP 562), so ``import csi`` stays cheap
(the estimators pull in scipy and semopy only when they are used).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csi._lazy import lazy_exports
from csi.errors import (
    ConvergenceWarning,
    CsiError,
    DataError,
    InadmissibleSolutionWarning,
    NotFittedError,
    ResponseImportError,
    SurveySpecError,
)

__version__ = "0.1.0"

_LAZY = {
    "CBSEMModel": "csi.estimate.cbsem.model",
    "compare_estimators": "csi.estimate.analysis.compare",
    "fit": "csi.estimate.fit",
    "fit_strata": "csi.estimate.fit",
    "fit_moments": "csi.estimate.moment_fit",  # issue 15: scale-out engines
    "fit_grouped": "csi.engines.grouped",
    "GroupedFit": "csi.engines.grouped",
    "StrataFit": "csi.estimate.fit",
    "PLSPathModel": "csi.estimate.pls.model",
    "IndexResult": "csi.estimate.results",
    "ImportResult": "csi.io.responses",
    "read_responses": "csi.io.responses",
    "load_survey": "csi.survey.load",
    "ConstructSpec": "csi.survey.model",
    "ItemSpec": "csi.survey.model",
    "ModelSpec": "csi.survey.model",
    "parse_lavaan": "csi.survey.syntax",
    "to_lavaan": "csi.survey.syntax",
}

__all__ = [
    "CBSEMModel",
    "ConstructSpec",
    "ConvergenceWarning",
    "CsiError",
    "DataError",
    "ImportResult",
    "InadmissibleSolutionWarning",
    "IndexResult",
    "ItemSpec",
    "ModelSpec",
    "NotFittedError",
    "PLSPathModel",
    "ResponseImportError",
    "GroupedFit",
    "StrataFit",
    "SurveySpecError",
    "compare_estimators",
    "fit",
    "fit_grouped",
    "fit_moments",
    "fit_strata",
    "load_survey",
    "parse_lavaan",
    "read_responses",
    "to_lavaan",
]


__getattr__, __dir__ = lazy_exports('csi', _LAZY, globals())


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from csi.engines.grouped import GroupedFit, fit_grouped
    from csi.estimate.analysis.compare import compare_estimators
    from csi.estimate.cbsem.model import CBSEMModel
    from csi.estimate.fit import StrataFit, fit, fit_strata
    from csi.estimate.moment_fit import fit_moments
    from csi.estimate.pls.model import PLSPathModel
    from csi.estimate.results import IndexResult
    from csi.io.responses import ImportResult, read_responses
    from csi.survey.load import load_survey
    from csi.survey.model import ConstructSpec, ItemSpec, ModelSpec
    from csi.survey.syntax import parse_lavaan, to_lavaan
