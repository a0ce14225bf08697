"""What the core needs from storage, as protocols.

``storage/`` implements them with SQLAlchemy; handlers see only these, so they import no database code.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self

from core.state import ConversationState

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from domain.directory import ServicePoint
    from domain.indicators import Tally
    from domain.recurrence import Schedule
    from domain.slots import Availability


class AgeGroup(enum.StrEnum):
    ADULT = "adult"  # 16 or older
    CHILD = "child"  # under 16


@dataclass(frozen=True, slots=True)
class UserRecord:
    pseudonym: str
    age_group: AgeGroup | None
    stopped: bool
    first_seen: date
    last_seen: date

    @property
    def onboarded(self) -> bool:
        return self.age_group is not None


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    purpose: str
    text_version: str
    granted_at: datetime
    withdrawn_at: datetime | None

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


@dataclass(frozen=True, slots=True)
class StoredData:
    """Everything stored about one pseudonym, as /privacy shows it."""

    user: UserRecord | None
    state: ConversationState | None
    state_expires_at: datetime | None
    consents: list[ConsentRecord] = field(default_factory=list)
    # Other stored records per table, counted (later capabilities add tables).
    other_rows: dict[str, int] = field(default_factory=dict)


class UserRepository(Protocol):
    async def get(self, pseudonym: str) -> UserRecord | None: ...

    async def touch(self, pseudonym: str, today: date) -> UserRecord:
        """Create the user if new, note today's date as last seen, and return the record."""
        ...

    async def set_age_group(self, pseudonym: str, group: AgeGroup) -> None: ...

    async def set_stopped(self, pseudonym: str, stopped: bool) -> None: ...


class StateRepository(Protocol):
    async def load(self, pseudonym: str, now: datetime) -> ConversationState | None:
        """The state, or None if there is none or it has expired."""
        ...

    async def save(self, pseudonym: str, state: ConversationState, expires_at: datetime) -> None: ...

    async def clear(self, pseudonym: str) -> None: ...


@dataclass(frozen=True, slots=True)
class PendingReplies:
    id: int
    channel: str
    address: str
    replies_json: str


class ReplyLog(Protocol):
    """Replies kept with the event that caused them, until sent (``core.replies``)."""

    async def keep(self, channel: str, address: str, replies_json: str, lease_until: datetime) -> int: ...

    async def sent(self, reply_id: int) -> None: ...

    async def take_over(self, now: datetime, lease_until: datetime, limit: int) -> list[PendingReplies]:
        """Replies whose lease has run out (their process died before sending them), leased anew."""
        ...


class UpdateLog(Protocol):
    async def first_time(self, channel: str, key: str, now: datetime) -> bool:
        """Record a delivery; False if it was recorded before (a redelivery)."""
        ...

    async def purge(self, before: datetime) -> int: ...


class ConsentRepository(Protocol):
    async def grant(self, pseudonym: str, purpose: str, text_version: str, at: datetime) -> None: ...

    async def withdraw(self, pseudonym: str, purpose: str, at: datetime) -> bool:
        """Withdraw an active consent; False if there was none."""
        ...

    async def active(self, pseudonym: str) -> list[ConsentRecord]: ...

    async def history(self, pseudonym: str) -> list[ConsentRecord]: ...


class PrivacyRepository(Protocol):
    async def describe(self, pseudonym: str, now: datetime) -> StoredData: ...

    async def erase(self, pseudonym: str) -> int:
        """Delete every row that belongs to the pseudonym; returns how many rows went."""
        ...


class TallyRepository(Protocol):
    async def add(
        self,
        week: date,
        kind: str,
        *,
        instrument: str = "",
        subject: str = "",
        level: str = "",
        province: str = "",
        amount: int = 1,
    ) -> None:
        """Count anonymous events in their weekly cell (``amount`` of them; negative to correct a count)."""
        ...

    async def between(self, first: date, last: date) -> list[Tally]:
        """Every weekly counter of the weeks starting ``first`` to ``last`` (Mondays)."""
        ...


class SavedResultRepository(Protocol):
    """Results a person chose to keep (consent "selfcheck_results"), sealed at rest."""

    async def add(self, pseudonym: str, instrument: str, result: dict[str, Any], *, keep: int) -> None:
        """Store a result and keep only the newest ``keep`` of this instrument."""
        ...

    async def latest(self, pseudonym: str, instrument: str) -> dict[str, Any] | None:
        """The newest readable result, or None."""
        ...


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True, slots=True)
class ListingReports:
    """What people reported about one listing."""

    point: ServicePoint
    counts: dict[str, int]  # reason -> how many
    last_reported: date


class DirectoryRepository(Protocol):
    async def version(self) -> int:
        """A number that changes whenever the directory does (cheap: read before every search)."""
        ...

    async def all_points(self) -> list[ServicePoint]: ...

    async def get(self, point_id: int) -> ServicePoint | None: ...

    async def upsert(
        self, points: Sequence[ServicePoint], now: datetime, progress: Callable[[int], None] | None = None
    ) -> UpsertCounts:
        """Insert or update by external id, in the caller's transaction."""
        ...

    async def report(self, point_id: int, reason: str, day: date) -> bool:
        """Record an anonymous report; False if there is no such point."""
        ...

    async def reports(self) -> list[ListingReports]: ...


