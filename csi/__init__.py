"""csi -- customer-satisfaction surveys and indices.

YAML questionnaires, response import, PLS path modeling and CB-SEM, 0-100 ACSI-style indices,
drivers of repeat purchase, and a Streamlit dashboard.
"""

from csi.errors import (
    ConvergenceWarning,
    CsiError,
    DataError,
    InadmissibleSolutionWarning,
    NotFittedError,
    ResponseImportError,
    SurveySpecError,
)
from csi.estimate.cbsem_model import CBSEMModel
from csi.estimate.compare import compare_estimators
from csi.estimate.fit import fit
from csi.estimate.pls import PLSPathModel
from csi.estimate.results import IndexResult
from csi.io.responses import ImportResult, read_responses
from csi.survey.load import load_survey
from csi.survey.model import ConstructSpec, ItemSpec, ModelSpec
from csi.survey.syntax import parse_lavaan, to_lavaan

__version__ = "0.1.0"

__all__ = [
    "CBSEMModel",
    "ConstructSpec",
    "ConvergenceWarning",
    "CsiError",
    "DataError",
    "InadmissibleSolutionWarning",
    "ImportResult",
    "IndexResult",
    "ItemSpec",
    "ModelSpec",
    "NotFittedError",
    "PLSPathModel",
    "ResponseImportError",
    "SurveySpecError",
    "compare_estimators",
    "fit",
    "load_survey",
    "parse_lavaan",
    "read_responses",
    "to_lavaan",
]
