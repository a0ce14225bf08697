"""The outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import HOUR, MINUTE, SEALED, Base, UTCDateTime


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
