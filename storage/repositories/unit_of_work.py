"""One session, one transaction: every repository over it."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import pkgutil
from collections.abc import Callable
from types import TracebackType
from typing import Self, TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.codes import InviteCodes
from core.ports import (
    RepositoryKey,
    StorageUnavailable,
)
from storage import repositories
from storage.db import FOLD_WAL
from storage.repositories.arrivals import SqlArrivals
from storage.repositories.booking import SqlBookingRepository, SqlStaffRepository
from storage.repositories.broadcasts import SqlBroadcastRepository
from storage.repositories.directory import SqlDirectoryRepository
from storage.repositories.groups import SqlGroupRepository
from storage.repositories.handles import SqlHandleRepository
from storage.repositories.outbox import SqlOutboxRepository
from storage.repositories.people import (
    SqlConsentRepository,
    SqlPrivacyRepository,
    SqlStateRepository,
    SqlUserRepository,
)
from storage.repositories.tallies import SqlTallyRepository
from storage.repositories.updates import SqlReplyLog, SqlUpdateLog
from storage.sealing import Sealer


def _locked(exc: OperationalError) -> bool:
    """SQLite's "database is locked" / "busy" (another process writing longer than the busy timeout)."""
    message = str(exc.orig).lower() if exc.orig is not None else ""
    return "database is locked" in message or "database is busy" in message


R = TypeVar("R")
OwnRepository = Callable[[AsyncSession, Sealer], object]


@functools.cache
def own_repositories() -> dict[str, OwnRepository]:
    """Every module of this package may name the repositories it implements for a capability's
    :class:`~core.ports.RepositoryKey`: ``IMPLEMENTS = {KEY.name: SqlClass}``; found here, so adding one touches
    no shared list."""
    found: dict[str, OwnRepository] = {}
    for info in pkgutil.iter_modules(repositories.__path__):
        module = importlib.import_module(f"{repositories.__name__}.{info.name}")
        for name, kind in getattr(module, "IMPLEMENTS", {}).items():
            if name in found:
                raise ValueError(f"two repositories implement {name!r}")
            found[name] = kind
    return found


class SqlUnitOfWork:
    """One session, one transaction; rolled back unless committed."""

    # The repositories are made on first use in a transaction: most events touch three or four of sixteen.
    @functools.cached_property
    def users(self) -> SqlUserRepository:
        return SqlUserRepository(self.session)

    @functools.cached_property
    def states(self) -> SqlStateRepository:
        return SqlStateRepository(self.session, self._sealer)

    @functools.cached_property
    def consents(self) -> SqlConsentRepository:
        return SqlConsentRepository(self.session)

    @functools.cached_property
    def privacy(self) -> SqlPrivacyRepository:
        return SqlPrivacyRepository(self.session, self.states)

    @functools.cached_property
    def tallies(self) -> SqlTallyRepository:
        return SqlTallyRepository(self.session)

    @functools.cached_property
    def directory(self) -> SqlDirectoryRepository:
        return SqlDirectoryRepository(self.session)

    @functools.cached_property
    def staff(self) -> SqlStaffRepository:
        return SqlStaffRepository(self.session, self._codes)

    @functools.cached_property
    def bookings(self) -> SqlBookingRepository:
        return SqlBookingRepository(self.session)

    @functools.cached_property
    def handles(self) -> SqlHandleRepository:
        return SqlHandleRepository(self.session, self._sealer)

    @functools.cached_property
    def outbox(self) -> SqlOutboxRepository:
        return SqlOutboxRepository(self.session, self._sealer)

    @functools.cached_property
    def broadcasts(self) -> SqlBroadcastRepository:
        return SqlBroadcastRepository(self.session, self._sealer)

    @functools.cached_property
    def groups(self) -> SqlGroupRepository:
        return SqlGroupRepository(self.session)

    @functools.cached_property
    def updates(self) -> SqlUpdateLog:
        return SqlUpdateLog(self.session)

    @functools.cached_property
    def replies(self) -> SqlReplyLog:
        return SqlReplyLog(self.session, self._sealer)

    @functools.cached_property
    def arrivals(self) -> SqlArrivals:
        return SqlArrivals(self.session, self.updates, self.states)

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        sealer: Sealer,
        writer: asyncio.Lock | None = None,
        codes: InviteCodes | None = None,
    ) -> None:
        self._sessions = sessions
        self._sealer = sealer
        self._codes = codes
        self._session: AsyncSession | None = None
        # SQLite has a single writer: transactions of this process take turns through a first-come,
        # first-served lock instead of sleeping in SQLite's busy handler (see docs/performance.md).
        self._writer = writer

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("the unit of work is not open")
        return self._session

    def get(self, key: RepositoryKey[R]) -> R:
        """A capability's own repository, built on first use in this transaction from the class its module
        names for the key (``IMPLEMENTS``)."""
        found = self._own.get(key.name)
        if found is None:
            found = self._own[key.name] = own_repositories()[key.name](self.session, self._sealer)
        return found  # type: ignore[return-value]

    async def __aenter__(self) -> Self:
        if self._writer is not None:
            await self._writer.acquire()
        self._session = self._sessions()
        for name in _REPOSITORIES:  # a unit of work entered again starts with none made
            self.__dict__.pop(name, None)
        self._own: dict[str, object] = {}
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            if session.in_transaction():
                with contextlib.suppress(DBAPIError):  # a lost connection has nothing left to roll back
                    await session.rollback()
        finally:
            if session.sync_session.get_transaction() is not None or session.sync_session.identity_map:
                await session.close()  # (committed, holding no objects: nothing to close, and closing costs a greenlet)
            self._session = None
            if self._writer is not None:
                self._writer.release()
        if isinstance(exc, DBAPIError) and exc.connection_invalidated:
            raise StorageUnavailable("the database connection was lost") from exc
        if isinstance(exc, OperationalError) and _locked(exc):
            raise StorageUnavailable("the database is locked by another writer") from exc

    async def commit(self) -> None:
        await self.session.commit()
        erased = "privacy" in self.__dict__ and self.privacy.erased
        withdrawn = "consents" in self.__dict__ and self.consents.deleted_data
        if (erased or withdrawn) and self.session.get_bind().dialect.name == "sqlite":
            await self.session.execute(FOLD_WAL)  # a deletion must not linger in the write-ahead log
            await self.session.commit()
            self.privacy.erased = self.consents.deleted_data = False

    async def rollback(self) -> None:
        await self.session.rollback()


_REPOSITORIES = tuple(
    name for name, value in vars(SqlUnitOfWork).items() if isinstance(value, functools.cached_property)
)
