"""The theme lexicon of a survey: its ``comments:`` block compiled for matching.

A theme's id is normally a ``complaint_type`` option code (``late``, ``staff_attitude``); it then
takes that option's label and group (``logistics``, ...) so that comment themes and answered
complaint types line up. See :mod:`csi.survey.comments_spec` for the YAML format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from csi.errors import DataError
from csi.survey import Survey
from csi.survey.schema import Text
from csi.text.scan import Term, compile_term, is_cjk

__all__ = ["Theme", "Lexicon", "survey_lexicon", "comment_field", "complaint_type_field"]

_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*")


@dataclass(frozen=True)
class Theme:
    """A compiled theme: ``terms`` count when not negated, ``negated`` only when negated."""

    id: str
    label: Text
    group: str | None
    group_label: Text | None
    terms: tuple[Term, ...]
    negated: tuple[Term, ...]


@dataclass(frozen=True)
class Lexicon:
    """The themes of one survey, in file order."""

    themes: tuple[Theme, ...]
    key: str = ""  # fingerprint of the lexicon and language resources (cache key)

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.themes]

    @cached_property
    def term_index(self) -> tuple[dict[str, list], dict[str, list]]:
        """Terms by the first character of their key (Chinese) and by the first two letters
        of their key (English): ``[(theme position, negated?, Term), ...]``."""
        zh: dict[str, list] = {}
        en: dict[str, list] = {}
        for i, th in enumerate(self.themes):
            for neg, terms in ((False, th.terms), (True, th.negated)):
                for t in terms:
                    if is_cjk(t.key) or not t.key[:1].isalnum():
                        zh.setdefault(t.key[0], []).append((i, neg, t))
                    else:
                        en.setdefault(t.key[:2], []).append((i, neg, t))
        return zh, en

    def candidates(self, text: str) -> list:
        """The terms whose key could occur in normalised ``text`` (a superset; exact check next)."""
        zh, en = self.term_index
        out = []
        for ch in set(text):
            if ch in zh:
                out += zh[ch]
        if en:
            for p in {w[:2] for w in _WORD.findall(text)}:
                if p in en:
                    out += en[p]
        return out

    def theme(self, tid: str) -> Theme:
        for t in self.themes:
            if t.id == tid:
                return t
        raise KeyError(tid)


def complaint_type_field(survey: Survey):
    """The ``complaint_type`` question (or ``None``)."""
    qs = survey.questions_with_role("complaint_type")
    return qs[0] if qs else None


def comment_field(survey: Survey) -> str:
    """Id of the free-text comment question (``comments.field``, else the ``comment`` role).

    Raises :class:`~csi.errors.DataError` when the survey has no comment question.
    """
    if survey.comments is not None and survey.comments.field is not None:
        return survey.comments.field
    qs = [q for q in survey.questions if q.role == "comment" and q.type == "text"]
    if not qs:
        raise DataError(f"survey {survey.id!r} has no comment question (a text question with "
                        "`role: comment`), so there is no text to analyse.")
    return qs[0].id


def survey_lexicon(survey: Survey) -> Lexicon:
    """Compile the survey's ``comments.themes`` (an empty lexicon when it has none).

    >>> from csi.survey import load_survey
    >>> lex = survey_lexicon(load_survey("surveys/ecommerce_csi.yaml"))
    >>> lex.ids[:3], lex.theme("late").group
    (['not_as_described', 'poor_quality', 'price'], 'logistics')
    """
    if survey.comments is None:
        return Lexicon((), _fingerprint(None))
    q = complaint_type_field(survey)
    options = {str(o.code): o for o in q.options} if q is not None else {}
    groups = dict(q.option_groups) if q is not None else {}
    themes = []
    for tid, spec in survey.comments.themes.items():
        opt = options.get(tid)
        label = spec.label or (opt.label if opt is not None else tid)
        group = spec.group or (opt.group if opt is not None else None)
        terms = tuple(compile_term(t) for words in spec.terms.values() for t in words)
        negated = tuple(compile_term(t) for words in spec.negated.values() for t in words)
        themes.append(Theme(tid, label, group, groups.get(group) if group else None, terms, negated))
    return Lexicon(tuple(themes), _fingerprint(survey))


#: Bump when the analysis rules change in code, so cached analyses are not reused.
ANALYZER_VERSION = "1"


def _fingerprint(survey: Survey | None) -> str:
    import hashlib
    import json
    from importlib import resources

    h = hashlib.sha256(ANALYZER_VERSION.encode())
    h.update(resources.files("csi.text").joinpath("language.yaml").read_bytes())
    if survey is not None and survey.comments is not None:
        h.update(json.dumps(survey.comments.model_dump(mode="json"), sort_keys=True, ensure_ascii=False).encode())
        q = complaint_type_field(survey)
        if q is not None:
            h.update(json.dumps([o.model_dump(mode="json") for o in q.options], sort_keys=True).encode())
    return h.hexdigest()
