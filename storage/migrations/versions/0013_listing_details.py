"""listing details from Open Referral HSDS: status, description, url, email, eligibility, ages, fee, languages,
accessibility

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _columns() -> tuple[sa.Column[object], ...]:
    return (
        sa.Column("status", sa.String(length=20), nullable=False, server_default="active"),
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
        sa.Column("url", sa.String(length=300), nullable=False, server_default=""),
        sa.Column("email", sa.String(length=200), nullable=False, server_default=""),
        sa.Column("eligibility", sa.String(length=300), nullable=False, server_default=""),
        sa.Column("min_age", sa.Integer(), nullable=True),
        sa.Column("max_age", sa.Integer(), nullable=True),
        sa.Column("fee", sa.String(length=10), nullable=False, server_default="unknown"),
        sa.Column("languages", sa.String(length=100), nullable=False, server_default=""),
        sa.Column("accessibility", sa.String(length=300), nullable=False, server_default=""),
    )


def upgrade() -> None:
    with op.batch_alter_table("service_points") as batch:
        for column in _columns():
            batch.add_column(column)


def downgrade() -> None:
    with op.batch_alter_table("service_points") as batch:
        for column in reversed(_columns()):
            batch.drop_column(column.name)
