"""Live talks and duty; found by the unit of work through :data:`IMPLEMENTS`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.ports.talks import TALKS, DutyRecord, NoteRecord, TalkRecord
from storage.models import ServicePointRow, StaffMember
from storage.models.talks import DutyRow, RosterRow, TalkBlock, TalkNote, TalkRow, TalkWish
from storage.sealing import Sealer


def _talk(row: TalkRow) -> TalkRecord:
    return TalkRecord(
        id=row.id,
        alias=row.alias,
        pseudonym=row.pseudonym,
        counsellor_id=row.counsellor_id,
        requested_at=row.requested_at,
        started_at=row.started_at,
        province=row.province,
        province_name=row.province_name,
        risk=row.risk,
        from_selfcheck=row.from_selfcheck,
        wipe_from=row.wipe_from,
        keep_messages=row.keep_messages,
    )


class SqlTalkRepository:
    def __init__(self, session: AsyncSession, sealer: Sealer) -> None:
        self._session = session

    async def request(
        self,
        pseudonym: str,
        alias: str,
        now: datetime,
        *,
        province: tuple[str, str] | None = None,
        risk: str | None = None,
        from_selfcheck: bool = False,
        wipe_from: int | None = None,
    ) -> TalkRecord:
        existing = await self.of_person(pseudonym)
        if existing is not None:
            return existing
        row = TalkRow(
            pseudonym=pseudonym,
            alias=alias,
            requested_at=now,
            province=province[0] if province else None,
            province_name=province[1] if province else None,
            risk=risk,
            from_selfcheck=from_selfcheck,
            wipe_from=wipe_from,
            keep_messages=False,
        )
        self._session.add(row)
        await self._session.flush()
        await self._session.refresh(row)
        return _talk(row)

    async def of_person(self, pseudonym: str) -> TalkRecord | None:
        row = await self._session.scalar(select(TalkRow).where(TalkRow.pseudonym == pseudonym))
        return _talk(row) if row is not None else None

    async def get(self, talk_id: int) -> TalkRecord | None:
        row = await self._session.get(TalkRow, talk_id, populate_existing=True)
        return _talk(row) if row is not None else None

    async def waiting(self) -> list[TalkRecord]:
        rows = await self._session.scalars(
            select(TalkRow).where(TalkRow.counsellor_id.is_(None)).order_by(TalkRow.requested_at, TalkRow.id)
        )
        return [_talk(r) for r in rows]

    async def held_by(self, staff_id: int) -> list[TalkRecord]:
        rows = await self._session.scalars(
            select(TalkRow).where(TalkRow.counsellor_id == staff_id).order_by(TalkRow.started_at, TalkRow.id)
        )
        return [_talk(r) for r in rows]

    async def take(self, talk_id: int, staff_id: int, now: datetime) -> bool:
        # One conditional UPDATE: the row is given to whoever's statement runs first; the others change nothing.
        result = await self._session.execute(
            update(TalkRow)
            .where(TalkRow.id == talk_id, TalkRow.counsellor_id.is_(None))
            .values(counsellor_id=staff_id, started_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def hand_over(self, talk_id: int, from_id: int, to_id: int) -> bool:
        result = await self._session.execute(
            update(TalkRow)
            .where(TalkRow.id == talk_id, TalkRow.counsellor_id == from_id)
            .values(counsellor_id=to_id)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def keep_messages(self, talk_id: int) -> None:
        await self._session.execute(
            update(TalkRow)
            .where(TalkRow.id == talk_id)
            .values(keep_messages=True)
            .execution_options(synchronize_session=False)
        )

    async def person_wrote(self, talk_id: int, now: datetime) -> None:
        await self._session.execute(
            update(TalkRow)
            .where(TalkRow.id == talk_id, TalkRow.awaiting_since.is_(None))
            .values(awaiting_since=now)
            .execution_options(synchronize_session=False)
        )

    async def counsellor_wrote(self, talk_id: int) -> None:
        await self._session.execute(
            update(TalkRow)
            .where(TalkRow.id == talk_id, TalkRow.awaiting_since.is_not(None))
            .values(awaiting_since=None)
            .execution_options(synchronize_session=False)
        )

    async def unanswered(self, before: datetime) -> list[TalkRecord]:
        rows = await self._session.scalars(
            select(TalkRow)
            .where(TalkRow.counsellor_id.is_not(None), TalkRow.awaiting_since <= before)
            .order_by(TalkRow.id)
        )
        return [_talk(r) for r in rows]

    async def waiting_since(self, before: datetime) -> list[TalkRecord]:
        rows = await self._session.scalars(
            select(TalkRow).where(TalkRow.counsellor_id.is_(None), TalkRow.requested_at <= before).order_by(TalkRow.id)
        )
        return [_talk(r) for r in rows]

    async def release(self, talk_id: int) -> None:
        await self._session.execute(
            update(TalkRow)
            .where(TalkRow.id == talk_id)
            .values(counsellor_id=None, started_at=None, awaiting_since=None)
            .execution_options(synchronize_session=False)
        )

    async def end(self, talk_id: int) -> TalkRecord | None:
        row = await self._session.get(TalkRow, talk_id, populate_existing=True)
        if row is None:
            return None
        record = _talk(row)
        result = await self._session.execute(
            delete(TalkRow).where(TalkRow.id == talk_id).execution_options(synchronize_session=False)
        )
        self._session.expunge(row)
        return record if result.rowcount else None  # type: ignore[attr-defined]

    async def duty(self, staff_id: int) -> DutyRecord | None:
        found = [d for d in await self._duties(DutyRow.staff_id == staff_id)]
        return found[0] if found else None

    async def set_duty(
        self, staff_id: int, *, since: datetime | None, display_name: str | None = None, capacity: int | None = None
    ) -> None:
        row = await self._session.get(DutyRow, staff_id, populate_existing=True)
        if row is None:
            row = DutyRow(staff_id=staff_id, display_name=display_name or "", capacity=capacity or 3)
            self._session.add(row)
        row.since = since
        if display_name is not None:
            row.display_name = display_name
        if capacity is not None:
            row.capacity = capacity
        await self._session.flush()

    async def on_duty(self) -> list[DutyRecord]:
        return await self._duties(DutyRow.since.is_not(None))

    async def block(self, pseudonym: str, alias: str, until: datetime) -> None:
        self._session.add(TalkBlock(pseudonym=pseudonym, alias=alias, until=until))
        await self._session.flush()

    async def blocked(self, pseudonym: str, now: datetime) -> bool:
        found = await self._session.scalar(
            select(TalkBlock.id).where(TalkBlock.pseudonym == pseudonym, TalkBlock.until > now).limit(1)
        )
        return found is not None

    async def blocks(self, now: datetime) -> list[tuple[str, datetime]]:
        rows = await self._session.execute(
            select(TalkBlock.alias, TalkBlock.until).where(TalkBlock.until > now).order_by(TalkBlock.until)
        )
        return [(alias, until) for alias, until in rows]

    async def lift(self, alias: str) -> int:
        wanted = "#" + alias.strip().lstrip("#").upper()
        result = await self._session.execute(delete(TalkBlock).where(TalkBlock.alias == wanted))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def purge_blocks(self, now: datetime) -> int:
        result = await self._session.execute(delete(TalkBlock).where(TalkBlock.until <= now))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def wish(self, pseudonym: str, until: datetime) -> None:
        await self.drop_wish(pseudonym)
        self._session.add(TalkWish(pseudonym=pseudonym, until=until))
        await self._session.flush()

    async def drop_wish(self, pseudonym: str) -> None:
        await self._session.execute(delete(TalkWish).where(TalkWish.pseudonym == pseudonym))

    async def purge_wishes(self, now: datetime) -> int:
        result = await self._session.execute(delete(TalkWish).where(TalkWish.until <= now))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def take_wishes(self, now: datetime) -> list[str]:
        found = list(await self._session.scalars(select(TalkWish.pseudonym).where(TalkWish.until > now)))
        await self._session.execute(delete(TalkWish).where(TalkWish.pseudonym.in_(found) | (TalkWish.until <= now)))
        return found

    async def add_note(self, pseudonym: str, alias: str, topics: Sequence[str], at: datetime) -> None:
        self._session.add(TalkNote(pseudonym=pseudonym, alias=alias, topics=";".join(topics), day=at))
        await self._session.flush()

    async def notes(self, pseudonym: str) -> list[NoteRecord]:
        rows = await self._session.scalars(
            select(TalkNote).where(TalkNote.pseudonym == pseudonym).order_by(TalkNote.day.desc(), TalkNote.id.desc())
        )
        return [NoteRecord(r.alias, tuple(t for t in r.topics.split(";") if t), r.day) for r in rows]

    async def drop_notes(self, pseudonym: str) -> int:
        result = await self._session.execute(delete(TalkNote).where(TalkNote.pseudonym == pseudonym))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def purge_notes(self, before: datetime) -> int:
        result = await self._session.execute(delete(TalkNote).where(TalkNote.day < before))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def rosters(self) -> dict[str | None, str]:
        rows = await self._session.execute(select(RosterRow.province, RosterRow.hours))
        return {province: hours for province, hours in rows}

    async def set_roster(self, province: str | None, hours: str | None) -> None:
        match = RosterRow.province.is_(None) if province is None else RosterRow.province == province
        await self._session.execute(delete(RosterRow).where(match))
        if hours is not None:
            self._session.add(RosterRow(province=province, hours=hours))
            await self._session.flush()

    async def _duties(self, where: object) -> list[DutyRecord]:
        held = (
            select(TalkRow.counsellor_id, func.count().label("n"))
            .where(TalkRow.counsellor_id.is_not(None))
            .group_by(TalkRow.counsellor_id)
            .subquery()
        )
        rows = await self._session.execute(
            select(DutyRow, ServicePointRow.province, held.c.n)
            .join(StaffMember, StaffMember.id == DutyRow.staff_id)
            .outerjoin(ServicePointRow, ServicePointRow.id == StaffMember.point_id)
            .outerjoin(held, held.c.counsellor_id == DutyRow.staff_id)
            .where(where)  # type: ignore[arg-type]
            .order_by(DutyRow.since, DutyRow.staff_id)
        )
        return [
            DutyRecord(duty.staff_id, duty.display_name, duty.capacity, duty.since, province, int(n or 0))
            for duty, province, n in rows
        ]


IMPLEMENTS = {TALKS.name: SqlTalkRepository}
