"""The core's composition: every capability's router and the hooks, in the order they apply."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

from core.clock import Clock
from core.conversation import Conversation
from core.hotlines import Hotlines
from core.i18n import Translator
from core.ports import UnitOfWork
from core.ratelimit import Attempts, Inbound
from domain.assist import Instrument
from domain.gazetteer import Gazetteer
from handlers import (
    booking,
    callback,
    family,
    finder,
    groups,
    menu,
    onboarding,
    privacy,
    report,
    selfcheck,
    staff,
    urgent,
)


def build_conversation(
    *,
    uow_factory: Callable[[], UnitOfWork],
    clock: Clock,
    i18n: Translator,
    hotlines: Hotlines,
    urgent_phrases: Sequence[str],
    instrument: Instrument,
    gazetteer: Gazetteer,
    state_ttl: timedelta = timedelta(hours=24),
    inbound: Inbound | None = None,
) -> Conversation:
    urgent_router, urgent_hook = urgent.create(hotlines, urgent_phrases)
    finder_router, location_hook = finder.create(gazetteer, finder.DirectoryCache())
    return Conversation(
        routers=[
            menu.router,
            onboarding.create_router(hotlines),
            urgent_router,
            privacy.router,
            selfcheck.create_router(instrument),
            family.router,
            finder_router,
            booking.router,
            callback.router,
            staff.router,
            staff.redeem_router(Attempts(clock=lambda: clock.now().timestamp())),
            groups.router,
            report.create_router(gazetteer),
        ],
        uow_factory=uow_factory,
        clock=clock,
        i18n=i18n,
        # Urgent words first: they must answer whatever else is going on, even before the age question.
        hooks=[urgent_hook, onboarding.require_age, location_hook, groups.code_hook],
        fallback=menu.fallback,
        expired_choice=menu.expired_choice,
        failure_reply=menu.failure_reply,
        state_ttl=state_ttl,
        inbound=inbound,
    )
