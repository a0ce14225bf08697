"""Splitting long text for channels with a length limit: at paragraph, line or sentence boundaries."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at the last paragraph break, line break, sentence end or
    space that fits (in that order of preference); a single word longer than the limit is cut as it is."""
    if limit < 1:
        raise ValueError("the limit is at least one character")
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = -1
        for pattern in ("\n\n", "\n"):
            cut = window.rfind(pattern)
            if cut > 0:
                break
        if cut <= 0:
            ends = [m.start() for m in _SENTENCE_END.finditer(window)]
            cut = ends[-1] if ends else window.rfind(" ")
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces
