"""One transaction over every repository."""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Generic, Protocol, Self, TypeVar

from core.ports.booking import BookingRepository, StaffRepository
from core.ports.broadcasts import BroadcastRepository
from core.ports.directory import DirectoryRepository
from core.ports.groups import GroupRepository
from core.ports.handles import HandleRepository
from core.ports.outbox import OutboxRepository
from core.ports.people import (
    ConsentRepository,
    PrivacyRepository,
    StateRepository,
    UserRepository,
)
from core.ports.tallies import TallyRepository
from core.ports.updates import Arrivals, ReplyLog, UpdateLog

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class RepositoryKey(Generic[R]):
    """Names a capability's own repository, declared beside its protocol (``RepositoryKey[Notes]("notes")``):
    ``uow.get(NOTES)`` is then typed as ``Notes``, and storage finds the implementation in the module that
    says it implements the key, so adding one touches no shared list."""

    name: str


class StorageUnavailable(Exception):
    """The connection to the database was lost (a restart, a network cut), or the database stayed locked by
    another writer: nothing of the unit of work was kept, so the work can be tried again."""


class UnitOfWork(Protocol):
    """One transaction: repositories that commit or roll back together."""

    @property
    def users(self) -> UserRepository: ...

    @property
    def states(self) -> StateRepository: ...

    @property
    def consents(self) -> ConsentRepository: ...

    @property
    def privacy(self) -> PrivacyRepository: ...

    @property
    def tallies(self) -> TallyRepository: ...

    @property
    def directory(self) -> DirectoryRepository: ...

    @property
    def staff(self) -> StaffRepository: ...

    @property
    def bookings(self) -> BookingRepository: ...

    @property
    def handles(self) -> HandleRepository: ...

    @property
    def outbox(self) -> OutboxRepository: ...

    @property
    def broadcasts(self) -> BroadcastRepository: ...

    @property
    def groups(self) -> GroupRepository: ...

    @property
    def updates(self) -> UpdateLog: ...

    @property
    def replies(self) -> ReplyLog: ...

    @property
    def arrivals(self) -> Arrivals: ...

    def get(self, key: RepositoryKey[R]) -> R:
        """A capability's own repository (see :class:`RepositoryKey`)."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...