@dataclass(frozen=True, slots=True)
class StaffRecord:
    id: int
    pseudonym: str
    role: str  # "counsellor" | "leader" | "manager"
    point_id: int | None


@dataclass(frozen=True, slots=True)
class BookingRecord:
    id: int
    code: str
    counsellor_id: int
    starts_at: datetime
    minutes: int
    mode: str
    for_family: bool
    status: str


class StaffRepository(Protocol):
    async def create_invite(
        self, code: str, role: str, point_id: int | None, now: datetime, expires_at: datetime
    ) -> None:
        """Keep an invitation: only a keyed hash of ``code`` is stored."""
        ...

    async def redeem(self, code: str, pseudonym: str, now: datetime) -> StaffRecord | None:
        """Use an unexpired, unused invitation: the pseudonym takes its role; None if there is none."""
        ...

    async def of(self, pseudonym: str) -> StaffRecord | None: ...

    async def get(self, staff_id: int) -> StaffRecord | None: ...

    async def counsellors(self, point_id: int | None = None) -> list[StaffRecord]: ...

    async def members(self, role: str) -> list[StaffRecord]: ...

    async def set_availability(self, staff_id: int, availability: Availability) -> None: ...

    async def availability(self, staff_id: int) -> Availability | None: ...


class BookingRepository(Protocol):
    async def booked_starts(self, counsellor_id: int, since: datetime) -> list[datetime]: ...

    async def book(
        self,
        *,
        counsellor_id: int,
        starts_at: datetime,
        minutes: int,
        mode: str,
        pseudonym: str,
        for_family: bool,
        code: str,
        now: datetime,
    ) -> BookingRecord | None:
        """Book a slot; None when it is already taken (the database refuses the second booking)."""
        ...

    async def of_person(self, pseudonym: str, since: datetime) -> list[BookingRecord]: ...

    async def owned(self, booking_id: int, pseudonym: str) -> BookingRecord | None:
        """The booking, only if it belongs to ``pseudonym``."""
        ...

    async def cancel(self, booking_id: int, pseudonym: str) -> BookingRecord | None:
        """Delete the person's booking; None if it is not theirs or does not exist."""
        ...

    async def move(self, booking_id: int, pseudonym: str, starts_at: datetime) -> BookingRecord | None:
        """Move the person's booking to a free start; None if it is not theirs or the slot is taken."""
        ...

    async def of_counsellor(self, counsellor_id: int, since: datetime, until: datetime) -> list[BookingRecord]: ...

    async def mark(self, booking_id: int, counsellor_id: int, status: str) -> bool: ...

    async def purge(self, before: datetime) -> int: ...


@dataclass(frozen=True, slots=True)
class DueMessage:
    id: int
    channel: str
    address: str
    kind: str
    params: dict[str, Any]
    attempts: int
    due_at: datetime
    priority: int = 1
    topic: str | None = None
    pseudonym: str = ""  # whose handle it is (to offer the notice's choices where there are no buttons)


@dataclass(frozen=True, slots=True)
class BroadcastRecord:
    id: int
    group_id: int
    created_at: datetime
    urgent: bool
    total: int
    notify_handle_id: int | None
    progress_at: datetime | None
    finished_at: datetime | None
    sent: int
    stopped: int
    failed: int


