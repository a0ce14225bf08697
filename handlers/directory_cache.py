"""The directory as a worker holds it in memory, shared by every capability that searches it (the finder, the
counsellors' tools in a live talk): one snapshot per worker, reloaded once when the directory changes."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable

from core.ports import UnitOfWork
from domain.directory import DirectorySnapshot, ServicePoint


class DirectoryCache:
    """This worker's copy of the directory, reloaded when the directory's version changes.  The new snapshot is
    built in a thread (points, communes, every filter's index, the typed-place index: ``prepare``) and then swapped
    in, so a reload of 100,000 points does not stop every other conversation on the worker; searches arriving during
    a reload wait for that one build instead of starting their own."""

    def __init__(self, prepare: Callable[[DirectorySnapshot], None] | None = None) -> None:
        self._snapshot: DirectorySnapshot | None = None
        self._lock = asyncio.Lock()
        self._prepare = prepare

    def _build(self, points: list[ServicePoint], version: int) -> DirectorySnapshot:
        snapshot = DirectorySnapshot(points, version)
        snapshot.warm()
        if self._prepare is not None:
            self._prepare(snapshot)
        return snapshot

    async def get(self, uow: UnitOfWork) -> DirectorySnapshot:
        version = await uow.directory.version()
        if self._snapshot is not None and self._snapshot.version == version:
            return self._snapshot
        async with self._lock:
            if self._snapshot is None or self._snapshot.version != version:
                # Making 100,000 points sets off the garbage collector's full collections, which stop every thread
                # for 0.2-0.35 s each (measured, bench/reload.py): paused while the snapshot is made, and what it
                # made is then kept out of later collections, as the start-up heap is (bot.cli.app.settle_heap).
                gc.disable()
                try:
                    points = await uow.directory.all_points()
                    self._snapshot = await asyncio.to_thread(self._build, points, version)
                finally:
                    gc.enable()
                    gc.freeze()
            return self._snapshot
