"""Comment analysis (Chinese and English): themes from the survey's lexicon, negation and
intensity, sentiment, keywords, and how themes go with the scores.

>>> from csi.survey import load_survey
>>> from csi.text import classify_text, survey_lexicon
>>> classify_text("快递太慢了，包装也破了", survey_lexicon(load_survey("surveys/ecommerce_csi.yaml")))
['damaged', 'late']
"""

from csi.text.analyze import (
           analyze_comments,
           analyze_texts,
           classify_text,
           comment_flags,
           theme_indicators,
)
from csi.text.lexicon import Lexicon, Theme, comment_field, survey_lexicon
from csi.text.privacy import scrub_contacts

__all__ = ["analyze_comments", "analyze_texts", "classify_text", "comment_flags", "theme_indicators",
           "Lexicon", "Theme", "comment_field", "survey_lexicon", "scrub_contacts"]
