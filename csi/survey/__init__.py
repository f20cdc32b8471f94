"""Survey definitions: the YAML questionnaire format, its validation, and the model it implies."""

from csi.survey.load import load_survey, parse_survey
from csi.survey.model import ACSI_DEFAULT_PATHS, ConstructSpec, ItemSpec, ModelSpec
from csi.survey.survey import ItemInfo, Survey, localize
from csi.survey.syntax import parse_lavaan, to_lavaan

__all__ = [
    "ACSI_DEFAULT_PATHS",
    "ConstructSpec",
    "ItemInfo",
    "ItemSpec",
    "ModelSpec",
    "Survey",
    "load_survey",
    "localize",
    "parse_lavaan",
    "parse_survey",
    "to_lavaan",
]
