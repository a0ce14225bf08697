"""Describing failures without leaking what a person wrote.

Exception messages can carry message text, ids or SQL parameters, so logs get the exception type and
where it happened, never its message.
"""

from __future__ import annotations

import traceback


def describe_exception(exc: BaseException) -> str:
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = traceback.extract_tb(current.__traceback__)
        where = " <- ".join(f"{f.filename.rsplit('/', 2)[-1]}:{f.lineno} {f.name}" for f in reversed(frames[-4:]))
        parts.append(f"{type(current).__qualname__} at {where or '?'}")
        current = current.__cause__ or current.__context__
    return "; caused by ".join(parts)
