"""programme indicators: meetings held and attendances as counts of their own

Before this revision a recorded attendance was one "group_attended" tally whose level held the number of
people.  It becomes one "meeting_held" event and "meeting_attendance" events as many as people came.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

tallies = sa.table(
    "tallies",
    sa.column("week", sa.Date()),
    sa.column("kind", sa.String()),
    sa.column("instrument", sa.String()),
    sa.column("subject", sa.String()),
    sa.column("level", sa.String()),
    sa.column("province", sa.String()),
    sa.column("count", sa.Integer()),
)


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(tallies).where(tallies.c.kind == "group_attended")).mappings().all()
    held: dict[tuple[object, str], int] = defaultdict(int)
    came: dict[tuple[object, str], int] = defaultdict(int)
    for row in rows:
        key = (row["week"], row["province"])
        held[key] += row["count"]
        came[key] += row["count"] * (int(row["level"]) if str(row["level"]).isdecimal() else 0)
    for (week, province), meetings in held.items():
        for kind, value in (("meeting_held", meetings), ("meeting_attendance", came[week, province])):
            bind.execute(
                tallies.insert().values(
                    week=week, kind=kind, instrument="", subject="", level="", province=province, count=value
                )
            )
    bind.execute(tallies.delete().where(tallies.c.kind == "group_attended"))


def downgrade() -> None:
    bind = op.get_bind()
    bind.execute(tallies.delete().where(tallies.c.kind.in_(["meeting_held", "meeting_attendance"])))
