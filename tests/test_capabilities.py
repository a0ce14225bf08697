"""Each capability declares itself once, and completely: what it routes, asks, keeps and sends is all in its
declaration, so the menu, /privacy, the consent registry, the outbox and the command menus know of it."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, datetime, timedelta

import pytest

import handlers
from bot.runtime import Runtime
from core.capability import Capability, Catalogue, Flow, MenuEntry, Record, wired
from core.consent import Purpose
from core.conversation import Context, Conversation, Routes
from core.hotlines import load_hotlines
from core.notices import Notice
from handlers import menu
from handlers.app import CAPABILITIES
from storage.models import Base

CATALOGUE = Catalogue(CAPABILITIES)


def declared_anywhere() -> list[tuple[str, Flow | Purpose | Notice]]:
    """Every Flow, Purpose and Notice defined at the top of any module of the handlers."""
    found: list[tuple[str, Flow | Purpose | Notice]] = []
    for info in pkgutil.walk_packages(handlers.__path__, "handlers."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, Flow | Purpose | Notice) and not name.startswith("_"):
                found.append((f"{info.name}.{name}", value))
    return found


def test_every_flow_purpose_and_notice_in_the_code_is_declared_by_a_capability() -> None:
    known = set(CATALOGUE.flows.values()) | set(CATALOGUE.purposes.values()) | set(CATALOGUE.notices.values())
    missing = {name for name, value in declared_anywhere() if value not in known}
    assert missing == set()
    assert len(declared_anywhere()) >= 20  # the scan does find them


def test_every_table_kept_under_a_consent_names_a_declared_purpose() -> None:
    purposes = {t.name: t.info["purpose"] for t in Base.metadata.sorted_tables if "purpose" in t.info}
    assert purposes  # saved results, at least
    assert {table: p for table, p in purposes.items() if p not in CATALOGUE.purposes} == {}


def test_menu_entries_and_commands_are_routed(runtime: Runtime) -> None:
    conversation = runtime.conversation
    assert [e.choice for e in CATALOGUE.menu if e.choice not in conversation.anytime_choices] == []
    assert [c.name for c in CATALOGUE.commands if c.name not in conversation.commands] == []
    # The menu is in the declared order, and a child sees only what is meant for them.
    assert [e.choice for e in CATALOGUE.menu] == [
        "check",
        "find",
        "book",
        "talk",
        "groups",
        "family",
        "urgent",
        "privacy",
    ]
    assert [e.choice for e in CATALOGUE.menu if e.for_children] == ["family", "urgent", "privacy"]


def test_notices_are_found_by_kind_and_keep_their_late_rule() -> None:
    reminder = CATALOGUE.notices["appointment_2h"]
    due = runtime_now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert not reminder.too_late({}, due, runtime_now + timedelta(minutes=59))
    assert reminder.too_late({}, due, runtime_now + timedelta(minutes=61))
    assert not CATALOGUE.notices["staff_booked"].too_late({}, due, runtime_now + timedelta(days=30))


def test_a_flow_routed_but_not_declared_is_refused(runtime: Runtime) -> None:
    routes = Routes("secret")
    hidden = Flow("hidden", "not declared")

    @routes.flow(hidden)
    async def handler(ctx: Context) -> None:
        ctx.say("hi")

    with pytest.raises(ValueError, match="hidden"):
        Conversation(
            routers=[routes],
            catalogue=CATALOGUE,
            uow_factory=runtime.unit_of_work,
            clock=runtime.clock,
            i18n=runtime.i18n,
            hooks=[],
            fallback=menu.fallback_for(load_hotlines()),
            expired_choice=menu.expired_choice,
            failure_reply=menu.failure_reply,
            state_ttl=timedelta(hours=1),
        )


@pytest.mark.parametrize(
    "extra",
    [
        Capability("menu", wired()),  # a name taken
        Capability("x", wired(), menu=MenuEntry("book", "Again", 99)),
        Capability("x", wired(), records=(Record("bookings", "{count}"),)),
        Capability("x", wired(), purposes=(CATALOGUE.purposes["callback_phone"],)),
        Capability("x", wired(), notices=(Notice("group_reminder", "again"),)),
    ],
    ids=["name", "menu", "record", "purpose", "notice"],
)
def test_a_capability_that_clashes_with_another_is_refused(extra: Capability) -> None:
    with pytest.raises(ValueError, match="declared twice"):
        Catalogue((*CAPABILITIES, extra))


def test_every_repository_key_has_its_implementation() -> None:
    """A capability's own repository is declared by a key beside its protocol (core/ports/<name>.py) and
    implemented in storage/repositories/<name>.py: the unit of work finds it with no shared list."""
    import core.ports
    from core.ports import RepositoryKey
    from storage.repositories.unit_of_work import own_repositories

    keys = [
        value
        for info in pkgutil.iter_modules(core.ports.__path__, "core.ports.")
        for value in vars(importlib.import_module(info.name)).values()
        if isinstance(value, RepositoryKey)
    ]
    assert {key.name for key in keys} >= {"saved_results"}
    assert sorted(key.name for key in keys) == sorted(own_repositories())


async def test_a_capabilitys_own_repository_is_one_per_transaction(runtime: Runtime) -> None:
    from core.ports.selfcheck import SAVED_RESULTS

    async with runtime.unit_of_work() as uow:
        first = uow.get(SAVED_RESULTS)
        assert uow.get(SAVED_RESULTS) is first
        assert await first.latest("a" * 64, "assist_v3") is None
    async with runtime.unit_of_work() as uow:
        assert uow.get(SAVED_RESULTS) is not first
