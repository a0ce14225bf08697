"""SQLAlchemy 2 typed models.

Every table that holds something about a person is keyed by the pseudonym and cascades from ``users``,
so ``/forget`` deletes one row and everything goes with it.  No column holds a platform id or free text
a person typed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    Dialect,
    Float,
    ForeignKey,
    Index,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    types,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

PSEUDONYM = String(64)
SEALED = {"sealed": True}  # on a column: its values are sealed (storage.sealing); `keys rotate` finds them by it


class UTCDateTime(types.TypeDecorator[datetime]):
    """Timezone-aware datetimes stored as UTC on every engine (SQLite keeps no zone of its own)."""

    impl = types.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass timezone-aware times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class CoarseDateTime(UTCDateTime):
    """A time kept no finer than its purpose needs (docs/privacy.md): floored to the hour or the day, or for an
    expiry rounded up to the hour.  Times of a person's actions kept to the second could be matched against
    the platform's own record of when each account wrote; at this resolution many people share each value."""

    cache_ok = True

    def __init__(self, unit: str, *, up: bool = False) -> None:
        super().__init__()
        if unit not in ("minute", "hour", "day"):
            raise ValueError(unit)
        self.unit = unit
        self.up = up

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass timezone-aware times")
        return super().process_bind_param(coarsen(value, self.unit, up=self.up), dialect)

    def coerce_compared_value(self, op: object, value: object) -> types.TypeEngine[Any]:
        """A time compared with this column (``expires_at <= now``) is bound as it is, not coarsened."""
        return UTCDateTime()


def coarsen(value: datetime, unit: str, *, up: bool = False) -> datetime:
    """``value`` (aware) in UTC, floored to the minute, hour or day; ``up``: rounded up instead."""
    value = value.astimezone(UTC)
    floored = value.replace(second=0, microsecond=0)
    step = timedelta(minutes=1)
    if unit in ("hour", "day"):
        floored, step = floored.replace(minute=0), timedelta(hours=1)
    if unit == "day":
        floored, step = floored.replace(hour=0), timedelta(days=1)
    return floored + step if up and floored != value else floored


