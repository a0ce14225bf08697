"""foundation: users, conversation state, consent ledger

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PSEUDONYM = sa.String(length=64)


def _owner() -> sa.Column[str]:
    return sa.Column("pseudonym", PSEUDONYM, nullable=False)


def _owner_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["pseudonym"], ["users.pseudonym"], name=op.f(f"fk_{table}_pseudonym_users"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("pseudonym", PSEUDONYM, nullable=False),
        sa.Column("age_group", sa.String(length=8), nullable=True),
        sa.Column("stopped", sa.Boolean(), nullable=False),
        sa.Column("first_seen", sa.Date(), nullable=False),
        sa.Column("last_seen", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("pseudonym", name=op.f("pk_users")),
    )
    op.create_index(op.f("ix_users_last_seen"), "users", ["last_seen"])

    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _owner(),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("text_version", sa.String(length=20), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        _owner_fk("consents"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    op.create_index("ix_consents_owner_purpose", "consents", ["pseudonym", "purpose"])

    op.create_table(
        "conversation_states",
        _owner(),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        _owner_fk("conversation_states"),
        sa.PrimaryKeyConstraint("pseudonym", name=op.f("pk_conversation_states")),
    )
    op.create_index(op.f("ix_conversation_states_expires_at"), "conversation_states", ["expires_at"])


def downgrade() -> None:
    op.drop_table("conversation_states")
    op.drop_table("consents")
    op.drop_table("users")
