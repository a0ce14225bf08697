"""Work that would hold the event loop (a directory of 100,000 points, a two-year report, a large import) runs in
a thread; :func:`off_loop` runs it there with short turns at the GIL.

A thread busy in Python keeps the GIL for the interpreter's switch interval (5 ms) before anyone else may run.
Every other person's message needs the GIL several times (the event loop, then SQLite's thread and back, once per
statement), so behind a reload each of those hand-offs waited up to 5 ms: another person's write took p99 41-57 ms
(``bench/reload.py``, 100,000 points).  With 1 ms turns while such work runs it took p99 23 ms; the work itself
may take a little longer, which nobody is waiting for.  The interval is the interpreter's, one for the whole
process: it is shortened while any such work runs in its thread and set back when the last one ends there (a
caller that stops waiting, cancelled, does not stop the thread, so it is counted in the thread itself).
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

SHORT_TURN = 0.001  # seconds


class _Turns:
    """How many threads of long work are running, and the interval to set back after the last."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._usual = sys.getswitchinterval()

    def begin(self) -> None:
        with self._lock:
            if self._running == 0:
                self._usual = sys.getswitchinterval()
                sys.setswitchinterval(min(self._usual, SHORT_TURN))
            self._running += 1

    def end(self) -> None:
        with self._lock:
            self._running -= 1
            if self._running == 0:
                sys.setswitchinterval(self._usual)


_turns = _Turns()  # the interpreter's switch interval is one per process, so is its keeper


async def off_loop(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``work(*args, **kwargs)`` in a thread, the event loop free meanwhile, with short turns at the GIL."""

    def run() -> T:
        _turns.begin()
        try:
            return work(*args, **kwargs)
        finally:
            _turns.end()

    return await asyncio.to_thread(run)
