"""The composition root: settings -> database, secret, translations, conversation engine."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Self

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from core.clock import Clock
from core.codes import InviteCodes
from core.conversation import Conversation
from core.hotlines import SHIPPED_DATA, load_hotlines
from core.i18n import Translator, load_translator
from core.pseudonym import Pseudonymizer
from core.ratelimit import Inbound
from core.web_tokens import ConsoleAccess, WebKeys
from domain.assist import load_instrument
from domain.gazetteer import Gazetteer, load_gazetteer
from domain.understanding import load_understanding
from handlers.app import build_conversation
from storage import schema_version
from storage.db import create_engine, is_sqlite, session_factory
from storage.rekey import reseal_all
from storage.repositories import SqlUnitOfWork
from storage.sealing import Sealer


class DatabaseNotMigrated(RuntimeError):
    pass


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    i18n: Translator
    pseudonyms: Pseudonymizer
    conversation: Conversation
    unit_of_work: Callable[[], SqlUnitOfWork]
    reading: Callable[[], SqlUnitOfWork]  # for long reads (reports): does not take the SQLite writer's turn
    gazetteer: Gazetteer
    sealer: Sealer
    console: ConsoleAccess
    closed: bool = field(default=False, init=False)

    async def close(self) -> None:
        if not self.closed:
            self.closed = True
            try:
                await self.conversation.close()
            finally:
                await self.engine.dispose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


async def ensure_schema(engine: AsyncEngine) -> None:
    """The embedded SQLite database migrates itself; a shared server is migrated by the operator."""
    if await schema_version.current_revision(engine) == schema_version.head_revision():
        return
    if is_sqlite(engine):
        from storage import migrate  # Alembic only when there is something to migrate

        await migrate.upgrade(engine)
        return
    raise DatabaseNotMigrated("the database schema is not up to date: run `python -m bot db upgrade` first")


async def open_runtime(settings: Settings, *, clock: Clock | None = None) -> Runtime:
    clock = clock or settings.clock()
    engine = create_engine(settings.db_url)
    try:
        await ensure_schema(engine)
        secret = settings.secret()
        sealer = Sealer(*settings.sealing_keys())
        sessions = session_factory(engine)
        await reseal_all(sessions, sealer, legacy_only=True)  # values sealed before v2 (Fernet): once, then none
    except BaseException:
        await engine.dispose()
        raise
    writer = asyncio.Lock() if is_sqlite(engine) else None
    i18n = load_translator("vi", settings.timezone)

    codes = InviteCodes(secret)
    console = ConsoleAccess(WebKeys(secret), url=settings.console_address())

    def unit_of_work() -> SqlUnitOfWork:
        return SqlUnitOfWork(sessions, sealer, writer, codes)

    def reading() -> SqlUnitOfWork:
        # SQLite's WAL: a reader neither waits for the writer nor holds it up, so a long read (a two-year report)
        # does not take the writer's turn that every event's transaction waits for.
        return SqlUnitOfWork(sessions, sealer, None, codes)

    gazetteer = load_gazetteer(SHIPPED_DATA / "gazetteer" / "vietnam.toml")
    conversation = build_conversation(
        uow_factory=unit_of_work,
        clock=clock,
        i18n=i18n,
        hotlines=load_hotlines(),
        instrument=load_instrument(SHIPPED_DATA / "instruments" / "assist_v3.toml"),
        gazetteer=gazetteer,
        state_ttl=settings.state_ttl,
        inbound=Inbound(settings.inbound_burst, settings.inbound_per_minute),
        understanding=load_understanding(SHIPPED_DATA / "intents"),
        console=console,
        # Only SQLite has a writer's turn for a long reload inside an event to hold up (handlers.directory_cache).
        reading=reading if writer is not None else None,
    )
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=sessions,
        unit_of_work=unit_of_work,
        reading=reading,
        clock=clock,
        i18n=i18n,
        pseudonyms=Pseudonymizer(secret),
        conversation=conversation,
        gazetteer=gazetteer,
        sealer=sealer,
        console=console,
    )
