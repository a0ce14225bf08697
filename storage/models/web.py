"""The web console's tables: sign-in links and sessions (keyed hashes of their tokens only, so a copy of the
database opens nothing) and the audit log of staff actions.  Staff, not clients: a staff member's rows go with
their staff record (and so with ``/forget``); times to the minute, except a link's, which lives ten minutes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import MINUTE, Base, UTCDateTime


class WebLink(Base):
    __tablename__ = "web_links"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_members.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebSessionRow(Base):
    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_members.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(MINUTE)
    last_seen: Mapped[datetime] = mapped_column(MINUTE, index=True)


class WebAuditRow(Base):
    """Which staff member (by number and role, kept after they leave: no foreign key) did what, and when."""

    __tablename__ = "web_audit"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(MINUTE, index=True)
    staff_id: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(120))
