"""Talk to a counsellor now: anonymous live talks between a person and an on-duty counsellor, relayed by the bot
without either learning who the other is, and without a word of it kept.

The person asks (menu, /noichuyen, the self-check's result, typed text), agrees, and waits in a queue; the talk is
offered to the counsellors on duty with room, and the first to take it gets it; what either writes is passed on
to the other; either can end it.  Counsellors go on and off duty in the chat (/truc).
"""

from __future__ import annotations

from core.capability import Capability, Command, Hook, MenuEntry, Record, Understood, Wiring
from core.i18n import N_
from core.ratelimit import Attempts
from handlers.services import Services
from handlers.talks import counsellor, notes, person, tools, where
from handlers.talks.relay import PER_MINUTE, relay
from services.talks import DUTY, LIVE_TALK, NOTICES, TALK_NOTES


def _setup(services: Services) -> Wiring:
    # Before urgent help (0): a counsellor's words are for the person; a person's urgent words are passed on,
    # and urgent help then answers them too.
    clock = services.clock
    limit = Attempts(PER_MINUTE, overall=10**9, window=60.0, clock=lambda: clock.now().timestamp())
    routes = (
        person.router,
        where.create(services.gazetteer),
        counsellor.router,
        tools.create(services.hotlines, services.gazetteer, services.directory),
        notes.router,
    )
    return Wiring(routes, hooks=(Hook(-1, relay(limit)),))


capability = Capability(
    "talks",
    _setup,
    menu=MenuEntry("talk", N_("Talk to a counsellor now"), 35),
    purposes=(LIVE_TALK, DUTY, TALK_NOTES),
    flows=(person.WHERE_FLOW, counsellor.NAME_FLOW, tools.FIND_FLOW, notes.NOTE_FLOW),
    records=(
        Record("talks", N_("A live talk you asked for, while it is open (never what was written): {count}")),
        Record("talk_blocks", N_("A block from live talks, until it expires: {count}")),
        Record("talk_wishes", N_("A wish to be told when a counsellor is next on duty (24 hours): {count}")),
        Record("talk_notes", N_("Your private notes on live talks you held (topics only, 30 days): {count}")),
    ),
    notices=NOTICES,
    commands=(Command("noichuyen", N_("Talk to a counsellor now"), 45),),
    # "nói chuyện ngay", "chat với tư vấn viên": now, not another day (data/intents/talks.txt; noqa: i18n)
    understood=(Understood("talk", lambda _: "talk", N_("Talk to a counsellor now")),),
)
