"""Bookings in the database, on SQLite and PostgreSQL: no double booking under a race, ownership is
enforced by the queries, invitations work once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from core.codes import InviteCodes
from domain.hours import parse_hours
from domain.slots import Availability
from storage import migrate
from storage.db import create_engine, is_sqlite, session_factory
from storage.repositories import SqlUnitOfWork
from storage.sealing import Sealer

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
SLOT = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # Tuesday 08:00 in Viet Nam
COUNSELLOR = "c" * 64
SEALER = Sealer(b"booking-test-secret-0123456789")
CODES = InviteCodes(b"booking-test-secret-0123456789")


def unit_of_work(engine: AsyncEngine, writer: asyncio.Lock | None = None) -> SqlUnitOfWork:
    return SqlUnitOfWork(session_factory(engine), SEALER, writer, CODES)


async def counsellor(engine: AsyncEngine) -> int:
    async with unit_of_work(engine) as uow:
        await uow.users.touch(COUNSELLOR, NOW.date())
        await uow.staff.create_invite("INVITE", "counsellor", None, NOW, NOW + timedelta(days=7))
        staff = await uow.staff.redeem(("INVITE"), COUNSELLOR, NOW)
        assert staff is not None
        await uow.commit()
    return staff.id


async def race(staff_id: int, people: list[str], engines: list[AsyncEngine], writer: asyncio.Lock | None = None) -> int:
    """Everyone books the same slot at once, through the engines in turn; how many got it."""

    async def attempt(n: int, person: str) -> bool:
        async with unit_of_work(engines[n % len(engines)], writer) as uow:
            booked = await uow.bookings.book(
                counsellor_id=staff_id,
                starts_at=SLOT,
                minutes=45,
                mode="in_person",
                pseudonym=person,
                for_family=False,
                code=f"RACE{n:04d}",
                now=NOW,
            )
            await uow.commit()
            return booked is not None

    results = await asyncio.gather(*(attempt(n, p) for n, p in enumerate(people)))
    return results.count(True)


async def test_fifty_people_race_for_one_slot_and_exactly_one_wins(engine: AsyncEngine) -> None:
    staff_id = await counsellor(engine)
    people = [f"{n:064d}" for n in range(50)]
    async with unit_of_work(engine) as uow:
        for person in people:
            await uow.users.touch(person, NOW.date())
        await uow.commit()
    # The embedded engine serialises this process's writers through one lock, as the runtime does.
    writer = asyncio.Lock() if is_sqlite(engine) else None
    assert await race(staff_id, people, [engine], writer) == 1
    async with unit_of_work(engine) as uow:
        assert await uow.bookings.booked_starts(staff_id, NOW) == [SLOT]


async def test_only_the_owner_can_see_cancel_or_move_a_booking(engine: AsyncEngine) -> None:
    staff_id = await counsellor(engine)
    alice, mallory = "a" * 64, "m" * 64
    async with unit_of_work(engine) as uow:
        for person in (alice, mallory):
            await uow.users.touch(person, NOW.date())
        booking = await uow.bookings.book(
            counsellor_id=staff_id,
            starts_at=SLOT,
            minutes=45,
            mode="phone",
            pseudonym=alice,
            for_family=True,
            code="ALICE123",
            now=NOW,
        )
        other = await uow.bookings.book(
            counsellor_id=staff_id,
            starts_at=SLOT + timedelta(hours=1),
            minutes=45,
            mode="phone",
            pseudonym=mallory,
            for_family=False,
            code="MALL0RY1",
            now=NOW,
        )
        await uow.commit()
    assert booking is not None and other is not None
    async with unit_of_work(engine) as uow:
        assert await uow.bookings.owned(booking.id, mallory) is None
        assert await uow.bookings.cancel(booking.id, mallory) is None
        assert await uow.bookings.move(booking.id, mallory, SLOT + timedelta(hours=2)) is None
        # Alice cannot move onto Mallory's slot: the constraint refuses, her booking stays where it was.
        assert await uow.bookings.move(booking.id, alice, SLOT + timedelta(hours=1)) is None
        moved = await uow.bookings.move(booking.id, alice, SLOT + timedelta(hours=2))
        assert moved is not None and moved.starts_at == SLOT + timedelta(hours=2) and moved.code == "ALICE123"
        await uow.commit()
    async with unit_of_work(engine) as uow:
        assert [b.code for b in await uow.bookings.of_person(alice, NOW)] == ["ALICE123"]
        assert await uow.bookings.cancel(booking.id, alice) is not None
        await uow.commit()
    async with unit_of_work(engine) as uow:
        assert await uow.bookings.of_person(alice, NOW) == []
        assert await uow.bookings.booked_starts(staff_id, NOW) == [SLOT + timedelta(hours=1)]


async def test_an_invitation_works_once_and_not_after_it_expires(engine: AsyncEngine) -> None:
    async with unit_of_work(engine) as uow:
        for person in ("p" * 64, "q" * 64):
            await uow.users.touch(person, NOW.date())
        await uow.staff.create_invite("ONCE", "leader", None, NOW, NOW + timedelta(days=1))
        await uow.staff.create_invite("OLD", "counsellor", None, NOW, NOW + timedelta(days=1))
        first = await uow.staff.redeem(("ONCE"), "p" * 64, NOW)
        again = await uow.staff.redeem(("ONCE"), "q" * 64, NOW)
        late = await uow.staff.redeem(("OLD"), "q" * 64, NOW + timedelta(days=2))
        unknown = await uow.staff.redeem(("NOPE"), "q" * 64, NOW)
        await uow.commit()
    assert first is not None and first.role == "leader"
    assert again is None and late is None and unknown is None


async def test_availability_round_trips(engine: AsyncEngine) -> None:
    staff_id = await counsellor(engine)
    pattern = parse_hours("Mo-Fr 08:00-11:30,13:30-16:30")
    assert pattern is not None
    availability = Availability(
        pattern,
        slot_minutes=30,
        buffer_minutes=10,
        notice=timedelta(hours=4),
        horizon_days=21,
        modes=("in_person", "phone"),
        days_off=frozenset({SLOT.date()}),
    )
    async with unit_of_work(engine) as uow:
        await uow.staff.set_availability(staff_id, availability)
        await uow.commit()
    async with unit_of_work(engine) as uow:
        assert await uow.staff.availability(staff_id) == availability
        assert [s.id for s in await uow.staff.counsellors()] == [staff_id]


async def test_past_appointments_are_forgotten_two_weeks_after_they_began(engine: AsyncEngine) -> None:
    staff_id = await counsellor(engine)
    async with unit_of_work(engine) as uow:
        await uow.users.touch("p" * 64, NOW.date())
        for days in (15, 13):
            booked = await uow.bookings.book(
                counsellor_id=staff_id,
                starts_at=NOW - timedelta(days=days),
                minutes=45,
                mode="phone",
                pseudonym="p" * 64,
                for_family=False,
                code=f"OLD{days}",
                now=NOW - timedelta(days=20),
            )
            assert booked is not None
        assert await uow.bookings.purge(NOW - timedelta(days=14)) == 1
        left = await uow.bookings.of_person("p" * 64, NOW - timedelta(days=30))
        await uow.commit()
    assert [b.code for b in left] == ["OLD13"]


async def test_fifty_bookings_of_one_slot_across_two_workers_and_one_wins(postgres_url: str) -> None:
    """Two workers (each its own engine and connection pool) on one PostgreSQL, 25 people each."""
    first, second = create_engine(postgres_url), create_engine(postgres_url)
    try:
        await migrate.upgrade(first)
        staff_id = await counsellor(first)
        people = [f"{n:064d}" for n in range(50)]
        async with unit_of_work(first) as uow:
            for person in people:
                await uow.users.touch(person, NOW.date())
            await uow.commit()

        assert await race(staff_id, people, [first, second]) == 1
        async with unit_of_work(second) as uow:
            assert await uow.bookings.booked_starts(staff_id, NOW) == [SLOT]
    finally:
        await first.dispose()
        await second.dispose()
