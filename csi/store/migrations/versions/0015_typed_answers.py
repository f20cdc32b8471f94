"""Typed answer tables: one per survey version, a typed column per field (csi.store.typed),
filled from the stored JSON answers.

Revision ID: 0015
Revises: 0002
"""

import json
import logging

import pandas as pd
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_BATCH = 20000


def upgrade() -> None:
    from csi.store.typed import ensure_answers_table, write_answers
    from csi.survey import parse_survey

    conn = op.get_bind()
    versions = conn.execute(sa.text("SELECT id, survey_id, yaml_text FROM survey_versions ORDER BY id")).all()
    for sv, survey_id, yaml_text in versions:
        try:
            survey = parse_survey(yaml_text, file=f"<store:{survey_id}>")
        except Exception as exc:  # noqa: BLE001 - an unparsable old version keeps its JSON rows only
            logging.getLogger("csi.store").warning("survey version %s not typed: %s", sv, exc)
            continue
        table = ensure_answers_table(conn, sv, survey)
        last = 0
        while True:
            rows = conn.execute(sa.text(
                "SELECT id, respondent_id, wave, submitted_at, answers FROM responses "
                "WHERE survey_version_id = :sv AND id > :last ORDER BY id LIMIT :k"),
                {"sv": sv, "last": last, "k": _BATCH}).all()
            if not rows:
                break
            ans = [json.loads(r[4]) if r[4] else {} for r in rows]
            frame = pd.DataFrame(ans)
            frame["respondent_id"] = [r[1] for r in rows]
            frame["wave"] = [r[2] for r in rows]
            write_answers(conn, table, survey, frame, [r[0] for r in rows], submitted=[r[3] for r in rows])
            last = rows[-1][0]


def downgrade() -> None:
    conn = op.get_bind()
    for (sv,) in conn.execute(sa.text("SELECT id FROM survey_versions")).all():
        op.execute(f"DROP TABLE IF EXISTS answers_v{int(sv)}")
