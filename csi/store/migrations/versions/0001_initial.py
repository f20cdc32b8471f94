"""Initial schema: settings, survey versions, import batches, responses, rejected rows.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "csi_settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "survey_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("survey_id", sa.String(64), nullable=False, index=True),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("yaml_text", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("survey_id", sa.String(64), nullable=False, index=True),
        sa.Column("survey_version_id", sa.Integer, sa.ForeignKey("survey_versions.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("source_name", sa.String(255), nullable=False),
        sa.Column("file_hash", sa.String(64), nullable=True, index=True),
        sa.Column("platform", sa.String(32), nullable=True),
        sa.Column("encoding", sa.String(32), nullable=True),
        sa.Column("rows_read", sa.Integer, nullable=False, server_default="0"),
        sa.Column("imported", sa.Integer, nullable=False, server_default="0"),
        sa.Column("rejected", sa.Integer, nullable=False, server_default="0"),
        sa.Column("duplicates", sa.Integer, nullable=False, server_default="0"),
        sa.Column("flagged", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "responses",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("survey_id", sa.String(64), nullable=False),
        sa.Column("survey_version_id", sa.Integer, sa.ForeignKey("survey_versions.id"), nullable=False, index=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("import_batches.id"), nullable=True, index=True),
        sa.Column("respondent_id", sa.String(128), nullable=False),
        sa.Column("submission_key", sa.String(128), nullable=True),
        sa.Column("source_row", sa.Integer, nullable=True),
        sa.Column("submitted_at", sa.String(32), nullable=True),
        sa.Column("wave", sa.String(32), nullable=True),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("flags", sa.Text, nullable=True),
        sa.Column("pii", sa.Text, nullable=True),
        sa.UniqueConstraint("survey_id", "respondent_id", name="uq_responses_survey_respondent"),
        sa.UniqueConstraint("survey_id", "submission_key", name="uq_responses_survey_submission"),
    )
    op.create_index("ix_responses_survey_wave", "responses", ["survey_id", "wave"])
    op.create_index("ix_responses_submitted_at", "responses", ["survey_id", "submitted_at"])
    op.create_table(
        "rejected_rows",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("import_batches.id"), nullable=False, index=True),
        sa.Column("source_row", sa.Integer, nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("raw", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for name in ("rejected_rows", "responses", "import_batches", "survey_versions", "csi_settings"):
        op.drop_table(name)