MINUTE = CoarseDateTime("minute")
HOUR = CoarseDateTime("hour")
DAY = CoarseDateTime("day")
HOUR_UP = CoarseDateTime("hour", up=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def owner_column() -> Mapped[str]:
    return mapped_column(PSEUDONYM, ForeignKey("users.pseudonym", ondelete="CASCADE"), index=True)


class User(Base):
    __tablename__ = "users"

    pseudonym: Mapped[str] = mapped_column(PSEUDONYM, primary_key=True)
    age_group: Mapped[str | None] = mapped_column(String(8))
    stopped: Mapped[bool] = mapped_column(default=False)
    first_seen: Mapped[date]
    last_seen: Mapped[date] = mapped_column(index=True)


class ConversationStateRow(Base):
    __tablename__ = "conversation_states"

    pseudonym: Mapped[str] = mapped_column(
        PSEUDONYM, ForeignKey("users.pseudonym", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[str] = mapped_column(Text, info=SEALED)
    expires_at: Mapped[datetime] = mapped_column(HOUR_UP, index=True)


class ProcessedUpdate(Base):
    """Deliveries already handled (channel, and a keyed hash of the update or message id, never the id), written
    in the transaction of their effects, so a webhook delivered twice changes state once.  No person is named;
    kept to the hour; purged after two days."""

    __tablename__ = "processed_updates"
    __table_args__ = (UniqueConstraint("channel", "key", name="uq_processed_updates_channel_key"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(80))
    seen_at: Mapped[datetime] = mapped_column(HOUR, index=True)


class Consent(Base):
    """The consent ledger: one row per grant, closed by its withdrawal."""

    __tablename__ = "consents"
    __table_args__ = (Index("ix_consents_owner_purpose", "pseudonym", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    pseudonym: Mapped[str] = mapped_column(PSEUDONYM, ForeignKey("users.pseudonym", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(40))
    text_version: Mapped[str] = mapped_column(String(20))
    granted_at: Mapped[datetime] = mapped_column(DAY)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DAY)


class Tally(Base):
    """Anonymous counters for programme figures: no pseudonym, nothing finer than the week."""

    __tablename__ = "tallies"
    __table_args__ = (
        UniqueConstraint("week", "kind", "instrument", "subject", "level", "province", name="uq_tallies_cell"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    week: Mapped[date]  # the Monday of the week, local time
    kind: Mapped[str] = mapped_column(String(40))
    instrument: Mapped[str] = mapped_column(String(40), default="")
    subject: Mapped[str] = mapped_column(String(40), default="")  # substance or service kind
    level: Mapped[str] = mapped_column(String(20), default="")  # risk level
    province: Mapped[str] = mapped_column(String(40), default="")
    count: Mapped[int] = mapped_column(default=0)


class SavedResult(Base):
    """A self-check result a person chose to keep, to compare next time (consent "selfcheck_results").

    Only the owner and the instrument are in clear; the result itself (date, scores, levels) is sealed.
    """

    __tablename__ = "saved_results"
    __table_args__ = ({"info": {"purpose": "selfcheck_results"}},)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    pseudonym: Mapped[str] = owner_column()
    instrument: Mapped[str] = mapped_column(String(40))
    sealed: Mapped[str] = mapped_column(Text, info=SEALED)


class ServicePointRow(Base):
    """A listed service point (public information, not about any person)."""

    __tablename__ = "service_points"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kinds: Mapped[str] = mapped_column(String(400))  # kind ids separated by ";"
    address: Mapped[str] = mapped_column(String(300), default="")
    province: Mapped[str] = mapped_column(String(40), index=True)
    commune: Mapped[str] = mapped_column(String(100), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    phone: Mapped[str] = mapped_column(String(24), default="")
    hours: Mapped[str] = mapped_column(String(500), default="")  # canonical opening_hours text
    notes: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(200), default="")
    verified_on: Mapped[date | None]
    sample: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ListingReport(Base):
    """ "This listing is wrong", reported anonymously: the point, the reason and the day, nothing else."""

    __tablename__ = "listing_reports"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    reported_on: Mapped[date]


class DirectoryVersion(Base):
    """One row whose number goes up with every change to the directory, so workers know to reload it."""

    __tablename__ = "directory_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)


class StaffMember(Base):
    """A counsellor or peer leader: not anonymous in their role, but still known by their pseudonym."""

    __tablename__ = "staff_members"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    pseudonym: Mapped[str] = mapped_column(PSEUDONYM, ForeignKey("users.pseudonym", ondelete="CASCADE"), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    point_id: Mapped[int | None] = mapped_column(ForeignKey("service_points.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DAY)


class StaffInvite(Base):
    """A one-time invitation: only a hash of its code is kept."""

    __tablename__ = "staff_invites"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    point_id: Mapped[int | None] = mapped_column(ForeignKey("service_points.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DAY)
    expires_at: Mapped[datetime] = mapped_column(HOUR_UP)
    redeemed_at: Mapped[datetime | None] = mapped_column(DAY)


class AvailabilityRow(Base):
    __tablename__ = "availability"

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_members.id", ondelete="CASCADE"), primary_key=True)
    pattern: Mapped[str] = mapped_column(String(500))  # opening-hours syntax
    slot_minutes: Mapped[int]
    buffer_minutes: Mapped[int]
    notice_minutes: Mapped[int]
    horizon_days: Mapped[int]
    modes: Mapped[str] = mapped_column(String(60))  # separated by ";"


class DayOff(Base):
    __tablename__ = "days_off"
    __table_args__ = (UniqueConstraint("staff_id", "day", name="uq_days_off_staff_day"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_members.id", ondelete="CASCADE"), index=True)
    day: Mapped[date]


class Booking(Base):
    """An appointment.  The database, not the code, guarantees one booking per counsellor and start time."""

    __tablename__ = "bookings"
    __table_args__ = (UniqueConstraint("counsellor_id", "starts_at", name="uq_bookings_counsellor_slot"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    counsellor_id: Mapped[int] = mapped_column(ForeignKey("staff_members.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    minutes: Mapped[int]
    mode: Mapped[str] = mapped_column(String(12))
    pseudonym: Mapped[str] = owner_column()
    for_family: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(12), default="booked")  # booked | attended | missed
    created_at: Mapped[datetime] = mapped_column(DAY)


class Group(Base):
    """A self-help group: a relapse-prevention group, a family support group, another."""

    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # to join by typing it
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(30))
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id", ondelete="SET NULL"), index=True)
    point_id: Mapped[int | None] = mapped_column(ForeignKey("service_points.id", ondelete="SET NULL"))
    place: Mapped[str] = mapped_column(String(300), default="")  # an address, or an online link
    schedule: Mapped[str] = mapped_column(Text)  # JSON: repeat, at, weekdays, starts_on, ordinal, minutes, ends_on
    reminder_minutes: Mapped[str] = mapped_column(String(60), default="1440;60")
    created_at: Mapped[datetime] = mapped_column(DAY)


class GroupException(Base):
    """One meeting of a group called off or moved, named by the day it was meant to be."""

    __tablename__ = "group_exceptions"
    __table_args__ = (UniqueConstraint("group_id", "original_day", name="uq_group_exceptions_group_day"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    original_day: Mapped[date]
    moved_to: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: cancelled


class GroupMember(Base):
    """Membership: the member stays anonymous to the leader (who sees counts only)."""

    __tablename__ = "group_members"
    __table_args__ = (UniqueConstraint("group_id", "pseudonym", name="uq_group_members_group_person"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    pseudonym: Mapped[str] = owner_column()
    joined_at: Mapped[datetime] = mapped_column(DAY)
    # Where reminders go, kept under consent "group_reminders"; leaving deletes it, withdrawing empties this.
    handle_id: Mapped[int | None] = mapped_column(ForeignKey("contact_handles.id", ondelete="SET NULL"))


class GroupRsvp(Base):
    """ "I'll come" / "I can't come" for one meeting."""

    __tablename__ = "group_rsvps"
    __table_args__ = (UniqueConstraint("member_id", "original_day", name="uq_group_rsvps_member_day"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("group_members.id", ondelete="CASCADE"), index=True)
    original_day: Mapped[date]
    coming: Mapped[bool]


class GroupAttendance(Base):
    """How many came to one meeting, as the leader counted: a number, nothing about anyone."""

    __tablename__ = "group_attendance"
    __table_args__ = (UniqueConstraint("group_id", "original_day", name="uq_group_attendance_group_day"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    original_day: Mapped[date]
    count: Mapped[int]


class ContactHandle(Base):
    """Where to reach a person or staff member (a chat address or phone number), sealed, kept only under
    consent to ``purpose``; deleted on withdrawal, on /forget and after ``delete_after``."""

    __tablename__ = "contact_handles"
    __table_args__ = ({"info": {"purpose_column": True}},)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    pseudonym: Mapped[str] = owner_column()
    purpose: Mapped[str] = mapped_column(String(40))
    sealed: Mapped[str] = mapped_column(Text, info=SEALED)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    delete_after: Mapped[datetime | None] = mapped_column(MINUTE, index=True)  # from a booking's time
    # The person blocked the bot (Telegram answered 403): nothing more is sent until they come back.
    stopped_at: Mapped[datetime | None] = mapped_column(DAY)


class OutboxMessage(Base):
    """A message to send later (reminders, notifications, broadcasts), written in the same transaction as
    the change that caused it; delivered by the scheduler's dispatcher.  Gone with its contact handle."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_state_due", "state", "due_at"),
        Index("ix_outbox_state_lease", "state", "lease_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    handle_id: Mapped[int] = mapped_column(ForeignKey("contact_handles.id", ondelete="CASCADE"), index=True)
    due_at: Mapped[datetime] = mapped_column(MINUTE)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[str] = mapped_column(Text, default="{}", info=SEALED)  # JSON
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    # pending -> claimed (by one dispatcher run, until lease_until) -> sending -> one of: sent; stopped (the
    # person blocked the bot); failed (tries spent); late (too late to be right); unknown (the process died
    # or timed out after the request left: never sent again, counted instead).
    state: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None] = mapped_column(HOUR)
    priority: Mapped[int] = mapped_column(SmallInteger, default=1)  # 0 staff notices, 1 reminders, 2 broadcasts
    quiet: Mapped[bool] = mapped_column(default=False)  # held during quiet hours (bulk, not urgent)
    topic: Mapped[str | None] = mapped_column(String(40), index=True)  # a meeting or a broadcast
    claim: Mapped[str | None] = mapped_column(String(32))  # the dispatcher run holding it
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PendingReply(Base):
    """The replies to one event, sealed with the chat address, written in the event's own transaction and
    deleted once sent: if the process dies between the commit and the sending, the dispatcher sends them
    (after ``lease_until``).  No pseudonym; no time but the lease, which exists only while a row does."""

    __tablename__ = "pending_replies"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(20))
    sealed: Mapped[str] = mapped_column(Text, info=SEALED)  # {"address": ..., "replies": [...]}
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Broadcast(Base):
    """A leader's message to a group: the rows go to the outbox (topic ``b:<id>``); this keeps the totals
    and the final report (numbers only)."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(HOUR)
    urgent: Mapped[bool] = mapped_column(default=False)
    total: Mapped[int] = mapped_column(default=0)
    # The leader's notification address (consent "staff_notifications"), for progress and the report.
    notify_handle_id: Mapped[int | None] = mapped_column(ForeignKey("contact_handles.id", ondelete="SET NULL"))
    progress_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(HOUR)
    sent: Mapped[int] = mapped_column(default=0)
    stopped: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)


def sealed_columns() -> list[tuple[Column[Any], Column[Any]]]:
    """Every sealed column, with its table's (single-column) primary key."""
    found: list[tuple[Column[Any], Column[Any]]] = []
    for table in Base.metadata.sorted_tables:
        (key,) = table.primary_key.columns
        found.extend((column, key) for column in table.columns if column.info.get("sealed"))
    return found


def personal_tables() -> list[str]:
    """Tables with a pseudonym column, children first (``users`` last)."""
    return [t.name for t in reversed(Base.metadata.sorted_tables) if "pseudonym" in t.c]


def purpose_tables(purpose: str) -> list[str]:
    """Tables whose rows exist only under consent to ``purpose``: withdrawing it deletes them."""
    return [t.name for t in Base.metadata.sorted_tables if t.info.get("purpose") == purpose]


def per_purpose_tables() -> list[str]:
    """Tables whose rows each name the purpose they are kept for: withdrawing deletes the matching rows."""
    return [t.name for t in Base.metadata.sorted_tables if t.info.get("purpose_column")]
