"""Which stored survey versions a response frame may span (issue 13, point 8).

Answers are read per survey version: ``Store.responses_frame(survey)`` returns the rows stored
under ``survey``'s own version (its YAML text, by SHA-256) and under any other stored version of
the same survey whose answer fields agree -- same items with the same scales (bounds, step,
don't-know and missing codes, reverse coding), same questions with the same types, options and
scales. Versions that differ (an item added, a scale changed from 1-5 to 1-10, an option code
renamed) are left out, unless the caller lists them by version label (``versions=[...]``).
"""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa

from csi.store.schema import survey_versions
from csi.survey import Survey

__all__ = ["answer_signature", "version_ids"]


def _scale(sc) -> list:
    return [float(sc.min), float(sc.max), float(sc.step), sc.dont_know, sorted(map(float, sc.missing_codes))]


def answer_signature(survey: Survey) -> str:
    """A hash of everything that decides what a stored answer means (ids, scales, options)."""
    items = {iid: [_scale(info.scale), info.item.reverse] for iid, info in survey.items.items()}
    questions = {}
    for q in survey.questions:
        sc = survey.scales.get(q.scale) if q.scale else None
        questions[q.id] = [q.type, [str(o.code) for o in q.options], _scale(sc) if sc else None, q.min, q.max,
                           q.pii is not None or q.role == "contact"]
    text = json.dumps({"items": items, "questions": questions}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def version_ids(conn, survey: Survey, versions: list[str] | None = None) -> tuple[list[int], list[str]]:
    """``(survey_versions ids, version labels)`` a frame of ``survey`` spans.

    ``versions``: explicit version labels (every stored text with such a label); default: the
    survey's own version and every stored version whose :func:`answer_signature` agrees.
    """
    from csi.survey import parse_survey

    rows = conn.execute(sa.select(survey_versions.c.id, survey_versions.c.version, survey_versions.c.sha256,
                                  survey_versions.c.yaml_text)
                        .where(survey_versions.c.survey_id == survey.id)
                        .order_by(survey_versions.c.id)).all()
    if versions is not None:
        wanted = {str(v) for v in versions}
        hit = [(r[0], r[1]) for r in rows if r[1] in wanted]
        return [h[0] for h in hit], list(dict.fromkeys(h[1] for h in hit))
    own = answer_signature(survey)
    out = []
    for vid, label, sha, text in rows:
        if sha == survey.sha256:
            out.append((vid, label))
            continue
        try:
            other = parse_survey(text)
        except Exception:  # noqa: BLE001 - a stored text that no longer parses is not compatible
            continue
        if answer_signature(other) == own:
            out.append((vid, label))
    return [o[0] for o in out], list(dict.fromkeys(o[1] for o in out))
