"""Anonymous weekly counts."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


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
