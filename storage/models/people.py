"""A person: their record, the conversation's state, consents, saved self-check results."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import DAY, HOUR_UP, PSEUDONYM, SEALED, Base


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
