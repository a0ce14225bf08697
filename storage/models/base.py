"""The declarative base and the column types every model shares: times kept no finer than their purpose needs,
sealed columns, the pseudonym."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Dialect,
    ForeignKey,
    MetaData,
    String,
    types,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


PSEUDONYM = String(64)


SEALED = {"sealed": True}  # on a column: its values are sealed (storage.sealing); `keys rotate` finds them by it


class UTCDateTime(types.TypeDecorator[datetime]):
    """Timezone-aware datetimes stored as UTC on every engine (SQLite keeps no zone of its own)."""

    impl = types.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass timezone-aware times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class CoarseDateTime(UTCDateTime):
    """A time kept no finer than its purpose needs (docs/privacy.md): floored to the hour or the day, or for an
    expiry rounded up to the hour.  Times of a person's actions kept to the second could be matched against
    the platform's own record of when each account wrote; at this resolution many people share each value."""

    cache_ok = True

    def __init__(self, unit: str, *, up: bool = False) -> None:
        super().__init__()
        if unit not in ("minute", "hour", "day"):
            raise ValueError(unit)
        self.unit = unit
        self.up = up

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass timezone-aware times")
        return super().process_bind_param(coarsen(value, self.unit, up=self.up), dialect)

    def coerce_compared_value(self, op: object, value: object) -> types.TypeEngine[Any]:
        """A time compared with this column (``expires_at <= now``) is bound as it is, not coarsened."""
        return UTCDateTime()


def coarsen(value: datetime, unit: str, *, up: bool = False) -> datetime:
    """``value`` (aware) in UTC, floored to the minute, hour or day; ``up``: rounded up instead."""
    value = value.astimezone(UTC)
    floored = value.replace(second=0, microsecond=0)
    step = timedelta(minutes=1)
    if unit in ("hour", "day"):
        floored, step = floored.replace(minute=0), timedelta(hours=1)
    if unit == "day":
        floored, step = floored.replace(hour=0), timedelta(days=1)
    return floored + step if up and floored != value else floored


MINUTE = CoarseDateTime("minute")


HOUR = CoarseDateTime("hour")


DAY = CoarseDateTime("day")


HOUR_UP = CoarseDateTime("hour", up=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def owner_column() -> Mapped[str]:
    return mapped_column(PSEUDONYM, ForeignKey("users.pseudonym", ondelete="CASCADE"), index=True)
