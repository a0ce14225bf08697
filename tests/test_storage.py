"""Repositories and migrations, on SQLite and on the local PostgreSQL."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.events import Choice
from core.ports import AgeGroup
from core.ports.selfcheck import SAVED_RESULTS
from core.state import ConversationState
from domain.directory import About, ServicePoint
from domain.hours import parse_hours
from storage import migrate, schema_version
from storage.db import session_factory
from storage.models import Base, coarsen, personal_tables
from storage.repositories import SqlUnitOfWork
from storage.sealing import PREFIX, Sealer

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
ALICE = "a" * 64
BOB = "b" * 64


ROOT = Path(__file__).resolve().parent.parent
SEALER = Sealer(b"storage-test-secret-0123456789")


async def alembic_revision(engine: AsyncEngine) -> str | None:
    """Alembic's own reading of the database's revision (the yardstick for ``storage.schema_version``)."""
    async with engine.connect() as connection:
        return await connection.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())


def alembic_head() -> str | None:
    return ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()


def uow(engine: AsyncEngine, sealer: Sealer = SEALER) -> SqlUnitOfWork:
    return SqlUnitOfWork(session_factory(engine), sealer)


async def test_migrations_reach_head_and_match_the_models(engine: AsyncEngine) -> None:
    assert await alembic_revision(engine) == alembic_head()

    def diff(connection: object) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})  # type: ignore[arg-type]
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as connection:
        assert await connection.run_sync(diff) == []


async def test_migrations_downgrade_to_nothing_and_back(engine: AsyncEngine) -> None:
    await migrate.downgrade(engine, "base")
    assert await alembic_revision(engine) is None
    assert await schema_version.current_revision(engine) is None
    await migrate.upgrade(engine, "0016")
    assert await schema_version.current_revision(engine) == "0016" != schema_version.head_revision()
    await migrate.upgrade(engine)
    assert await alembic_revision(engine) == alembic_head()


async def test_the_start_up_schema_check_agrees_with_alembic_without_importing_it(engine: AsyncEngine) -> None:
    """Start-up reads the revision with plain SQL and the head from the files; both must be what Alembic says."""
    assert schema_version.head_revision() == alembic_head()
    assert await schema_version.current_revision(engine) == await alembic_revision(engine)
    # A process that finds its schema current never loads Alembic (about a third of a second, several MB).
    probe = (
        "import sys, asyncio; from bot.runtime import ensure_schema; from storage.db import create_engine; "
        f"e = create_engine({str(engine.url.render_as_string(hide_password=False))!r}); "
        "asyncio.run(ensure_schema(e)); print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))"
    )
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", probe, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await child.communicate()
    assert child.returncode == 0 and out.decode().strip() == "[]", err.decode()[-2000:]


async def test_touch_creates_once_and_updates_last_seen(engine: AsyncEngine) -> None:
    async with uow(engine) as work:
        first = await work.users.touch(ALICE, date(2026, 11, 1))
        await work.commit()
    async with uow(engine) as work:
        again = await work.users.touch(ALICE, date(2026, 11, 23))
        await work.users.set_age_group(ALICE, AgeGroup.ADULT)
        await work.commit()
    async with uow(engine) as work:
        stored = await work.users.get(ALICE)
    assert first.first_seen == again.first_seen == date(2026, 11, 1)
    assert stored is not None and stored.last_seen == date(2026, 11, 23) and stored.age_group is AgeGroup.ADULT


async def test_uncommitted_work_is_rolled_back(engine: AsyncEngine) -> None:
    async with uow(engine) as work:
        await work.users.touch(ALICE, date(2026, 11, 1))
    async with uow(engine) as work:
        assert await work.users.get(ALICE) is None


async def test_state_round_trips_and_expires(engine: AsyncEngine) -> None:
    state = ConversationState(
        flow="onboarding", step="age", data={"n": 1, "xs": ["ă"]}, offered=[Choice("age:adult", "Từ 16")]
    )
    async with uow(engine) as work:
        await work.users.touch(ALICE, NOW.date())
        await work.states.save(ALICE, state, NOW + timedelta(hours=1))
        await work.commit()
    async with uow(engine) as work:
        loaded = await work.states.load(ALICE, NOW + timedelta(minutes=59))
        expired = await work.states.load(ALICE, NOW + timedelta(hours=1))
    assert loaded == state
    assert expired is None


async def test_an_arrival_records_its_delivery_touches_its_person_and_reads_their_state(engine: AsyncEngine) -> None:
    """One statement on PostgreSQL, two on SQLite: the same answers."""
    state = ConversationState(flow="onboarding", step="age", offered=[Choice("age:adult", "Từ 16")])
    async with uow(engine) as work:
        first = await work.arrivals.arrive("telegram", "k1", ALICE, date(2026, 11, 1), NOW)
        assert first is not None and first.state is None and first.user.first_seen == date(2026, 11, 1)
        await work.states.save(ALICE, state, NOW + timedelta(hours=1))
        await work.commit()
    async with uow(engine) as work:
        assert await work.arrivals.arrive("telegram", "k1", ALICE, date(2026, 11, 2), NOW) is None  # again
    async with uow(engine) as work:
        again = await work.arrivals.arrive("zalo", "k1", ALICE, date(2026, 11, 2), NOW + timedelta(minutes=59))
        await work.commit()
    assert again is not None and again.state == state and again.user.last_seen == date(2026, 11, 2)
    async with uow(engine) as work:  # no key (the console): never a redelivery; an expired state is none
        keyless = await work.arrivals.arrive("console", "", ALICE, date(2026, 11, 2), NOW + timedelta(hours=1))
        unkeyed_again = await work.arrivals.arrive("console", "", BOB, date(2026, 11, 2), NOW)
    assert keyless is not None and keyless.state is None and keyless.user.first_seen == date(2026, 11, 1)
    assert unkeyed_again is not None and unkeyed_again.user.pseudonym == BOB


async def test_purge_removes_only_expired_state(engine: AsyncEngine) -> None:
    async with uow(engine) as work:
        for who, hours in ((ALICE, 1), (BOB, 3)):
            await work.users.touch(who, NOW.date())
            await work.states.save(who, ConversationState(flow="x"), NOW + timedelta(hours=hours))
        await work.commit()
    async with uow(engine) as work:
        removed = await work.states.purge_expired(NOW + timedelta(hours=2))
        await work.commit()
    assert removed == 1
    async with uow(engine) as work:
        assert await work.states.load(BOB, NOW) is not None


async def test_consent_ledger_records_grant_version_and_withdrawal(engine: AsyncEngine) -> None:
    async with uow(engine) as work:
        await work.users.touch(ALICE, NOW.date())
        await work.consents.grant(ALICE, "group_reminders", "v1", NOW)
        await work.consents.grant(ALICE, "group_reminders", "v1", NOW + timedelta(minutes=1))  # no duplicate
        await work.consents.grant(ALICE, "group_reminders", "v2", NOW + timedelta(days=1))  # new wording
        assert await work.consents.withdraw(ALICE, "appointment_reminders", NOW) is False
        await work.commit()
    async with uow(engine) as work:
        history = await work.consents.history(ALICE)
        assert [(c.text_version, c.active) for c in history] == [("v1", False), ("v2", True)]
        # Kept to the day (docs/privacy.md), never to the second a person answered.
        assert history[0].granted_at == coarsen(NOW, "day")
        assert history[0].withdrawn_at == coarsen(NOW + timedelta(days=1), "day")
        assert await work.consents.withdraw(ALICE, "group_reminders", NOW + timedelta(days=2))
        await work.commit()
    async with uow(engine) as work:
        assert await work.consents.active(ALICE) == []
        assert len(await work.consents.history(ALICE)) == 2


async def test_erase_removes_every_row_of_one_person_only(engine: AsyncEngine) -> None:
    async with uow(engine) as work:
        for who in (ALICE, BOB):
            await work.users.touch(who, NOW.date())
            await work.states.save(who, ConversationState(flow="x"), NOW + timedelta(hours=1))
            await work.consents.grant(who, "group_reminders", "v1", NOW)
        await work.commit()
    async with uow(engine) as work:
        removed = await work.privacy.erase(ALICE)
        await work.commit()
    assert removed == 3
    async with engine.connect() as connection:
        for table in personal_tables():
            column = Base.metadata.tables[table].c.pseudonym
            count = await connection.scalar(select(func.count()).where(column == ALICE))
            assert count == 0, table
        assert await connection.scalar(text("SELECT count(*) FROM users")) == 1


async def test_describe_reports_what_is_stored(engine: AsyncEngine) -> None:
    async with uow(engine) as work:
        await work.users.touch(ALICE, NOW.date())
        await work.states.save(ALICE, ConversationState(flow="onboarding"), NOW + timedelta(hours=1))
        await work.consents.grant(ALICE, "group_reminders", "v1", NOW)
        await work.commit()
    async with uow(engine) as work:
        stored = await work.privacy.describe(ALICE, NOW)
        gone = await work.privacy.describe(BOB, NOW)
    assert stored.user is not None and stored.state is not None and stored.state.flow == "onboarding"
    assert [c.purpose for c in stored.consents] == ["group_reminders"]
    assert gone.user is None and gone.state is None and gone.consents == []


async def test_times_come_back_timezone_aware_in_utc(engine: AsyncEngine) -> None:
    local = datetime(2026, 11, 23, 10, 0, tzinfo=UTC).astimezone()
    async with uow(engine) as work:
        await work.users.touch(ALICE, NOW.date())
        await work.consents.grant(ALICE, "p", "v1", local)
        await work.commit()
    async with uow(engine) as work:
        (consent,) = await work.consents.history(ALICE)
    assert consent.granted_at == coarsen(local, "day") and consent.granted_at.tzinfo is not None


def test_every_personal_table_cascades_from_users() -> None:
    for name in personal_tables():
        if name == "users":
            continue
        keys = [fk for fk in Base.metadata.tables[name].c.pseudonym.foreign_keys]
        assert keys and all(fk.ondelete == "CASCADE" for fk in keys), name
    assert personal_tables()[-1] == "users"


async def test_state_is_sealed_at_rest_and_unreadable_state_starts_afresh(engine: AsyncEngine) -> None:
    state = ConversationState(flow="selfcheck", step="q3:opioids", data={"answers": {"q1:opioids": "yes"}})
    async with uow(engine) as work:
        await work.users.touch(ALICE, NOW.date())
        await work.states.save(ALICE, state, NOW + timedelta(hours=1))
        await work.commit()
    async with engine.connect() as connection:
        raw = (await connection.execute(text("SELECT data FROM conversation_states"))).scalar_one()
    assert "opioids" not in raw and "selfcheck" not in raw and raw.startswith(PREFIX)  # an AES-GCM value
    async with uow(engine) as work:
        assert await work.states.load(ALICE, NOW) == state
    async with uow(engine, Sealer(b"another-secret-entirely-0123456789")) as work:
        assert await work.states.load(ALICE, NOW) == ConversationState()


async def test_saved_results_are_sealed_capped_and_go_with_their_consent(engine: AsyncEngine) -> None:
    async with uow(engine) as work:
        for who in (ALICE, BOB):
            await work.users.touch(who, NOW.date())
            await work.consents.grant(who, "selfcheck_results", "v1", NOW)
        for n in range(4):
            await work.get(SAVED_RESULTS).add(ALICE, "assist_v3", {"scores": {"alcohol": n}}, keep=3)
        await work.get(SAVED_RESULTS).add(BOB, "assist_v3", {"scores": {"opioids": 30}}, keep=3)
        await work.commit()
    async with engine.connect() as connection:
        rows = (await connection.execute(text("SELECT pseudonym, sealed FROM saved_results"))).all()
    assert sorted(r.pseudonym for r in rows) == [ALICE] * 3 + [BOB]
    assert all("alcohol" not in r.sealed and "opioids" not in r.sealed for r in rows)
    async with uow(engine) as work:
        assert await work.get(SAVED_RESULTS).latest(ALICE, "assist_v3") == {"scores": {"alcohol": 3}}
        assert await work.get(SAVED_RESULTS).latest(ALICE, "other_instrument") is None
        assert await work.consents.withdraw(ALICE, "selfcheck_results", NOW)
        await work.commit()
    async with uow(engine) as work:
        assert await work.get(SAVED_RESULTS).latest(ALICE, "assist_v3") is None
        assert await work.get(SAVED_RESULTS).latest(BOB, "assist_v3") == {"scores": {"opioids": 30}}
        assert (await work.privacy.describe(BOB, NOW)).other_rows == {"saved_results": 1}
    async with uow(engine, Sealer(b"another-secret-entirely-0123456789")) as work:
        assert await work.get(SAVED_RESULTS).latest(BOB, "assist_v3") is None  # unreadable without the secret


def _point(external_id: str, name: str = "Điểm", lat: float = 21.03) -> ServicePoint:
    return ServicePoint(
        external_id=external_id,
        name=name,
        kinds=("methadone",),
        address="Số 1",
        province="ha-noi",
        commune="Phường Hoàn Kiếm",
        lat=lat,
        lon=105.85,
        hours=parse_hours("Mo-Fr 08:00-17:00"),
        verified_on=date(2026, 10, 1),
    )


async def test_directory_upsert_by_external_id_counts_and_bumps_the_version(engine: AsyncEngine) -> None:
    async with uow(engine) as work:
        assert await work.directory.version() == 0
        counts = await work.directory.upsert([_point("a"), _point("b")], NOW)
        await work.commit()
    assert (counts.inserted, counts.updated, counts.unchanged) == (2, 0, 0)
    async with uow(engine) as work:
        assert await work.directory.version() == 1
        counts = await work.directory.upsert([_point("a"), _point("b", name="Điểm mới"), _point("c")], NOW)
        await work.commit()
    assert (counts.inserted, counts.updated, counts.unchanged) == (1, 1, 1)
    async with uow(engine) as work:
        assert await work.directory.version() == 2
        stored = {p.external_id: p for p in await work.directory.all_points()}
        counts = await work.directory.upsert([_point("a")], NOW)  # nothing changes: the version stays
        assert await work.directory.version() == 2
    assert (counts.inserted, counts.updated, counts.unchanged) == (0, 0, 1)
    assert stored["b"].name == "Điểm mới" and stored["a"] == _point("a")  # equal field by field
    assert stored["a"].id is not None


async def test_listing_reports_are_anonymous_and_summarised_per_point(engine: AsyncEngine) -> None:
    async with uow(engine) as work:
        await work.directory.upsert([_point("a"), _point("b")], NOW)
        ids = {p.external_id: p.id for p in await work.directory.all_points()}
        assert ids["a"] is not None and ids["b"] is not None
        assert await work.directory.report(ids["a"], "closed", date(2026, 11, 20))
        assert await work.directory.report(ids["a"], "closed", date(2026, 11, 22))
        assert await work.directory.report(ids["a"], "wrong_phone", date(2026, 11, 21))
        assert await work.directory.report(ids["b"], "other", date(2026, 11, 21))
        assert not await work.directory.report(99999, "closed", date(2026, 11, 21))
        await work.commit()
    async with uow(engine) as work:
        reports = await work.directory.reports()
    assert [(r.point.external_id, r.counts, r.last_reported) for r in reports] == [
        ("a", {"closed": 2, "wrong_phone": 1}, date(2026, 11, 22)),
        ("b", {"other": 1}, date(2026, 11, 21)),
    ]
    assert "listing_reports" not in personal_tables()  # nothing in it belongs to a person


async def test_old_attendance_counts_become_meetings_held_and_attendances(engine: AsyncEngine) -> None:
    await migrate.downgrade(engine, "0009")
    week = date(2026, 11, 16)
    async with engine.begin() as connection:
        for level, count in (("8", 2), ("12", 1)):  # two meetings with 8 people, one with 12
            await connection.execute(
                text(
                    "INSERT INTO tallies (week, kind, instrument, subject, level, province, count) "
                    "VALUES (:week, 'group_attended', '', '', :level, '', :count)"
                ),
                {"week": week, "level": level, "count": count},
            )
    await migrate.upgrade(engine)
    async with uow(engine) as work:
        found = sorted((t.kind, t.count) for t in await work.tallies.between(week, week))
    assert found == [("meeting_attendance", 28), ("meeting_held", 3)]


async def test_tallies_count_amounts_and_a_correction_never_goes_below_zero(engine: AsyncEngine) -> None:
    week = date(2026, 11, 16)
    async with uow(engine) as work:
        await work.tallies.add(week, "meeting_attendance", amount=8)
        await work.tallies.add(week, "meeting_attendance", amount=-3)  # the leader corrected 8 to 5
        await work.tallies.add(week, "find", subject="all", province="hue")
        await work.tallies.add(week, "find", subject="all", province="hue")
        await work.tallies.add(week, "reminder_sent", amount=-2)  # nothing to correct: stays at 0
        await work.commit()
    async with uow(engine) as work:
        found = sorted((t.kind, t.province, t.count) for t in await work.tallies.between(week, week))
        assert await work.tallies.between(week + timedelta(days=7), week + timedelta(days=7)) == []
        hue = [(t.kind, t.province, t.count) for t in await work.tallies.between(week, week, province="hue")]
        assert await work.tallies.between(week, week, province="ha-noi") == []
    assert found == [("find", "hue", 2), ("meeting_attendance", "", 5), ("reminder_sent", "", 0)]
    assert hue == [("find", "hue", 2)]  # one province's report reads that province's counters only


async def test_listing_details_are_stored_and_a_change_to_them_is_an_update(engine: AsyncEngine) -> None:
    detailed = replace(
        _point("a"),
        about=About(
            status="temporarily_closed",
            description="Cấp phát methadone",
            url="https://example.org",
            email="a@example.org",
            eligibility="Người từ 18 tuổi",
            min_age=18,
            fee="free",
            languages=("vi", "en"),
            accessibility="Lối đi cho xe lăn",
        ),
    )
    async with uow(engine) as work:
        await work.directory.upsert([_point("a")], NOW)
        await work.commit()
    async with uow(engine) as work:
        counts = await work.directory.upsert([detailed], NOW)
        await work.commit()
    assert (counts.inserted, counts.updated, counts.unchanged) == (0, 1, 0)
    async with uow(engine) as work:
        (stored,) = await work.directory.all_points()
    assert stored == detailed
