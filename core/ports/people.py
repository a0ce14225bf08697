"""A person: their record, the conversation's state, consents, saved results, what /privacy shows."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from core.state import ConversationState


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
