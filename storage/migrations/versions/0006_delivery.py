"""contact handles kept under consent, and the outbox

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contact_handles",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("delete_after", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_contact_handles_booking_id_bookings"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["pseudonym"], ["users.pseudonym"], name=op.f("fk_contact_handles_pseudonym_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_handles")),
    )
    op.create_index(op.f("ix_contact_handles_pseudonym"), "contact_handles", ["pseudonym"])
    op.create_index(op.f("ix_contact_handles_booking_id"), "contact_handles", ["booking_id"])
    op.create_index(op.f("ix_contact_handles_delete_after"), "contact_handles", ["delete_after"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("handle_id", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=120), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["handle_id"], ["contact_handles.id"], name=op.f("fk_outbox_handle_id_contact_handles"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_outbox_idempotency_key")),
    )
    op.create_index(op.f("ix_outbox_handle_id"), "outbox", ["handle_id"])
    op.create_index("ix_outbox_state_due", "outbox", ["state", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_state_due", table_name="outbox")
    op.drop_index(op.f("ix_outbox_handle_id"), table_name="outbox")
    op.drop_table("outbox")
    op.drop_index(op.f("ix_contact_handles_delete_after"), table_name="contact_handles")
    op.drop_index(op.f("ix_contact_handles_booking_id"), table_name="contact_handles")
    op.drop_index(op.f("ix_contact_handles_pseudonym"), table_name="contact_handles")
    op.drop_table("contact_handles")
