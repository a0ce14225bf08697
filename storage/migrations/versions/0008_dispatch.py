"""the dispatcher: claims with a lease, priorities, quiet hours, topics; stopped recipients; broadcasts

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contact_handles") as batch:
        batch.add_column(sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("priority", sa.SmallInteger(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("quiet", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("topic", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("claim", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE outbox SET state = 'failed' WHERE state = 'dead'")
    op.create_index(op.f("ix_outbox_topic"), "outbox", ["topic"])
    op.create_index("ix_outbox_state_lease", "outbox", ["state", "lease_until"])
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("notify_handle_id", sa.Integer(), nullable=True),
        sa.Column("progress_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("stopped", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_broadcasts_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["notify_handle_id"],
            ["contact_handles.id"],
            name=op.f("fk_broadcasts_notify_handle_id_contact_handles"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcasts")),
    )
    op.create_index(op.f("ix_broadcasts_group_id"), "broadcasts", ["group_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_broadcasts_group_id"), table_name="broadcasts")
    op.drop_table("broadcasts")
    op.drop_index("ix_outbox_state_lease", table_name="outbox")
    op.drop_index(op.f("ix_outbox_topic"), table_name="outbox")
    op.execute("UPDATE outbox SET state = 'dead' WHERE state NOT IN ('pending', 'sent')")
    with op.batch_alter_table("outbox") as batch:
        for column in ("lease_until", "claim", "topic", "quiet", "priority"):
            batch.drop_column(column)
    with op.batch_alter_table("contact_handles") as batch:
        batch.drop_column("stopped_at")
