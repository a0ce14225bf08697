"""self-check results a person chose to keep (sealed)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "saved_results",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("instrument", sa.String(length=40), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pseudonym"], ["users.pseudonym"], name=op.f("fk_saved_results_pseudonym_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_results")),
    )
    op.create_index(op.f("ix_saved_results_pseudonym"), "saved_results", ["pseudonym"])


def downgrade() -> None:
    op.drop_index(op.f("ix_saved_results_pseudonym"), table_name="saved_results")
    op.drop_table("saved_results")
