"""Sent-log of alerts (each alert recorded once, marked when delivered) and the cache of
comment analyses per lexicon fingerprint and text hash.

Revision ID: 0019
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("survey_id", sa.String(64), nullable=False),
        sa.Column("alert_key", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("wave", sa.String(32), nullable=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("first_seen_at", sa.String(32), nullable=False),
        sa.Column("sent_at", sa.String(32), nullable=True),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.UniqueConstraint("survey_id", "alert_key", name="uq_alert_log_survey_key"),
    )
    op.create_table(
        "comment_analysis",
        sa.Column("lexicon_key", sa.String(64), primary_key=True),
        sa.Column("text_hash", sa.String(64), primary_key=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("categories", sa.Text, nullable=False),
        sa.Column("sentiment", sa.Float, nullable=False),
        sa.Column("keywords", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("comment_analysis")
    op.drop_table("alert_log")
