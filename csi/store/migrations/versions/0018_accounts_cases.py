"""Staff accounts, login attempts, sessions, audit log, contact vault and follow-up cases (issue 18).

Revision ID: 0018
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(128), nullable=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("password_changed_at", sa.String(32), nullable=False),
    )

    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False, index=True),
        sa.Column("client", sa.String(64), nullable=False, index=True),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
    )

    op.create_table(
        "user_sessions",
        sa.Column("token_sha256", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, index=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("last_seen", sa.String(32), nullable=False),
        sa.Column("expires_at", sa.String(32), nullable=False),
        sa.Column("ended_at", sa.String(32), nullable=True),
    )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(32), nullable=False, index=True),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False, index=True),
        sa.Column("target", sa.String(128), nullable=True),
        sa.Column("detail", sa.Text, nullable=True),
        sa.Column("client", sa.String(64), nullable=True),
    )

    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("survey_id", sa.String(64), nullable=False),
        sa.Column("respondent_id", sa.String(128), nullable=False),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("masked", sa.String(64), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False, index=True),
        sa.Column("ciphertext", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("survey_id", "respondent_id", "field", name="uq_contacts_response_field"),
    )

    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("survey_id", sa.String(64), nullable=False, index=True),
        sa.Column("respondent_id", sa.String(128), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("reasons", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("owner", sa.String(64), nullable=True, index=True),
        sa.Column("opened_at", sa.String(32), nullable=False),
        sa.Column("due_at", sa.String(32), nullable=False),
        sa.Column("first_contact_at", sa.String(32), nullable=True),
        sa.Column("closed_at", sa.String(32), nullable=True),
        sa.Column("reference", sa.String(128), nullable=True),
        sa.Column("wave", sa.String(32), nullable=True),
        sa.Column("summary", sa.Text, nullable=False),
        sa.UniqueConstraint("survey_id", "respondent_id", name="uq_cases_response"),
    )

    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False, index=True),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("case_events")
    op.drop_table("cases")
    op.drop_table("contacts")
    op.drop_table("audit_log")
    op.drop_table("user_sessions")
    op.drop_table("login_attempts")
    op.drop_table("users")
