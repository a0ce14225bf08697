"""The channels' bookkeeping: handled updates and replies kept until sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import HOUR, SEALED, Base, UTCDateTime


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


class PendingReply(Base):
    """The replies to one event, sealed with the chat address, written in the event's own transaction and
    deleted once sent: if the process dies between the commit and the sending, the dispatcher sends them
    (after ``lease_until``).  No pseudonym; no time but the lease, which exists only while a row does."""

    __tablename__ = "pending_replies"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(20))
    sealed: Mapped[str] = mapped_column(Text, info=SEALED)  # {"address": ..., "replies": [...]}
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class MarkedMessage(Base):
    """A message in a chat remembered under a mark (a live talk's copy in a counsellor's chat: ``talk.12.3``) by
    its number in that chat only, to delete it from the chat later: no address, no pseudonym, no text.  Deleted
    when the chat's messages are deleted, or after two days (Telegram deletes nothing older than 48 hours)."""

    __tablename__ = "marked_messages"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    mark: Mapped[str] = mapped_column(String(40), index=True)
    message_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(HOUR, index=True)
