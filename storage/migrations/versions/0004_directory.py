"""service-point directory, anonymous listing reports, directory version

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "service_points",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kinds", sa.String(length=400), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("province", sa.String(length=40), nullable=False),
        sa.Column("commune", sa.String(length=100), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("phone", sa.String(length=24), nullable=False),
        sa.Column("hours", sa.String(length=500), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("verified_on", sa.Date(), nullable=True),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_points")),
        sa.UniqueConstraint("external_id", name=op.f("uq_service_points_external_id")),
    )
    op.create_index(op.f("ix_service_points_province"), "service_points", ["province"])
    op.create_table(
        "listing_reports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["point_id"],
            ["service_points.id"],
            name=op.f("fk_listing_reports_point_id_service_points"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_reports")),
    )
    op.create_index(op.f("ix_listing_reports_point_id"), "listing_reports", ["point_id"])
    op.create_table(
        "directory_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_version")),
    )


def downgrade() -> None:
    op.drop_table("directory_version")
    op.drop_index(op.f("ix_listing_reports_point_id"), table_name="listing_reports")
    op.drop_table("listing_reports")
    op.drop_index(op.f("ix_service_points_province"), table_name="service_points")
    op.drop_table("service_points")