class DeliveryRepository(Protocol):
    async def keep_handle(
        self,
        pseudonym: str,
        purpose: str,
        channel: str,
        address: str,
        *,
        booking_id: int | None = None,
        delete_after: datetime | None = None,
    ) -> int:
        """Keep where to reach someone, sealed, for ``purpose`` (the caller has the consent)."""
        ...

    async def handle_for(self, pseudonym: str, purpose: str, booking_id: int | None = None) -> int | None: ...

    async def set_delete_after(self, handle_id: int, when: datetime) -> None: ...

    async def booking_address(self, booking_id: int, purpose: str) -> str | None: ...

    async def enqueue(
        self,
        handle_id: int,
        due_at: datetime,
        kind: str,
        params: dict[str, Any],
        key: str,
        *,
        priority: int = 1,
        quiet: bool = False,
        topic: str | None = None,
    ) -> None:
        """Add a message to the outbox, once per ``key``."""
        ...

    async def enqueue_many(
        self,
        rows: Sequence[tuple[int, dict[str, Any], str]],
        due_at: datetime,
        kind: str,
        *,
        priority: int = 1,
        quiet: bool = False,
        topic: str | None = None,
    ) -> None: ...

    async def drop_pending(self, handle_id: int) -> None: ...

    async def handle_for_booking(self, booking_id: int, purpose: str) -> int | None: ...

    async def drop_keys(self, prefixes: Sequence[str]) -> int:
        """Forget unsent messages whose idempotency key starts with one of ``prefixes``."""
        ...

    async def detach(self, handle_id: int, delete_after: datetime) -> None:
        """Keep a booking's chat address past the booking, until ``delete_after``."""
        ...

    async def drop_topic(self, topic: str, *, prefix: bool = False) -> None: ...

    async def recover(self, now: datetime, *, every_claim: bool = False) -> int: ...

    async def claim(
        self, now: datetime, limit: int, run: str, lease_until: datetime, *, hold_quiet: bool
    ) -> list[DueMessage]: ...

    async def start_sending(self, message_id: int, run: str) -> bool: ...

    async def sent(self, message_id: int, now: datetime) -> None: ...

    async def retry(self, message_id: int, at: datetime, give_up_after: int) -> bool: ...

    async def finish(self, message_id: int, state: str) -> None: ...

    async def blocked(self, message_id: int, now: datetime) -> None: ...

    async def resume(self, pseudonym: str) -> None: ...

    async def counts(self, topic: str) -> dict[str, int]: ...

    async def create_broadcast(
        self, group_id: int, now: datetime, *, urgent: bool, notify_handle_id: int | None
    ) -> int: ...

    async def set_broadcast_total(self, broadcast_id: int, total: int) -> None: ...

    async def latest_broadcast(self, group_id: int) -> BroadcastRecord | None: ...

    async def open_broadcasts(self) -> list[BroadcastRecord]: ...

    async def broadcast_progress(self, broadcast_id: int, now: datetime) -> None: ...

    async def finish_broadcast(
        self, broadcast_id: int, now: datetime, *, sent: int, stopped: int, failed: int
    ) -> None: ...

    async def purge(self, now: datetime) -> int: ...


@dataclass(frozen=True, slots=True)
class GroupRecord:
    id: int
    code: str
    name: str
    kind: str  # relapse_prevention | family_support | other
    leader_id: int | None
    point_id: int | None
    place: str
    schedule: Schedule
    reminder_minutes: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Membership:
    id: int
    group_id: int
    pseudonym: str
    joined_at: datetime
    handle_id: int | None


class GroupRepository(Protocol):
    async def create(
        self,
        *,
        code: str,
        name: str,
        kind: str,
        leader_id: int | None,
        point_id: int | None,
        place: str,
        schedule: Schedule,
        reminder_minutes: tuple[int, ...],
        now: datetime,
    ) -> GroupRecord: ...

    async def get(self, group_id: int) -> GroupRecord | None: ...

    async def by_code(self, code: str) -> GroupRecord | None: ...

    async def all_groups(self) -> list[tuple[GroupRecord, datetime]]: ...

    async def change_meeting(self, group_id: int, original_day: date, moved_to: datetime | None) -> None: ...

    async def join(self, group_id: int, pseudonym: str, now: datetime) -> int: ...

    async def set_handle(self, member_id: int, handle_id: int | None) -> None: ...

    async def leave(self, group_id: int, pseudonym: str) -> bool: ...

    async def member_count(self, group_id: int) -> int: ...

    async def rsvp(self, member_id: int, original_day: date, coming: bool) -> None: ...

    async def rsvp_counts(self, group_id: int, original_day: date) -> tuple[int, int]: ...

    async def set_attendance(self, group_id: int, original_day: date, count: int) -> None: ...

    async def attendance(self, group_id: int, original_day: date) -> int | None: ...

    async def purge_replies(self, before: date) -> int: ...

    async def of_leader(self, leader_id: int) -> list[GroupRecord]: ...

    async def update(self, group_id: int, **fields: Any) -> None:
        """Change name, kind, point_id, place, schedule or reminder_minutes."""
        ...

    async def memberships(self, pseudonym: str) -> list[tuple[GroupRecord, int]]:
        """The person's groups, each with their membership id."""
        ...

    async def member(self, member_id: int) -> Membership | None: ...

    async def recipients(self, group_id: int) -> list[Membership]:
        """Members who get messages (they agreed, and their address is kept)."""
        ...


class StorageUnavailable(Exception):
    """The connection to the database was lost (a restart, a network cut), or the database stayed locked by
    another writer: nothing of the unit of work was kept, so the work can be tried again."""


class UnitOfWork(Protocol):
    """One transaction: repositories that commit or roll back together."""

    @property
    def users(self) -> UserRepository: ...

    @property
    def states(self) -> StateRepository: ...

    @property
    def consents(self) -> ConsentRepository: ...

    @property
    def privacy(self) -> PrivacyRepository: ...

    @property
    def tallies(self) -> TallyRepository: ...

    @property
    def saved_results(self) -> SavedResultRepository: ...

    @property
    def directory(self) -> DirectoryRepository: ...

    @property
    def staff(self) -> StaffRepository: ...

    @property
    def bookings(self) -> BookingRepository: ...

    @property
    def delivery(self) -> DeliveryRepository: ...

    @property
    def groups(self) -> GroupRepository: ...

    @property
    def updates(self) -> UpdateLog: ...

    @property
    def replies(self) -> ReplyLog: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...
