"""Invitations: order numbers encrypted (vault ciphertext + keyed look-up hash + masked text).

Existing plain ``order_ref`` values are sealed with ``CSI_PII_KEY`` (:mod:`csi.invite.order_refs`)
and the plain column is dropped. A store holding plain order numbers needs the key for this
step: without it the migration stops before changing anything (one-line VaultKeyError). On
SQLite the step runs with ``secure_delete`` on, so the freed pages of the old table are
overwritten with zeros and no plain order number is left in the file. (PostgreSQL keeps a
dropped column's old tuples until ``VACUUM FULL``; run it after this migration.)

Revision ID: 0021
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    plain = bind.execute(sa.text("SELECT id, survey_id, token_hash, order_ref FROM invitations "
                                 "WHERE order_ref IS NOT NULL AND order_ref != '' ORDER BY id")).all()
    key = None
    if plain:
        from csi.invite.order_refs import seal_order_refs
        from csi.vault import require_key

        key = require_key(why=f"encrypting the {len(plain)} order number(s) this store's invitations "
                              "hold in plain text (store migration 0021)")
    if plain and bind.dialect.name == "sqlite":  # freed pages zeroed (a build default on Debian, not everywhere)
        bind.exec_driver_sql("PRAGMA secure_delete = ON")
    with op.batch_alter_table("invitations") as b:
        b.add_column(sa.Column("order_ref_hash", sa.String(64), nullable=True))
        b.add_column(sa.Column("order_ref_enc", sa.LargeBinary, nullable=True))
        b.add_column(sa.Column("order_ref_masked", sa.String(160), nullable=True))
        b.add_column(sa.Column("order_key_id", sa.String(16), nullable=True))
    if plain:
        by_survey: dict[str, list] = {}
        for row in plain:
            by_survey.setdefault(row.survey_id, []).append(row)
        for sid, rows in by_survey.items():
            sealed = seal_order_refs(key, [r.order_ref for r in rows], [r.token_hash for r in rows], survey_id=sid)
            for r, cols in zip(rows, sealed, strict=True):
                bind.execute(sa.text("UPDATE invitations SET order_ref_hash = :order_ref_hash, "
                                     "order_ref_enc = :order_ref_enc, order_ref_masked = :order_ref_masked, "
                                     "order_key_id = :order_key_id, order_ref = NULL WHERE id = :id"),
                             cols | {"id": r.id})
    with op.batch_alter_table("invitations") as b:
        b.drop_column("order_ref")
        b.create_index("uq_invitations_survey_order", ["survey_id", "order_ref_hash"], unique=True)


def downgrade() -> None:
    # Order numbers stay encrypted: a downgrade restores the column empty, never the plain text.
    with op.batch_alter_table("invitations") as b:
        b.drop_index("uq_invitations_survey_order")
        b.add_column(sa.Column("order_ref", sa.String(128), nullable=True))
        b.drop_column("order_key_id")
        b.drop_column("order_ref_masked")
        b.drop_column("order_ref_enc")
        b.drop_column("order_ref_hash")
