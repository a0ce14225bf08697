"""Self-help groups in the chat: the members' side (:mod:`.members`), the peer leaders' side (:mod:`.leaders`)
and what both share (:mod:`.shared`), declared here as one capability."""

from __future__ import annotations

from typing import Any

from core.capability import Capability, Command, Hook, MenuEntry, Record, Understood, Wiring
from core.i18n import N_
from handlers.groups import leaders, members
from handlers.groups.shared import FLOW, GROUP_REMINDERS, JOIN_FLOW
from services.group_outbox import NOTICES


def _setup(_services: Any) -> Wiring:
    return Wiring((members.router, leaders.router), hooks=(Hook(30, members.code_hook),))


capability = Capability(
    "groups",
    _setup,
    menu=MenuEntry("groups", N_("Self-help groups"), 40),
    understood=(Understood("groups", lambda _: "groups", N_("Self-help groups")),),
    purposes=(GROUP_REMINDERS,),
    flows=(FLOW, JOIN_FLOW),
    records=(
        Record("group_members", N_("Group memberships (the leader sees only how many members there are): {count}.")),
    ),
    notices=NOTICES,
    commands=(Command("nhom", N_("Self-help groups"), 50), Command("roinhom", N_("Leave a group"), 60)),
)
