"""live talks: the talks open now (deleted when they end), counsellors' duty and the usual duty hours

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "talks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("alias", sa.String(length=8), nullable=False),
        sa.Column("counsellor_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("awaiting_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("province", sa.String(length=40), nullable=True),
        sa.Column("risk", sa.String(length=20), nullable=True),
        sa.Column("from_selfcheck", sa.Boolean(), nullable=False),
        sa.Column("wipe_from", sa.Integer(), nullable=True),
        sa.Column("keep_messages", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["counsellor_id"],
            ["staff_members.id"],
            name=op.f("fk_talks_counsellor_id_staff_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["pseudonym"], ["users.pseudonym"], name=op.f("fk_talks_pseudonym_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_talks")),
        sa.UniqueConstraint("pseudonym", name=op.f("uq_talks_pseudonym")),
    )
    op.create_index(op.f("ix_talks_awaiting_since"), "talks", ["awaiting_since"], unique=False)
    op.create_index(op.f("ix_talks_counsellor_id"), "talks", ["counsellor_id"], unique=False)
    op.create_index(op.f("ix_talks_pseudonym"), "talks", ["pseudonym"], unique=False)
    op.create_table(
        "duty",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.String(length=40), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_members.id"], name=op.f("fk_duty_staff_id_staff_members"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("staff_id", name=op.f("pk_duty")),
    )
    op.create_index(op.f("ix_duty_since"), "duty", ["since"], unique=False)
    op.create_table(
        "rosters",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("province", sa.String(length=40), nullable=True),
        sa.Column("hours", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rosters")),
        sa.UniqueConstraint("province", name=op.f("uq_rosters_province")),
    )

    op.create_table(
        "talk_blocks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("alias", sa.String(length=8), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pseudonym"], ["users.pseudonym"], name=op.f("fk_talk_blocks_pseudonym_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_talk_blocks")),
    )
    op.create_index(op.f("ix_talk_blocks_pseudonym"), "talk_blocks", ["pseudonym"], unique=False)
    op.create_index(op.f("ix_talk_blocks_until"), "talk_blocks", ["until"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_talk_blocks_until"), table_name="talk_blocks")
    op.drop_index(op.f("ix_talk_blocks_pseudonym"), table_name="talk_blocks")
    op.drop_table("talk_blocks")
    op.drop_table("rosters")
    op.drop_index(op.f("ix_duty_since"), table_name="duty")
    op.drop_table("duty")
    op.drop_index(op.f("ix_talks_pseudonym"), table_name="talks")
    op.drop_index(op.f("ix_talks_counsellor_id"), table_name="talks")
    op.drop_index(op.f("ix_talks_awaiting_since"), table_name="talks")
    op.drop_table("talks")
