"""The directory as a worker holds it in memory, shared by every capability that searches it (the finder, the
counsellors' tools in a live talk): one snapshot per worker, reloaded once when the directory changes."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Callable

from core.logsafe import describe_exception
from core.ports import UnitOfWork
from core.threads import off_loop
from domain.directory import DirectorySnapshot, ServicePoint

log = logging.getLogger(__name__)

# A directory holding more points than this is reloaded in the background (see DirectoryCache).  Counted, not timed,
# so that what a search sees does not depend on how busy the machine is: a reload of 1,000 points (and 3,321
# communes) took 63 ms, 5,000 took 336 ms (bench/reload.py, 2026-12-03), 100,000 took 3-9 s depending on the host.
BACKGROUND_POINTS = 1000


class DirectoryCache:
    """This worker's copy of the directory, reloaded when the directory's version changes.  The new snapshot is
    built in a thread (points, communes, every filter's index, the typed-place index: ``prepare``) and then swapped
    in, so a reload of 100,000 points does not stop every other conversation on the worker; searches arriving during
    a reload wait for that one build instead of starting their own.

    A search runs inside its event's transaction, which on SQLite holds the one writer's turn every other event
    waits for: a reload of 100,000 points there kept everyone else waiting three seconds (``bench/reload.py``).  So,
    given ``reading`` (units of work that do not take that turn), a directory of more than
    :data:`BACKGROUND_POINTS` points is reloaded in the background while searches go on with the snapshot they have
    (the previous version, for those few seconds); a smaller directory, and the first load, are reloaded at once, so
    an operator's edit shows in the very next search."""

    def __init__(
        self,
        prepare: Callable[[DirectorySnapshot], None] | None = None,
        reading: Callable[[], UnitOfWork] | None = None,
    ) -> None:
        self._snapshot: DirectorySnapshot | None = None
        self._lock = asyncio.Lock()
        self._prepare = prepare
        self._reading = reading
        self._background: asyncio.Task[None] | None = None

    def _build(self, points: list[ServicePoint], version: int) -> DirectorySnapshot:
        snapshot = DirectorySnapshot(points, version)
        snapshot.warm()
        if self._prepare is not None:
            self._prepare(snapshot)
        return snapshot

    async def get(self, uow: UnitOfWork) -> DirectorySnapshot:
        version = await uow.directory.version()
        held = self._snapshot
        if held is not None and held.version == version:
            return held
        if held is not None and self._reading is not None and len(held.points) > BACKGROUND_POINTS:
            if self._background is None or self._background.done():
                self._background = asyncio.create_task(self._reload_in_background())
            return held
        async with self._lock:
            if self._snapshot is None or self._snapshot.version != version:
                await self._reload(uow, version)
            assert self._snapshot is not None
            return self._snapshot

    async def _reload_in_background(self) -> None:
        assert self._reading is not None
        try:
            async with self._lock, self._reading() as uow:
                version = await uow.directory.version()
                if self._snapshot is None or self._snapshot.version != version:
                    await self._reload(uow, version)
        except Exception as exc:  # the next search tries again; until then the snapshot held serves
            log.error("reloading the directory failed: %s", describe_exception(exc))

    async def _reload(self, uow: UnitOfWork, version: int) -> None:
        # Making 100,000 points sets off the garbage collector's full collections, which stop every thread for
        # 0.2-0.35 s each (measured, bench/reload.py): paused while the snapshot is made, and what it made is then
        # kept out of later collections, as the start-up heap is (bot.cli.app.settle_heap).
        gc.disable()
        try:
            points = await uow.directory.all_points()
            self._snapshot = await off_loop(self._build, points, version)
        finally:
            gc.enable()
            gc.freeze()

    async def settled(self) -> DirectorySnapshot | None:
        """The snapshot once any background reload has finished (for tests and benchmarks)."""
        if self._background is not None:
            await asyncio.shield(self._background)
        return self._snapshot
