"""What the core needs from storage, as protocols, one module per kind of record.

``storage/`` implements them with SQLAlchemy; handlers see only these, so they import no database code.
"""

from core.ports.booking import BookingRecord, BookingRepository, StaffRecord, StaffRepository
from core.ports.broadcasts import BroadcastRecord, BroadcastRepository
from core.ports.directory import DirectoryRepository, ListingReports, PointSummary, UpsertCounts
from core.ports.groups import GroupRecord, GroupRepository, Membership
from core.ports.handles import HandleRepository
from core.ports.outbox import DueMessage, OutboxRepository
from core.ports.people import (
    AgeGroup,
    ConsentRecord,
    ConsentRepository,
    PrivacyRepository,
    StateRepository,
    StoredData,
    UserRecord,
    UserRepository,
)
from core.ports.tallies import TallyRepository
from core.ports.unit_of_work import RepositoryKey, StorageUnavailable, UnitOfWork
from core.ports.updates import Arrival, Arrivals, PendingReplies, ReplyLog, UpdateLog

__all__ = [
    "AgeGroup",
    "Arrival",
    "Arrivals",
    "BookingRecord",
    "BookingRepository",
    "BroadcastRecord",
    "BroadcastRepository",
    "ConsentRecord",
    "ConsentRepository",
    "DirectoryRepository",
    "DueMessage",
    "GroupRecord",
    "GroupRepository",
    "HandleRepository",
    "ListingReports",
    "Membership",
    "OutboxRepository",
    "PendingReplies",
    "PointSummary",
    "PrivacyRepository",
    "ReplyLog",
    "RepositoryKey",
    "StaffRecord",
    "StaffRepository",
    "StateRepository",
    "StorageUnavailable",
    "StoredData",
    "TallyRepository",
    "UnitOfWork",
    "UpdateLog",
    "UpsertCounts",
    "UserRecord",
    "UserRepository",
]
