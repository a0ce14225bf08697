"""Key rotation: every sealed value sealed again under the current key, in batches, one transaction each.

Each row is written only if it still holds the value that was read (compare-and-swap): a value changed
meanwhile by the running bot (a new conversation state, say) is left as the bot wrote it, already sealed
under the current key, and is never overwritten with the older one."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import sealed_columns
from storage.sealing import LEGACY_PREFIX, SealBroken, Sealer


@dataclass
class RekeyReport:
    resealed: int = 0
    unreadable: int = 0  # sealed with a key no longer configured: left as they are
    changed: int = 0  # written anew by the bot while this ran: left as the bot wrote them


async def reseal_all(
    sessions: async_sessionmaker[AsyncSession], sealer: Sealer, batch: int = 500, *, legacy_only: bool = False
) -> RekeyReport:
    """Seal every value again under the current key (``legacy_only``: only those sealed the old way)."""
    report = RekeyReport()
    for column, key in sealed_columns():
        last: object = None
        while True:
            async with sessions() as session:
                query = select(key, column).order_by(key).limit(batch)
                if legacy_only:
                    query = query.where(column.startswith(LEGACY_PREFIX, autoescape=True))
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
                    result = await session.execute(
                        update(table).where(key == row_key, column == token).values({column.name: fresh})
                    )
                    if result.rowcount:  # type: ignore[attr-defined]
                        report.resealed += 1
                    else:
                        report.changed += 1
                await session.commit()
                last = rows[-1][0]
    return report
