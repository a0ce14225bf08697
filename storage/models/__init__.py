"""SQLAlchemy 2 typed models.

Every table that holds something about a person is keyed by the pseudonym and cascades from ``users``,
so ``/forget`` deletes one row and everything goes with it.  No column holds a platform id or free text
a person typed.

One module per kind of record; each is imported here (its registration), so the metadata knows every table.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from sqlalchemy import Column

from storage.models.base import (
    DAY,
    HOUR,
    HOUR_UP,
    MINUTE,
    NAMING,
    PSEUDONYM,
    SEALED,
    Base,
    CoarseDateTime,
    UTCDateTime,
    coarsen,
    owner_column,
)
from storage.models.booking import AvailabilityRow, Booking, DayOff, StaffInvite, StaffMember
from storage.models.broadcasts import Broadcast
from storage.models.directory import DirectoryVersion, ListingReport, ServicePointRow
from storage.models.groups import Group, GroupAttendance, GroupException, GroupMember, GroupRsvp
from storage.models.handles import ContactHandle
from storage.models.outbox import OutboxMessage
from storage.models.people import Consent, ConversationStateRow, User
from storage.models.selfcheck import SavedResult
from storage.models.tallies import Tally
from storage.models.updates import MarkedMessage, PendingReply, ProcessedUpdate


def _import_every_model_module() -> None:
    """A capability's tables live in their own module here: importing every module puts each in the metadata
    (the imports above only name what other code uses)."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")


_import_every_model_module()


def sealed_columns() -> list[tuple[Column[Any], Column[Any]]]:
    """Every sealed column, with its table's (single-column) primary key."""
    found: list[tuple[Column[Any], Column[Any]]] = []
    for table in Base.metadata.sorted_tables:
        (key,) = table.primary_key.columns
        found.extend((column, key) for column in table.columns if column.info.get("sealed"))
    return found


def personal_tables() -> list[str]:
    """Tables with a pseudonym column, children first (``users`` last)."""
    return [t.name for t in reversed(Base.metadata.sorted_tables) if "pseudonym" in t.c]


def purpose_tables(purpose: str) -> list[str]:
    """Tables whose rows exist only under consent to ``purpose``: withdrawing it deletes them."""
    return [t.name for t in Base.metadata.sorted_tables if t.info.get("purpose") == purpose]


def per_purpose_tables() -> list[str]:
    """Tables whose rows each name the purpose they are kept for: withdrawing deletes the matching rows."""
    return [t.name for t in Base.metadata.sorted_tables if t.info.get("purpose_column")]


__all__ = [
    "DAY",
    "HOUR",
    "HOUR_UP",
    "MINUTE",
    "NAMING",
    "PSEUDONYM",
    "SEALED",
    "AvailabilityRow",
    "Base",
    "Booking",
    "Broadcast",
    "CoarseDateTime",
    "Consent",
    "ContactHandle",
    "ConversationStateRow",
    "DayOff",
    "DirectoryVersion",
    "Group",
    "GroupAttendance",
    "GroupException",
    "GroupMember",
    "GroupRsvp",
    "ListingReport",
    "MarkedMessage",
    "OutboxMessage",
    "PendingReply",
    "ProcessedUpdate",
    "SavedResult",
    "ServicePointRow",
    "StaffInvite",
    "StaffMember",
    "Tally",
    "UTCDateTime",
    "User",
    "coarsen",
    "owner_column",
    "per_purpose_tables",
    "personal_tables",
    "purpose_tables",
    "sealed_columns",
]
