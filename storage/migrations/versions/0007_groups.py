"""self-help groups: groups, single-meeting changes, members (with their reminder address), replies,
attendance counts

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _group_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["group_id"], ["groups.id"], name=op.f(f"fk_{table}_group_id_groups"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "groups",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("leader_id", sa.Integer(), nullable=True),
        sa.Column("point_id", sa.Integer(), nullable=True),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("schedule", sa.Text(), nullable=False),
        sa.Column("reminder_minutes", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["leader_id"], ["staff_members.id"], name=op.f("fk_groups_leader_id_staff_members"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["point_id"], ["service_points.id"], name=op.f("fk_groups_point_id_service_points"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_groups")),
        sa.UniqueConstraint("code", name=op.f("uq_groups_code")),
    )
    op.create_index(op.f("ix_groups_leader_id"), "groups", ["leader_id"])
    op.create_table(
        "group_exceptions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("original_day", sa.Date(), nullable=False),
        sa.Column("moved_to", sa.DateTime(timezone=True), nullable=True),
        _group_fk("group_exceptions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_exceptions")),
        sa.UniqueConstraint("group_id", "original_day", name="uq_group_exceptions_group_day"),
    )
    op.create_index(op.f("ix_group_exceptions_group_id"), "group_exceptions", ["group_id"])
    op.create_table(
        "group_members",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handle_id", sa.Integer(), nullable=True),
        _group_fk("group_members"),
        sa.ForeignKeyConstraint(
            ["handle_id"],
            ["contact_handles.id"],
            name=op.f("fk_group_members_handle_id_contact_handles"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["pseudonym"], ["users.pseudonym"], name=op.f("fk_group_members_pseudonym_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_members")),
        sa.UniqueConstraint("group_id", "pseudonym", name="uq_group_members_group_person"),
    )
    op.create_index(op.f("ix_group_members_group_id"), "group_members", ["group_id"])
    op.create_index(op.f("ix_group_members_pseudonym"), "group_members", ["pseudonym"])
    op.create_table(
        "group_rsvps",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("original_day", sa.Date(), nullable=False),
        sa.Column("coming", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["group_members.id"], name=op.f("fk_group_rsvps_member_id_group_members"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_rsvps")),
        sa.UniqueConstraint("member_id", "original_day", name="uq_group_rsvps_member_day"),
    )
    op.create_index(op.f("ix_group_rsvps_member_id"), "group_rsvps", ["member_id"])
    op.create_table(
        "group_attendance",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("original_day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        _group_fk("group_attendance"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_attendance")),
        sa.UniqueConstraint("group_id", "original_day", name="uq_group_attendance_group_day"),
    )
    op.create_index(op.f("ix_group_attendance_group_id"), "group_attendance", ["group_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_group_attendance_group_id"), table_name="group_attendance")
    op.drop_table("group_attendance")
    op.drop_index(op.f("ix_group_rsvps_member_id"), table_name="group_rsvps")
    op.drop_table("group_rsvps")
    op.drop_index(op.f("ix_group_members_pseudonym"), table_name="group_members")
    op.drop_index(op.f("ix_group_members_group_id"), table_name="group_members")
    op.drop_table("group_members")
    op.drop_index(op.f("ix_group_exceptions_group_id"), table_name="group_exceptions")
    op.drop_table("group_exceptions")
    op.drop_index(op.f("ix_groups_leader_id"), table_name="groups")
    op.drop_table("groups")
