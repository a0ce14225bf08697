"""calendar files and change times: a booking's SEQUENCE (moves so far) and whether the person took a calendar
file; a group's revision (its calendar file's SEQUENCE), when it last changed (the Meeting Guide's "updated") and
its feed slug, made once from its name

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from domain.meeting_guide import slug  # the slug as the repository makes it for a new group

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("bookings") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("calendar_taken", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("groups") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("slug", sa.String(length=64), nullable=False, server_default=""))
    op.execute("UPDATE groups SET updated_at = created_at")
    groups = sa.table("groups", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("slug", sa.String))
    connection = op.get_bind()
    for group_id, name in connection.execute(sa.select(groups.c.id, groups.c.name)).all():
        connection.execute(groups.update().where(groups.c.id == group_id).values(slug=slug(name, group_id)))
    with op.batch_alter_table("groups") as batch:
        batch.alter_column("updated_at", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("groups") as batch:
        batch.drop_column("slug")
        batch.drop_column("updated_at")
        batch.drop_column("revision")
    with op.batch_alter_table("bookings") as batch:
        batch.drop_column("calendar_taken")
        batch.drop_column("revision")
