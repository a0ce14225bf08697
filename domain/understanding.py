"""What a typed message asks for: each capability's intents as phrase lists (``data/intents/*.txt``), matched
against the message as Vietnamese is typed.

A message is normalised (NFC, lower case, punctuation as spaces, shorthand written out:
``data/intents/shorthand.txt``, "ko", "đc", "metha" and the like; noqa: i18n).
Each intent's phrases are then looked for in it:

* **typed**: the phrase occurs as whole words, with its accents typed or left out but never different ones
  (:func:`core.text.find_tolerant`: "tu tu" and "tự tử" match "tự tử", "từ từ" does not);  (noqa: i18n)
* **near**: for intents that allow it (not the crises), the phrase is within a small edit distance of some words
  of the message, accents folded (rapidfuzz), so "xet nghiêm" or "methdone" still match.  (noqa: i18n)

A longer phrase is more specific and wins over a shorter one it contains (noqa: i18n): "từ từ đã" over "tự tử";
"xét nghiệm hiv" over "xét nghiệm" (noqa: i18n); typed beats near.  :meth:`Understanding.rank` returns every
intent that matched, best first, each with the phrase and the way it matched, so anyone can see why an intent won.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from core.text import GAP, TolerantPhrase, fold, fold_keep_length

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
NEAR_MIN_CHARS = 5  # shorter phrases are matched only as typed (a typo in "lao" is another word)
NEAR_SCORE = 88.0  # rapidfuzz partial_ratio, 0..100
NEAR_WORD_CHARS = 7  # a shorter word (a Vietnamese syllable) matches only as typed: "nhiem" is not "nghiem"
NEAR_WORD_SCORE = 80.0  # rapidfuzz ratio of one word of a phrase and one typed word
NEAR_MAX_CHARS = 400  # a longer message is matched as typed only (similarity over it costs too much)


@dataclass(frozen=True, slots=True)
class Intent:
    id: str  # "find", "find:opioid_treatment", "urgent:overdose", ...
    phrases: tuple[str, ...]
    near: bool = True  # may match by similarity; crises may not


@dataclass(frozen=True, slots=True)
class Match:
    intent: str
    phrase: str
    how: str  # "typed" | "near"
    score: float  # higher is better: words of the phrase, plus a bonus for "typed"


def parse_intents(text: str) -> list[Intent]:
    """``[intent]`` sections of phrases, one per line, ``#`` comments."""
    intents: list[Intent] = []
    current: str | None = None
    phrases: list[str] = []
    for raw in text.splitlines():
        line = unicodedata.normalize("NFC", raw.split("#", 1)[0].strip())
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            if current is not None:
                intents.append(Intent(current, tuple(phrases), near=not current.startswith("urgent")))
            current, phrases = line[1:-1].strip(), []
        elif current is None:
            raise ValueError(f"a phrase before any [intent]: {line!r}")
        else:
            phrases.append(line.lower())
    if current is not None:
        intents.append(Intent(current, tuple(phrases), near=not current.startswith("urgent")))
    return intents


