"""Self-help groups, their members, meeting changes, replies and attendance."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import DAY, HOUR, Base, UTCDateTime, owner_column


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
    revision: Mapped[int] = mapped_column(default=0, server_default="0")  # its calendar file's SEQUENCE
    slug: Mapped[str] = mapped_column(String(64), default="", server_default="")  # Meeting Guide key, kept
    updated_at: Mapped[datetime] = mapped_column(HOUR)  # its last change or a meeting's: a leader acts, to the hour


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
