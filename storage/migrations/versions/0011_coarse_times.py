"""times no finer than their purpose; no platform update ids

A copy of the database must not be joinable with the platform's record of when each account wrote.  Times
of people's actions are kept to the day or the hour from now on (``storage.models.CoarseDateTime``); this
revision coarsens what is already there, and deletes the redelivery keys, which held Telegram's update ids
and Zalo's message ids in clear (from now on they are keyed hashes; they only live two days anyway), and the
unkeyed hashes of invitation codes (unused invitations must be issued again).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, unit, rounded up)
COARSE = (
    ("conversation_states", "expires_at", "hour", True),
    ("consents", "granted_at", "day", False),
    ("consents", "withdrawn_at", "day", False),
    ("staff_members", "created_at", "day", False),
    ("staff_invites", "created_at", "day", False),
    ("staff_invites", "expires_at", "hour", True),
    ("staff_invites", "redeemed_at", "day", False),
    ("bookings", "created_at", "day", False),
    ("groups", "created_at", "day", False),
    ("group_members", "joined_at", "day", False),
    ("contact_handles", "stopped_at", "day", False),
    ("contact_handles", "delete_after", "minute", False),
    ("outbox", "due_at", "minute", False),
    ("outbox", "sent_at", "hour", False),
    ("broadcasts", "created_at", "hour", False),
    ("broadcasts", "finished_at", "hour", False),
)
SQLITE_FORMAT = {
    "minute": "%Y-%m-%d %H:%M:00.000000",
    "hour": "%Y-%m-%d %H:00:00.000000",
    "day": "%Y-%m-%d 00:00:00.000000",
}
SQLITE_UP = {"minute": "+59.999999 seconds", "hour": "+3599.999999 seconds", "day": "+86399.999999 seconds"}
POSTGRES_UP = {"minute": "59.999999 seconds", "hour": "3599.999999 seconds", "day": "86399.999999 seconds"}


def _coarsened(dialect: str, column: str, unit: str, up: bool) -> str:
    if dialect == "sqlite":  # SQLAlchemy keeps SQLite times as "YYYY-MM-DD HH:MM:SS.ffffff" text
        shifted = f"strftime('%Y-%m-%d %H:%M:%f', {column}, '{SQLITE_UP[unit]}')" if up else column
        return f"strftime('{SQLITE_FORMAT[unit]}', {shifted})"
    shifted = f"({column} + interval '{POSTGRES_UP[unit]}')" if up else column
    # UTC hours and days, whatever the session's time zone
    return f"date_trunc('{unit}', {shifted} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table, column, unit, up in COARSE:
        coarse = _coarsened(dialect, column, unit, up)
        op.execute(f"UPDATE {table} SET {column} = {coarse} WHERE {column} IS NOT NULL")  # noqa: S608 - names above
    op.execute("DELETE FROM processed_updates")
    # Invitation codes were kept as unsalted SHA-256, which a stolen copy could reverse by trying every code;
    # they are keyed hashes now.  Unused invitations (valid 7 days) must be issued again; the hashes of used
    # ones are no longer needed.
    op.execute("DELETE FROM staff_invites WHERE redeemed_at IS NULL")
    op.execute("UPDATE staff_invites SET code_hash = 'used:' || id")


def downgrade() -> None:
    """Nothing to restore: the finer times and the clear ids are gone for good, as intended."""
