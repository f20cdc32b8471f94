"""Sent-log of alerts: each alert (survey, key) is recorded once, and marked when delivered.

Revision ID: 0019
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0002"
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


def downgrade() -> None:
    op.drop_table("alert_log")
