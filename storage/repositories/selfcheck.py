"""The self-check's saved results, sealed; found by the unit of work through :data:`IMPLEMENTS`."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.ports.selfcheck import SAVED_RESULTS
from storage.models.selfcheck import SavedResult
from storage.sealing import Sealer

log = logging.getLogger(__name__)


class SqlSavedResultRepository:
    def __init__(self, session: AsyncSession, sealer: Sealer) -> None:
        self._session = session
        self._sealer = sealer

    async def add(self, pseudonym: str, instrument: str, result: dict[str, Any], *, keep: int) -> None:
        self._session.add(
            SavedResult(pseudonym=pseudonym, instrument=instrument, sealed=self._sealer.seal_json(result))
        )
        await self._session.flush()
        newest = (
            select(SavedResult.id)
            .where(SavedResult.pseudonym == pseudonym, SavedResult.instrument == instrument)
            .order_by(SavedResult.id.desc())
            .limit(keep)
        )
        await self._session.execute(
            delete(SavedResult).where(
                SavedResult.pseudonym == pseudonym,
                SavedResult.instrument == instrument,
                SavedResult.id.not_in(newest.scalar_subquery()),
            )
        )

    async def latest(self, pseudonym: str, instrument: str) -> dict[str, Any] | None:
        rows = await self._session.scalars(
            select(SavedResult.sealed)
            .where(SavedResult.pseudonym == pseudonym, SavedResult.instrument == instrument)
            .order_by(SavedResult.id.desc())
        )
        for sealed in rows:
            try:
                value = self._sealer.open_json(sealed)
            except ValueError:  # SealBroken (another secret, tampered) or damaged JSON: skip it
                log.warning("a saved result could not be opened")
                continue
            if isinstance(value, dict):
                return value
        return None


IMPLEMENTS = {SAVED_RESULTS.name: SqlSavedResultRepository}
