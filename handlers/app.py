"""The core's composition: every capability, declared once in its own module, registered here by one line."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

from core.capability import Capability, Catalogue
from core.clock import Clock
from core.conversation import Conversation
from core.hotlines import Hotlines
from core.i18n import Translator
from core.ports import UnitOfWork
from core.ratelimit import Inbound
from core.web_tokens import ConsoleAccess
from domain.assist import Instrument
from domain.gazetteer import Gazetteer
from domain.understanding import Understanding
from handlers import (
    booking,
    callback,
    days_off,
    device,
    family,
    finder,
    groups,
    menu,
    onboarding,
    privacy,
    report,
    selfcheck,
    staff,
    talks,
    urgent,
    web,
)
from handlers.services import Services

CAPABILITIES: tuple[Capability, ...] = (
    menu.capability,
    onboarding.capability,
    urgent.capability,
    privacy.capability,
    device.capability,
    selfcheck.capability,
    family.capability,
    finder.capability,
    booking.capability,
    talks.capability,
    callback.capability,
    staff.capability,
    days_off.capability,
    groups.capability,
    report.capability,
    web.capability,
)


def build_conversation(
    *,
    uow_factory: Callable[[], UnitOfWork],
    clock: Clock,
    i18n: Translator,
    hotlines: Hotlines,
    instrument: Instrument,
    gazetteer: Gazetteer,
    state_ttl: timedelta = timedelta(hours=24),
    inbound: Inbound | None = None,
    capabilities: Sequence[Capability] = CAPABILITIES,
    understanding: Understanding,
    console: ConsoleAccess | None = None,
    reading: Callable[[], UnitOfWork] | None = None,
) -> Conversation:
    catalogue = Catalogue(tuple(capabilities))
    routes, hooks = catalogue.wire(Services(clock, hotlines, instrument, gazetteer, console, reading))
    return Conversation(
        routers=routes,
        catalogue=catalogue,
        uow_factory=uow_factory,
        clock=clock,
        i18n=i18n,
        hooks=hooks,
        fallback=menu.fallback_for(hotlines),
        expired_choice=menu.expired_choice,
        failure_reply=menu.failure_reply,
        state_ttl=state_ttl,
        inbound=inbound,
        understanding=understanding,
    )
