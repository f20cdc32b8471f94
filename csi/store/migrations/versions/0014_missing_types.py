"""Missingness types of the stored answers (issue 14): ``responses.missing``.

A nullable JSON text column ``{field: "dont_know" | "not_shown" | "skipped" | "no_answer"}``
for the respondent's missing answers; batch Parquet copies carry the same types as columns
``missing__<field>`` (no schema change needed for those).

Revision ID: 0014
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("responses") as batch:
        batch.add_column(sa.Column("missing", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("responses") as batch:
        batch.drop_column("missing")
