"""What capabilities may need to build their routes: given once, when the conversation is put together."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from core.clock import Clock
from core.hotlines import Hotlines
from core.ports import UnitOfWork
from core.web_tokens import ConsoleAccess
from domain.assist import Instrument
from domain.gazetteer import Gazetteer
from handlers.directory_cache import DirectoryCache


@dataclass(frozen=True, slots=True)
class Services:
    clock: Clock
    hotlines: Hotlines
    instrument: Instrument
    gazetteer: Gazetteer
    console: ConsoleAccess | None = None  # the web console's sign-in links, where it is served
    reading: Callable[[], UnitOfWork] | None = None  # units of work for long reads (bot.runtime.Runtime.reading)
    directory: DirectoryCache = field(init=False)  # this worker's snapshot of the directory, shared

    def __post_init__(self) -> None:
        gazetteer = self.gazetteer
        cache = DirectoryCache(lambda snapshot: gazetteer.prepare(snapshot.communes), self.reading)
        object.__setattr__(self, "directory", cache)
