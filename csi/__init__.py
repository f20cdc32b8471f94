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
from csi.estimate.fit import fit
from csi.estimate.pls import PLSPathModel
from csi.estimate.results import IndexResult
from csi.survey.model import ConstructSpec, ItemSpec, ModelSpec
from csi.survey.syntax import parse_lavaan, to_lavaan

__version__ = "0.1.0"

__all__ = [
    "ConstructSpec",
    "ConvergenceWarning",
    "CsiError",
    "DataError",
    "InadmissibleSolutionWarning",
    "IndexResult",
    "ItemSpec",
    "ModelSpec",
    "NotFittedError",
    "PLSPathModel",
    "ResponseImportError",
    "SurveySpecError",
    "fit",
    "parse_lavaan",
    "to_lavaan",
]