def parse_shorthand(text: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if line.strip():
            typed, _, meaning = line.partition("\t")
            if not meaning:
                raise ValueError(f"shorthand lines are typed<TAB>meaning: {raw!r}")
            table[unicodedata.normalize("NFC", typed.strip().lower())] = unicodedata.normalize("NFC", meaning.strip())
    return table


def load_intents(folder: Path) -> tuple[list[Intent], dict[str, str]]:
    intents: list[Intent] = []
    for path in sorted(folder.glob("*.txt")):
        if path.name != "shorthand.txt":
            intents.extend(parse_intents(path.read_text(encoding="utf-8")))
    shorthand = parse_shorthand((folder / "shorthand.txt").read_text(encoding="utf-8"))
    return intents, shorthand


def load_understanding(folder: Path) -> Understanding:
    """The intents and shorthand of ``folder`` (``data/intents``), compiled."""
    return Understanding(*load_intents(folder))


@dataclass(frozen=True, slots=True)
class _Compiled:
    typed: TolerantPhrase
    folded: str  # accents and gaps folded away, for similarity
    folded_words: tuple[str, ...]
    size: int  # words

    @classmethod
    def of(cls, written: str) -> _Compiled:
        folded = fold(written.replace(GAP, " "))
        words = tuple(folded.split())
        return cls(TolerantPhrase(written), folded, words, len(words))


class Understanding:
    def __init__(self, intents: Iterable[Intent], shorthand: Mapping[str, str]) -> None:
        self.intents = tuple(intents)
        self.shorthand = dict(shorthand)
        seen: set[str] = set()
        for intent in self.intents:
            if intent.id in seen:
                raise ValueError(f"the intent {intent.id!r} is declared twice")
            seen.add(intent.id)
        # Each phrase written as messages are (shorthand spelt out), then compiled once: as typed, and folded for
        # similarity.
        self._compiled = {
            i.id: tuple(
                _Compiled.of(written)
                for written in (f" {GAP} ".join(self.normalize(part) for part in p.split(GAP)) for p in i.phrases)
            )
            for i in self.intents
        }

    def normalize(self, text: str) -> str:
        words = _WORD.findall(unicodedata.normalize("NFC", text).lower())
        return " ".join(self.shorthand.get(w, w) for w in words)

    def rank(self, text: str) -> list[Match]:
        """Every intent that matched, its best phrase each, best first."""
        message = self.normalize(text)
        folded, same_length = fold(message), fold_keep_length(message)
        message_words = folded.split()
        word_set = frozenset(message_words)
        found: list[Match] = []
        near_allowed = len(folded) <= NEAR_MAX_CHARS
        for intent in self.intents:
            best: Match | None = None
            for compiled in self._compiled[intent.id]:
                # A phrase whose words are not all in the message is skipped before any call (most of them).
                if compiled.typed.words <= word_set and compiled.typed.found_in(message, same_length):
                    candidate = Match(intent.id, compiled.typed.phrase, "typed", compiled.size + 0.5)
                elif (
                    intent.near
                    and near_allowed
                    and len(compiled.folded) >= NEAR_MIN_CHARS
                    and len(folded) + 2 >= len(compiled.folded)
                    and fuzz.partial_ratio(compiled.folded, folded, score_cutoff=NEAR_SCORE)
                    and near_words(compiled.folded_words, message_words)
                ):
                    # below a typed phrase of its size
                    candidate = Match(intent.id, compiled.typed.phrase, "near", compiled.size * 0.6)
                else:
                    continue
                if best is None or candidate.score > best.score:
                    best = candidate
            if best is not None:
                found.append(best)
        found.sort(key=lambda m: (-m.score, m.intent))
        return found


def near_word(wanted: str, typed: str) -> bool:
    """One word of a phrase against one typed word, both folded: the same, two letters swapped ("hvi"), or a typo
    of a long word that keeps its first letter ("methdone", "metadon"); never another Vietnamese syllable ("khong"
    is not "chong")."""
    if wanted == typed:
        return True
    if len(wanted) >= 3 and typed[:1] == wanted[:1] and sorted(typed) == sorted(wanted):  # "hvi": letters swapped
        return True
    return (
        len(wanted) >= NEAR_WORD_CHARS
        and len(typed) >= NEAR_WORD_CHARS - 1
        and typed[:1] == wanted[:1]
        and fuzz.ratio(wanted, typed, score_cutoff=NEAR_WORD_SCORE) > 0
    )


def near_words(wanted: Sequence[str], typed: Sequence[str]) -> bool:
    """The phrase's words, in order and side by side, each the same as or a typo of a typed word; two typed
    neighbours may stand for one of the phrase's words ("metha done")."""
    size = len(wanted)
    for start in range(len(typed) - size + 1):
        if all(near_word(w, t) for w, t in zip(wanted, typed[start : start + size], strict=True)):
            return True
        window = typed[start : start + size + 1]
        if len(window) == size + 1:
            for split in range(size):
                merged = [*window[:split], window[split] + window[split + 1], *window[split + 2 :]]
                if all(near_word(w, t) for w, t in zip(wanted, merged, strict=True)):
                    return True
    return False


def best_intent(matches: Sequence[Match]) -> str | None:
    """The intent to act on: a crisis whenever one matched as typed, else the best; None when nothing matched.
    A specific service beats the bare finder; an everyday phrase ("other") that is longer than the crisis phrase
    it contains wins, so "từ từ đã" is not read as a crisis (noqa: i18n); a greeting, thanks or "help" gives way to
    any request beside it."""
    if not matches:
        return None
    top = matches[0]
    crisis = _crisis(matches)
    if crisis is not None and not (top.intent == "other" and top.score > crisis.score):
        return crisis.intent
    # "hẹn gặp" is part of "hẹn gặp lại" (noqa: i18n)
    beside = [m for m in matches[1:] if not _within(m.phrase, top.phrase)]
    service = next((m for m in beside if m.intent.startswith("find:")), None)
    # "methadone cho chồng" (noqa: i18n)
    if service is not None and top.intent in ("find", "family", "help", "book"):
        return service.intent
    if top.intent in GENERIC:  # "chào bạn, mình muốn xét nghiệm": the request, not the greeting (noqa: i18n)
        specific = next((m for m in beside if m.intent not in GENERIC), None)
        return specific.intent if specific is not None else top.intent
    return top.intent


def _crisis(matches: Sequence[Match]) -> Match | None:
    """The crisis typed, if any: its kind when one is named ("cứu với, bạn tôi bị sốc"), else plain  (noqa: i18n)
    "urgent"."""
    crises = [m for m in matches if m.intent.startswith("urgent") and m.how == "typed"]
    return next((m for m in crises if ":" in m.intent), crises[0] if crises else None)


def _within(phrase: str, longer: str) -> bool:
    return f" {fold(phrase.replace(GAP, ' '))} " in f" {fold(longer.replace(GAP, ' '))} "


GENERIC = frozenset({"greeting", "thanks", "goodbye", "help"})
