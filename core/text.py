"""Text normalisation for Vietnamese input.

Input is normalised to NFC.  Matching comes in two strengths:

* :func:`fold` removes case and every diacritic (``"Hoàn Kiếm"`` -> ``"hoan kiem"``), for place names  (noqa: i18n)
  and menu labels, where a person typing without accents means the same thing;
* :func:`find_tolerant` finds a phrase in a text when the person either typed its accents or left them
  out, but not when they typed *other* accents.  "tu tu" and "tự tử" both match "tự tử", but "từ từ"  (noqa: i18n)
  ("slowly", an everyday phrase) does not.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

MAX_INPUT_CHARS = 4096

_SPACES = re.compile(r"\s+")
_CONTROL = dict.fromkeys(c for c in range(32) if chr(c) not in "\n\t")


def normalize_input(text: str, *, limit: int = MAX_INPUT_CHARS) -> str:
    """NFC, no control characters, trimmed, at most ``limit`` characters."""
    text = unicodedata.normalize("NFC", text[: limit * 2]).translate(_CONTROL)
    return text.strip()[:limit]


@functools.lru_cache(maxsize=4096)
def _base_char(ch: str) -> str:
    if ch in "đĐ":  # (noqa: i18n)
        return "d"
    decomposed = unicodedata.normalize("NFD", ch)
    return decomposed[0].lower() if decomposed else ch


_FOLD_TABLE_SIZE = 4096


class _FoldTable(dict[int, str]):
    """For str.translate: each character's base letter, worked out once (whitespace to a space if asked)."""

    def __init__(self, *, spaces: bool) -> None:
        super().__init__()
        self._spaces = spaces

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        folded = " " if self._spaces and ch.isspace() else _base_char(ch)
        if len(self) < _FOLD_TABLE_SIZE:  # bounded: a stream of rare characters cannot grow it without end
            self[code] = folded
        return folded


_FOLD = _FoldTable(spaces=False)
_FOLD_KEEP_LENGTH = _FoldTable(spaces=True)


def fold(text: str) -> str:
    """Lower case, no diacritics (đ -> d), single spaces: the key for lenient matching.  (noqa: i18n)"""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text).translate(_FOLD)).strip()


def _fold_keep_length(text: str) -> str:
    # One folded character per NFC character, so positions map back to the original.
    return text.translate(_FOLD_KEEP_LENGTH)


def _char_agrees(typed: str, wanted: str) -> bool:
    typed_l, wanted_l = typed.lower(), wanted.lower()
    if typed_l == wanted_l:
        return True
    # The person left the accent out: a bare base letter stands for any accented form of it.
    return typed_l == _base_char(wanted_l) and typed_l.isascii()


GAP = "…"  # in a phrase, up to GAP_WORDS words may stand here: "môi … tím" finds "môi nó tím"  (noqa: i18n)
GAP_WORDS = 2


class TolerantPhrase:
    """A phrase compiled once, to be looked for in many texts as :func:`find_tolerant` does.  A phrase may hold
    gaps (``…``): up to :data:`GAP_WORDS` other words may stand there."""

    __slots__ = ("_parts", "_pattern", "phrase", "words")

    def __init__(self, phrase: str) -> None:
        self.phrase = _SPACES.sub(" ", unicodedata.normalize("NFC", phrase).replace("...", GAP)).strip()
        self._parts = tuple(part.strip() for part in self.phrase.split(GAP) if part.strip())
        gap = r")(?:\s+\w+){0,%d}\s+(" % GAP_WORDS  # noqa: UP031 (braces are the regex's)
        body = gap.join(re.escape(_fold_keep_length(part)).replace(r"\ ", r"\s+") for part in self._parts)
        # No look-behind before the phrase (it would keep re from searching for the phrase's first letters):
        # a word character before a match is checked by found_in.
        self._pattern = re.compile(r"(" + body + r")(?!\w)")
        # Its words, folded: a text without all of them cannot hold the phrase (checked before the pattern).
        self.words = frozenset(fold(" ".join(self._parts)).split())

    def found_in(self, text: str, folded: str | None = None, words: frozenset[str] | None = None) -> bool:
        """Whether the phrase is in ``text`` (NFC); ``folded`` is ``fold_keep_length(text)`` and ``words`` the set
        of ``fold(text)``'s words, when already made (looking for many phrases in one text)."""
        if not self._parts or (words is not None and not self.words <= words):
            return False
        folded = _fold_keep_length(text) if folded is None else folded
        position = 0
        while (match := self._pattern.search(folded, position)) is not None:
            start = match.start()
            position = start + 1  # matches may overlap: "tu tu" is looked for again inside "xtu tu tu"
            if start and (folded[start - 1].isalnum() or folded[start - 1] == "_"):  # inside a word
                continue
            if all(_agrees(text[match.start(i + 1) : match.end(i + 1)], part) for i, part in enumerate(self._parts)):
                return True
        return False


def _agrees(typed: str, wanted: str) -> bool:
    typed = _SPACES.sub(" ", typed)
    return len(typed) == len(wanted) and all(_char_agrees(t, w) for t, w in zip(typed, wanted, strict=True))


def fold_keep_length(text: str) -> str:
    """:func:`fold` without joining spaces: one character for each character of ``text`` (NFC)."""
    return _fold_keep_length(text)


def find_tolerant(text: str, phrase: str) -> bool:
    """True if ``phrase`` occurs in ``text`` as whole words, accents typed or omitted (see module doc)."""
    return TolerantPhrase(phrase).found_in(unicodedata.normalize("NFC", text))


LONG_MESSAGE_WORDS = 40  # a message this long is a person telling something, not asking for a button


def is_long_message(text: str) -> bool:
    """Whether ``text`` reads as someone telling their story rather than making a request."""
    return len(text.split()) >= LONG_MESSAGE_WORDS


def utf16_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


def _fitting_prefix(text: str, limit: int, measure: Callable[[str], int]) -> int:
    """The largest n such that measure(text[:n]) <= limit (measure grows with n)."""
    low, high = 0, min(len(text), limit)
    while low < high:
        mid = (low + high + 1) // 2
        if measure(text[:mid]) <= limit:
            low = mid
        else:
            high = mid - 1
    return low


def split_text(text: str, limit: int, measure: Callable[[str], int] = len) -> list[str]:
    """Split ``text`` into pieces whose ``measure`` is at most ``limit``.

    Prefers paragraph breaks, then line breaks, then sentence ends, then spaces; cuts inside a word only
    when a single word is longer than the limit.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    pieces: list[str] = []
    rest = text.strip()
    while measure(rest) > limit:
        fits = max(1, _fitting_prefix(rest, limit, measure))
        window = rest[: fits + 1]
        cut = -1
        for sep in ("\n\n", "\n", ". ", "! ", "? ", "; ", ", ", " "):
            idx = window.rfind(sep, 0, fits)
            if idx > 0:
                cut = idx + len(sep.rstrip())
                break
        if cut <= 0:
            cut = fits
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces
