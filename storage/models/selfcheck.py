"""The self-check's own table."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import SEALED, Base, owner_column


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
