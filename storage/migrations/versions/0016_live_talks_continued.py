"""live talks, continued: marked messages (a talk's copy in a counsellor's chat, by message number, to delete
it); the name of the province a person chose to give; counsellors' private notes (topics only); people waiting to
be told when a counsellor is on duty

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "marked_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("mark", sa.String(length=40), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marked_messages")),
    )
    op.create_index(op.f("ix_marked_messages_at"), "marked_messages", ["at"], unique=False)
    op.create_index(op.f("ix_marked_messages_mark"), "marked_messages", ["mark"], unique=False)
    op.create_table(
        "talk_notes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("alias", sa.String(length=8), nullable=False),
        sa.Column("topics", sa.String(length=400), nullable=False),
        sa.Column("day", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pseudonym"], ["users.pseudonym"], name=op.f("fk_talk_notes_pseudonym_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_talk_notes")),
    )
    op.create_index(op.f("ix_talk_notes_day"), "talk_notes", ["day"], unique=False)
    op.create_index(op.f("ix_talk_notes_pseudonym"), "talk_notes", ["pseudonym"], unique=False)
    op.create_table(
        "talk_wishes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pseudonym"], ["users.pseudonym"], name=op.f("fk_talk_wishes_pseudonym_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_talk_wishes")),
        sa.UniqueConstraint("pseudonym", name=op.f("uq_talk_wishes_pseudonym")),
    )
    op.create_index(op.f("ix_talk_wishes_pseudonym"), "talk_wishes", ["pseudonym"], unique=False)
    op.create_index(op.f("ix_talk_wishes_until"), "talk_wishes", ["until"], unique=False)
    with op.batch_alter_table("talks") as talks:
        talks.add_column(sa.Column("province_name", sa.String(length=40), nullable=True))


def downgrade() -> None:
    op.drop_index(op.f("ix_talk_wishes_until"), table_name="talk_wishes")
    op.drop_index(op.f("ix_talk_wishes_pseudonym"), table_name="talk_wishes")
    op.drop_table("talk_wishes")
    op.drop_index(op.f("ix_talk_notes_pseudonym"), table_name="talk_notes")
    op.drop_index(op.f("ix_talk_notes_day"), table_name="talk_notes")
    op.drop_table("talk_notes")
    with op.batch_alter_table("talks") as talks:
        talks.drop_column("province_name")
    op.drop_index(op.f("ix_marked_messages_mark"), table_name="marked_messages")
    op.drop_index(op.f("ix_marked_messages_at"), table_name="marked_messages")
    op.drop_table("marked_messages")
