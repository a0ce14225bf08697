"""staff, invitations, availability, days off, bookings

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_members",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["point_id"],
            ["service_points.id"],
            name=op.f("fk_staff_members_point_id_service_points"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["pseudonym"], ["users.pseudonym"], name=op.f("fk_staff_members_pseudonym_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_members")),
        sa.UniqueConstraint("pseudonym", name=op.f("uq_staff_members_pseudonym")),
    )
    op.create_table(
        "staff_invites",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["point_id"],
            ["service_points.id"],
            name=op.f("fk_staff_invites_point_id_service_points"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_invites")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_staff_invites_code_hash")),
    )
    op.create_table(
        "availability",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("pattern", sa.String(length=500), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("buffer_minutes", sa.Integer(), nullable=False),
        sa.Column("notice_minutes", sa.Integer(), nullable=False),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("modes", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_members.id"], name=op.f("fk_availability_staff_id_staff_members"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("staff_id", name=op.f("pk_availability")),
    )
    op.create_table(
        "days_off",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_members.id"], name=op.f("fk_days_off_staff_id_staff_members"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_days_off")),
        sa.UniqueConstraint("staff_id", "day", name="uq_days_off_staff_day"),
    )
    op.create_index(op.f("ix_days_off_staff_id"), "days_off", ["staff_id"])
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("counsellor_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=12), nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("for_family", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["counsellor_id"],
            ["staff_members.id"],
            name=op.f("fk_bookings_counsellor_id_staff_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pseudonym"], ["users.pseudonym"], name=op.f("fk_bookings_pseudonym_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
        sa.UniqueConstraint("code", name=op.f("uq_bookings_code")),
        sa.UniqueConstraint("counsellor_id", "starts_at", name="uq_bookings_counsellor_slot"),
    )
    op.create_index(op.f("ix_bookings_counsellor_id"), "bookings", ["counsellor_id"])
    op.create_index(op.f("ix_bookings_pseudonym"), "bookings", ["pseudonym"])


def downgrade() -> None:
    op.drop_index(op.f("ix_bookings_pseudonym"), table_name="bookings")
    op.drop_index(op.f("ix_bookings_counsellor_id"), table_name="bookings")
    op.drop_table("bookings")
    op.drop_index(op.f("ix_days_off_staff_id"), table_name="days_off")
    op.drop_table("days_off")
    op.drop_table("availability")
    op.drop_table("staff_invites")
    op.drop_table("staff_members")
