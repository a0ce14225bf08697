"""Staff, their hours and days off, and counselling bookings."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    ForeignKey,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import DAY, HOUR_UP, PSEUDONYM, Base, UTCDateTime, owner_column


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
    # iCalendar: how many times it was moved (the file's SEQUENCE), and whether the person took a calendar file
    # (so a move or a cancellation sends them the file that updates or removes it).
    revision: Mapped[int] = mapped_column(default=0, server_default="0")
    calendar_taken: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DAY)
