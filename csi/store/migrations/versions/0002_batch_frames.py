"""Columnar copy of each import batch (Parquet) for fast reads of 100k+ responses.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "batch_frames",
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("import_batches.id"), primary_key=True),
        sa.Column("survey_id", sa.String(64), nullable=False, index=True),
        sa.Column("n_rows", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("batch_frames")
