"""Staff (invitations, roles, hours) and counselling bookings."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.codes import InviteCodes
from core.ports import (
    BookingRecord,
    StaffRecord,
)
from domain.hours import format_hours, parse_hours
from domain.slots import Availability
from storage.models import (
    AvailabilityRow,
    Booking,
    DayOff,
    StaffInvite,
    StaffMember,
)


def _staff(row: StaffMember) -> StaffRecord:
    return StaffRecord(row.id, row.pseudonym, row.role, row.point_id)


def _booking(row: Booking) -> BookingRecord:
    return BookingRecord(
        row.id,
        row.code,
        row.counsellor_id,
        row.starts_at,
        row.minutes,
        row.mode,
        row.for_family,
        row.status,
        row.revision,
        row.calendar_taken,
    )


class SqlStaffRepository:
    def __init__(self, session: AsyncSession, codes: InviteCodes | None) -> None:
        self._session = session
        self._codes = codes

    def _hash(self, code: str) -> str:
        if self._codes is None:  # a unit of work made without the deployment's invitation key
            raise RuntimeError("this unit of work has no invitation key")
        return self._codes.hash(code)

    async def create_invite(
        self, code: str, role: str, point_id: int | None, now: datetime, expires_at: datetime
    ) -> None:
        hashed = self._hash(code)
        self._session.add(
            StaffInvite(code_hash=hashed, role=role, point_id=point_id, created_at=now, expires_at=expires_at)
        )
        await self._session.flush()

    async def redeem(self, code: str, pseudonym: str, now: datetime) -> StaffRecord | None:
        claimed = await self._session.execute(
            update(StaffInvite)
            .where(
                StaffInvite.code_hash == self._hash(code),
                StaffInvite.redeemed_at.is_(None),
                StaffInvite.expires_at > now,
            )
            .values(redeemed_at=now)
            .returning(StaffInvite.role, StaffInvite.point_id)
        )
        row = claimed.first()
        if row is None:
            return None
        role, point_id = row
        existing = await self._session.scalar(select(StaffMember).where(StaffMember.pseudonym == pseudonym))
        if existing is None:
            existing = StaffMember(pseudonym=pseudonym, role=role, point_id=point_id, created_at=now)
            self._session.add(existing)
        else:
            existing.role, existing.point_id = role, point_id
        await self._session.flush()
        return _staff(existing)

    async def of(self, pseudonym: str) -> StaffRecord | None:
        row = await self._session.scalar(select(StaffMember).where(StaffMember.pseudonym == pseudonym))
        return _staff(row) if row else None

    async def get(self, staff_id: int) -> StaffRecord | None:
        row = await self._session.get(StaffMember, staff_id)
        return _staff(row) if row else None

    async def counsellors(self, point_id: int | None = None) -> list[StaffRecord]:
        query = select(StaffMember).where(StaffMember.role == "counsellor").order_by(StaffMember.id)
        if point_id is not None:
            query = query.where(StaffMember.point_id == point_id)
        return [_staff(row) for row in await self._session.scalars(query)]

    async def members(self, role: str) -> list[StaffRecord]:
        query = select(StaffMember).where(StaffMember.role == role).order_by(StaffMember.id)
        return [_staff(row) for row in await self._session.scalars(query)]

    async def set_availability(self, staff_id: int, availability: Availability) -> None:
        row = await self._session.get(AvailabilityRow, staff_id)
        values = {
            "pattern": format_hours(availability.pattern),
            "slot_minutes": availability.slot_minutes,
            "buffer_minutes": availability.buffer_minutes,
            "notice_minutes": int(availability.notice.total_seconds() // 60),
            "horizon_days": availability.horizon_days,
            "modes": ";".join(availability.modes),
        }
        if row is None:
            self._session.add(AvailabilityRow(staff_id=staff_id, **values))
        else:
            for key, value in values.items():
                setattr(row, key, value)
        await self._session.execute(delete(DayOff).where(DayOff.staff_id == staff_id))
        self._session.add_all(DayOff(staff_id=staff_id, day=day) for day in sorted(availability.days_off))
        await self._session.flush()

    async def availability(self, staff_id: int) -> Availability | None:
        row = await self._session.get(AvailabilityRow, staff_id)
        pattern = parse_hours(row.pattern) if row else None
        if row is None or pattern is None:
            return None
        days = await self._session.scalars(select(DayOff.day).where(DayOff.staff_id == staff_id))
        return Availability(
            pattern,
            slot_minutes=row.slot_minutes,
            buffer_minutes=row.buffer_minutes,
            notice=timedelta(minutes=row.notice_minutes),
            horizon_days=row.horizon_days,
            modes=tuple(m for m in row.modes.split(";") if m),
            days_off=frozenset(days),
        )

    async def change(self, staff_id: int, role: str, point_id: int | None) -> StaffRecord | None:
        row = await self._session.get(StaffMember, staff_id)
        if row is None:
            return None
        row.role, row.point_id = role, point_id
        await self._session.flush()
        return _staff(row)

    async def revoke(self, staff_id: int) -> StaffRecord | None:
        row = await self._session.get(StaffMember, staff_id)
        if row is None:
            return None
        row.role = "revoked"
        await self._session.execute(delete(AvailabilityRow).where(AvailabilityRow.staff_id == staff_id))
        await self._session.flush()
        return _staff(row)


class SqlBookingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def purge(self, before: datetime) -> int:
        """Forget appointments that began before ``before`` (their weekly counts stay, anonymous)."""
        result = await self._session.execute(delete(Booking).where(Booking.starts_at < before))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def booked_starts(self, counsellor_id: int, since: datetime) -> list[datetime]:
        rows = await self._session.scalars(
            select(Booking.starts_at).where(Booking.counsellor_id == counsellor_id, Booking.starts_at >= since)
        )
        return list(rows)

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
        row = Booking(
            code=code,
            counsellor_id=counsellor_id,
            starts_at=starts_at,
            minutes=minutes,
            mode=mode,
            pseudonym=pseudonym,
            for_family=for_family,
            status="booked",
            created_at=now,
        )
        try:
            async with self._session.begin_nested():
                self._session.add(row)
        except IntegrityError:
            return None
        return _booking(row)

    async def of_person(self, pseudonym: str, since: datetime) -> list[BookingRecord]:
        rows = await self._session.scalars(
            select(Booking)
            .where(Booking.pseudonym == pseudonym, Booking.starts_at >= since)
            .order_by(Booking.starts_at)
        )
        return [_booking(row) for row in rows]

    async def _owned_row(self, booking_id: int, pseudonym: str) -> Booking | None:
        return await self._session.scalar(
            select(Booking).where(Booking.id == booking_id, Booking.pseudonym == pseudonym)
        )

    async def owned(self, booking_id: int, pseudonym: str) -> BookingRecord | None:
        row = await self._owned_row(booking_id, pseudonym)
        return _booking(row) if row else None

    async def _delete(self, row: Booking | None) -> BookingRecord | None:
        if row is None:
            return None
        record = _booking(row)
        await self._session.delete(row)
        await self._session.flush()
        return record

    async def cancel(self, booking_id: int, pseudonym: str) -> BookingRecord | None:
        return await self._delete(await self._owned_row(booking_id, pseudonym))

    async def move(self, booking_id: int, pseudonym: str, starts_at: datetime) -> BookingRecord | None:
        row = await self._owned_row(booking_id, pseudonym)
        if row is None:
            return None
        try:
            async with self._session.begin_nested():
                row.starts_at = starts_at
                row.revision += 1
        except IntegrityError:
            await self._session.refresh(row)
            return None
        return _booking(row)

    async def of_counsellor(self, counsellor_id: int, since: datetime, until: datetime) -> list[BookingRecord]:
        rows = await self._session.scalars(
            select(Booking)
            .where(Booking.counsellor_id == counsellor_id, Booking.starts_at >= since, Booking.starts_at < until)
            .order_by(Booking.starts_at)
        )
        return [_booking(row) for row in rows]

    async def calendar_taken(self, booking_id: int, pseudonym: str) -> None:
        await self._session.execute(
            update(Booking).where(Booking.id == booking_id, Booking.pseudonym == pseudonym).values(calendar_taken=True)
        )

    async def cancel_by_counsellor(self, booking_id: int, counsellor_id: int) -> BookingRecord | None:
        mine = select(Booking).where(Booking.id == booking_id, Booking.counsellor_id == counsellor_id)
        return await self._delete(await self._session.scalar(mine))

    async def mark(self, booking_id: int, counsellor_id: int, status: str) -> bool:
        if status not in ("attended", "missed", "booked"):
            raise ValueError(status)
        result = await self._session.execute(
            update(Booking)
            .where(Booking.id == booking_id, Booking.counsellor_id == counsellor_id)
            .values(status=status)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
