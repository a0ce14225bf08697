"""Typed button data: a readable prefix and typed fields, packed as ``prefix:field:field`` (the idea of aiogram's
``CallbackData``).

A capability declares one small frozen dataclass per kind of button::

    @dataclass(frozen=True)
    class LeaveGroup(ChoiceData, prefix="group.leave"):
        member: int

    LeaveGroup(member=7).choice(label)  # a Choice whose id is "group.leave:7"

    @routes.choice(LeaveGroup)
    async def leave(ctx: Context, data: LeaveGroup) -> None: ...

Packing checks Telegram's 64-byte limit when the button is built, not when it is sent; unpacking checks every
field's type (int, str, bool, date, a Literal of strings, a StrEnum, or a tuple of ints) and raises
:class:`ForgedChoice` for anything else, which the conversation answers as an expired button.  Button data is
never trusted further than that: handlers still check that what it names belongs to the person.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import fields
from datetime import date, datetime
from typing import Any, ClassVar, Literal, Self, get_args, get_origin, get_type_hints

from core.events import Choice

MAX_BYTES = 64  # Telegram's callback_data limit
SEPARATOR = ":"


class ForgedChoice(ValueError):
    """Button data that no button of this kind could have carried."""


class ChoiceData:
    prefix: ClassVar[str]

    def __init_subclass__(cls, *, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not prefix or SEPARATOR in prefix or len(prefix.encode()) > 24:
            raise ValueError(f"a choice prefix is 1 to 24 bytes without {SEPARATOR!r}: {prefix!r}")
        cls.prefix = prefix

    def pack(self) -> str:
        parts = [self.prefix, *(_encode(getattr(self, f.name)) for f in fields(self))]  # type: ignore[arg-type]
        data = SEPARATOR.join(parts)
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"button data {data!r} is longer than {MAX_BYTES} bytes")
        return data

    def choice(self, label: str) -> Choice:
        return Choice(self.pack(), label)

    @classmethod
    def unpack(cls, data: str) -> Self:
        prefix, *values = data.split(SEPARATOR)
        declared = _schema(cls)  # type: ignore[arg-type]
        if prefix != cls.prefix or len(values) != len(declared):
            raise ForgedChoice(cls.prefix)
        try:
            return cls(**{name: _decode(kind, value) for (name, kind), value in zip(declared, values, strict=True)})
        except (ValueError, TypeError) as exc:
            raise ForgedChoice(cls.prefix) from exc


@functools.cache
def _schema(cls: type[ChoiceData]) -> tuple[tuple[str, Any], ...]:
    """The fields of a kind of button and their types, in order (read once: unpacking runs per press)."""
    hints = get_type_hints(cls)
    return tuple((f.name, hints[f.name]) for f in fields(cls))  # type: ignore[arg-type]


def _encode(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, date):
        return f"{value:%Y%m%d}"
    if isinstance(value, tuple):
        return ",".join(str(int(v)) for v in value)
    text = str(value)
    if SEPARATOR in text:
        raise ValueError(f"a choice field cannot hold {SEPARATOR!r}: {text!r}")
    return text


def _decode(kind: Any, text: str) -> object:
    if kind is bool:
        if text not in ("0", "1"):
            raise ValueError(text)
        return text == "1"
    if kind is int:
        return _integer(text)
    if kind is str:
        return text
    if kind is date:
        return datetime.strptime(text, "%Y%m%d").date()
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(text)
    origin = get_origin(kind)
    if origin is Literal:
        if text not in get_args(kind):
            raise ValueError(text)
        return text
    if origin is tuple:
        return tuple(_integer(part) for part in text.split(",")) if text else ()
    raise TypeError(f"a choice field cannot be a {kind!r}")


def _integer(text: str) -> int:
    if not text.lstrip("-").isdecimal() or len(text) > 18:
        raise ValueError(text)
    return int(text)
