"""Staff and counselling bookings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from domain.slots import Availability


@dataclass(frozen=True, slots=True)
class StaffRecord:
    id: int
    pseudonym: str
    role: str  # "counsellor" | "leader" | "manager" | "operator" | "revoked"
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
    revision: int = 0  # times moved: the calendar file's SEQUENCE
    calendar_taken: bool = False  # the person took a calendar file of it


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

    async def change(self, staff_id: int, role: str, point_id: int | None) -> StaffRecord | None:
        """Give a staff member another role or service point (the console's staff page)."""
        ...

    async def revoke(self, staff_id: int) -> StaffRecord | None:
        """End a staff member's role: it becomes "revoked" (no page, menu or duty opens for it), and their weekly
        hours go (no new bookings); the bookings already made stay, for the people who made them."""
        ...


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

    async def calendar_taken(self, booking_id: int, pseudonym: str) -> None:
        """Note that the owner took a calendar file of this booking."""
        ...

    async def cancel_by_counsellor(self, booking_id: int, counsellor_id: int) -> BookingRecord | None:
        """Cancel (delete) one of ``counsellor_id``'s bookings; None if it is not theirs or is gone."""
        ...

    async def mark(self, booking_id: int, counsellor_id: int, status: str) -> bool: ...

    async def purge(self, before: datetime) -> int: ...
