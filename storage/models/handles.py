"""Contact handles: addresses kept, sealed, under a consent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import DAY, MINUTE, SEALED, Base, owner_column


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
