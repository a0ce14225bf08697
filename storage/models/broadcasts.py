"""A leader's broadcasts to a group."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import HOUR, Base, UTCDateTime


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
