"""The self-check's own records: results a person chose to keep."""

from __future__ import annotations

from typing import Any, Protocol

from core.ports.unit_of_work import RepositoryKey


class SavedResultRepository(Protocol):
    """Results a person chose to keep (consent "selfcheck_results"), sealed at rest."""

    async def add(self, pseudonym: str, instrument: str, result: dict[str, Any], *, keep: int) -> None:
        """Store a result and keep only the newest ``keep`` of this instrument."""
        ...

    async def latest(self, pseudonym: str, instrument: str) -> dict[str, Any] | None:
        """The newest readable result, or None."""
        ...


SAVED_RESULTS: RepositoryKey[SavedResultRepository] = RepositoryKey("saved_results")
