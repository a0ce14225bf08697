"""Key rotation: every sealed value sealed again under the current key, in batches, one transaction each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.elements import KeyedColumnElement

from storage.models import ContactHandle, ConversationStateRow, OutboxMessage, SavedResult
from storage.sealing import SealBroken, Sealer

# Every sealed column, with the key of its table.
SEALED: tuple[tuple[KeyedColumnElement[Any], KeyedColumnElement[Any]], ...] = (
    (ConversationStateRow.__table__.c.data, ConversationStateRow.__table__.c.pseudonym),
    (SavedResult.__table__.c.sealed, SavedResult.__table__.c.id),
    (ContactHandle.__table__.c.sealed, ContactHandle.__table__.c.id),
    (OutboxMessage.__table__.c.params, OutboxMessage.__table__.c.id),
)


@dataclass
class RekeyReport:
    resealed: int = 0
    unreadable: int = 0  # sealed with a key no longer configured: left as they are


async def reseal_all(sessions: async_sessionmaker[AsyncSession], sealer: Sealer, batch: int = 500) -> RekeyReport:
    report = RekeyReport()
    for column, key in SEALED:
        last: object = None
        while True:
            async with sessions() as session:
                query = select(key, column).order_by(key).limit(batch)
                if last is not None:
                    query = query.where(key > last)
                rows = (await session.execute(query)).all()
                if not rows:
                    break
                for row_key, token in rows:
                    try:
                        fresh = sealer.reseal(token)
                    except SealBroken:
                        report.unreadable += 1
                        continue
                    table = column.table
                    await session.execute(update(table).where(key == row_key).values({column.name: fresh}))
                    report.resealed += 1
                await session.commit()
                last = rows[-1][0]
    return report
