"""A capability declares itself once: its routes and hooks, its menu entry, the consents it asks for, the
conversation steps and records ``/privacy`` names, the messages it sends on its own and its commands for the
platforms' menus.

The conversation, the menu, the privacy page, the consent registry, the outbox's message kinds and the command
lists are all built from these declarations (:class:`Catalogue`); nothing else keeps a list.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from core.consent import Purpose
from core.notices import Notice

if TYPE_CHECKING:
    from core.conversation import Context, Routes

HookFunction = Callable[["Context"], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class Flow:
    """A conversation step a capability keeps between messages (``ctx.state.enter(FLOW.name, ...)``)."""

    name: str
    shown_as: str  # msgid: how /privacy names what is kept while in it
    # Steps where what is typed is written for others (a leader's message to the group), not said of oneself:
    # words in it ("phòng chống quá liều") do not open urgent help.  (noqa: i18n)
    writing: frozenset[str] = frozenset()

    def is_writing(self, step: str | None) -> bool:
        return step is not None and step in self.writing


@dataclass(frozen=True, slots=True)
class MenuEntry:
    choice: str  # the choice id its routes handle (``anytime``)
    label: str  # msgid
    position: int  # the menu is sorted by it
    for_children: bool = False  # offered to a person under 16 too


@dataclass(frozen=True, slots=True)
class Command:
    """A command shown in the platform's command menu (Telegram's setMyCommands)."""

    name: str
    description: str  # msgid
    position: int


@dataclass(frozen=True, slots=True)
class Record:
    """Rows kept about a person in ``table``, as /privacy names them (``{count}`` is how many)."""

    table: str
    shown_as: str  # msgid


@dataclass(frozen=True, slots=True)
class Hook:
    """Runs before routing; True means it answered.  Hooks run by ``rank``, lowest first."""

    rank: int
    run: HookFunction


@dataclass(frozen=True, slots=True)
class Wiring:
    """What a capability adds to the conversation once built from the services it needs."""

    routes: tuple[Routes, ...]
    hooks: tuple[Hook, ...] = ()


@dataclass(frozen=True)
class Understood:
    """What a typed message that matched ``intent`` (see :mod:`domain.understanding`) stands for: the choice it is
    taken as, as if pressed.  ``intent`` is an intent id or a family ("find" for every "find:SERVICE");
    ``choice`` gets the detail after ":" (the service) or None.  ``label`` names it on a button when the bot is
    not sure and asks (``describe`` names it by its detail: the service, say)."""

    intent: str
    choice: Callable[[str | None], str]
    label: str  # msgid
    describe: Callable[[str | None], str | None] | None = None  # a msgid for the detail, or None for ``label``

    def label_for(self, detail: str | None) -> str:
        """The msgid of the button that stands for this intent with ``detail``."""
        return (self.describe(detail) if self.describe is not None else None) or self.label


@dataclass(frozen=True)
class Capability:
    name: str
    setup: Callable[[Any], Wiring]  # builds its routes and hooks from the services they need
    menu: MenuEntry | None = None
    purposes: tuple[Purpose, ...] = ()
    flows: tuple[Flow, ...] = ()
    records: tuple[Record, ...] = ()
    notices: tuple[Notice, ...] = ()
    commands: tuple[Command, ...] = ()
    understood: tuple[Understood, ...] = ()  # intents of typed messages it answers


def wired(*routes: Routes, hooks: Iterable[Hook] = ()) -> Callable[[Any], Wiring]:
    """``setup`` for a capability whose routes need nothing built."""
    wiring = Wiring(tuple(routes), tuple(hooks))
    return lambda _services: wiring


@dataclass(frozen=True)
class Catalogue:
    """Everything the capabilities declared, gathered and checked for clashes."""

    capabilities: tuple[Capability, ...]
    menu: tuple[MenuEntry, ...] = field(init=False)
    purposes: Mapping[str, Purpose] = field(init=False)
    flows: Mapping[str, Flow] = field(init=False)
    records: Mapping[str, Record] = field(init=False)
    notices: Mapping[str, Notice] = field(init=False)
    commands: tuple[Command, ...] = field(init=False)
    understood: Mapping[str, Understood] = field(init=False)

    def __post_init__(self) -> None:
        caps = self.capabilities
        _unique("capability", (c.name for c in caps))
        object.__setattr__(self, "menu", tuple(sorted((c.menu for c in caps if c.menu), key=lambda m: m.position)))
        _unique("menu entry", (m.choice for m in self.menu))
        object.__setattr__(self, "purposes", _table("consent purpose", [(p.id, p) for c in caps for p in c.purposes]))
        object.__setattr__(self, "flows", _table("flow", [(f.name, f) for c in caps for f in c.flows]))
        object.__setattr__(self, "records", _table("record", [(r.table, r) for c in caps for r in c.records]))
        object.__setattr__(self, "notices", _table("notice", [(n.kind, n) for c in caps for n in c.notices]))
        commands = sorted((m for c in caps for m in c.commands), key=lambda m: m.position)
        _unique("command", (m.name for m in commands))
        object.__setattr__(self, "commands", tuple(commands))
        understood = [(u.intent, u) for c in caps for u in c.understood]
        object.__setattr__(self, "understood", _table("understood intent", understood))

    def meaning(self, intent: str) -> tuple[Understood, str | None] | None:
        """The declaration that answers ``intent`` (its own, else its family's) and the intent's detail."""
        family, _, detail = intent.partition(":")
        if intent in self.understood:
            return self.understood[intent], None
        if family in self.understood:
            return self.understood[family], detail or None
        return None

    def wire(self, services: Any) -> tuple[list[Routes], list[HookFunction]]:
        """Build every capability's routes and hooks (hooks in rank order)."""
        routes: list[Routes] = []
        hooks: list[Hook] = []
        for capability in self.capabilities:
            wiring = capability.setup(services)
            routes.extend(wiring.routes)
            hooks.extend(wiring.hooks)
        return routes, [hook.run for hook in sorted(hooks, key=lambda h: h.rank)]


V = TypeVar("V")


def _unique(kind: str, keys: Iterable[str]) -> None:
    _table(kind, ((key, key) for key in keys))


def _table(kind: str, items: Iterable[tuple[str, V]]) -> Mapping[str, V]:
    table: dict[str, V] = {}
    for key, value in items:
        if key in table:
            raise ValueError(f"{kind} {key!r} is declared twice")
        table[key] = value
    return table
