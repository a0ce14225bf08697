"""Hotlines: data that operators edit (``data/hotlines.toml``), loaded once at start-up."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from core.i18n import N_

SHIPPED_DATA = Path(__file__).resolve().parent.parent / "data"

# What each kind of hotline is for, as the person reads it (translated at render time).
KIND_LABELS = {
    "emergency": N_("Medical emergency, ambulance"),
    "police": N_("Police"),
    "child": N_("National child protection line, free, 24/7"),
    "mental": N_('"Ngày Mai" volunteer line for people living with depression'),  # a name (noqa: i18n)
    "tobacco": N_("Quit-smoking line"),
}


@dataclass(frozen=True, slots=True)
class Hotline:
    number: str
    kind: str
    hours: str | None = None
    # False when the number or hours have not been confirmed: the bot says so instead of presenting it as fact.
    verified: bool = True


@dataclass(frozen=True, slots=True)
class Hotlines:
    entries: tuple[Hotline, ...]

    def of_kind(self, kind: str) -> list[Hotline]:
        return [h for h in self.entries if h.kind == kind]

    def first(self, kind: str) -> Hotline | None:
        found = self.of_kind(kind)
        return found[0] if found else None


def parse_hotlines(text: str) -> Hotlines:
    data = tomllib.loads(text)
    entries = []
    for item in data.get("hotline", []):
        kind = str(item["kind"])
        if kind not in KIND_LABELS:
            raise ValueError(f"unknown hotline kind {kind!r}; known: {', '.join(KIND_LABELS)}")
        number = str(item["number"]).strip()
        if not number or not all(c.isdecimal() or c == " " for c in number):
            raise ValueError(f"hotline number {number!r} must be digits and spaces")
        hours = item.get("hours")
        entries.append(Hotline(number, kind, str(hours) if hours else None, bool(item.get("verified", False))))
    return Hotlines(tuple(entries))


def load_hotlines(path: Path = SHIPPED_DATA / "hotlines.toml") -> Hotlines:
    return parse_hotlines(path.read_text(encoding="utf-8"))
