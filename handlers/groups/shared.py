"""What members' and leaders' sides of self-help groups share: the group's words, its flows, its consent and
the data its buttons carry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from core.capability import Flow
from core.choices import ChoiceData
from core.consent import Purpose
from core.conversation import Context
from core.i18n import N_, Translator
from core.ports import GroupRecord
from domain.recurrence import Meeting, Repeat, Schedule, next_meeting
from services.group_outbox import Rsvp, place_of

GROUP_REMINDERS = Purpose(
    id="group_reminders",
    version="2026-11-v1",
    title=N_("Group meeting reminders"),
    explanation=N_(
        "To send you reminders before your group's meetings I need to keep your chat address, encrypted, "
        "while you are a member. Leaving the group deletes it at once."
    ),
)
FLOW = Flow(
    "group", N_("a group you are creating, changing or writing to"), writing=frozenset({"message"})
)  # a leader's
JOIN_FLOW = Flow("group_join", N_("joining a group by its code"))  # a person typing a group's code
KINDS = {
    "relapse_prevention": N_("Relapse prevention group"),
    "family_support": N_("Family support group"),
    "other": N_("Other group"),
}
ORDINALS = {1: N_("first"), 2: N_("second"), 3: N_("third"), 4: N_("fourth"), -1: N_("last")}
REMINDER_SETS = {
    (1440, 60): N_("A day before and an hour before"),
    (60,): N_("An hour before"),
    (1440,): N_("A day before"),
}
MAX_NAME, MAX_PLACE, MAX_MESSAGE = 80, 250, 3000
CHILD_REFUSAL = N_("Self-help groups are for people aged 16 and over. Here is what I can do for you:")

# ------------------------------------------------------------------------------------------- button data
# Plain choices: "groups" (the menu), "groups.family" (from the family pages), "lead" (a leader's groups),
# "lead.new" (create one) and "group.create" (confirm it).  "I'll come" on a reminder is group_messages.Rsvp.
__all__ = ["Rsvp"]


@dataclass(frozen=True)
class Join(ChoiceData, prefix="group.join"):
    group: int
    reminders: bool


@dataclass(frozen=True)
class Leave(ChoiceData, prefix="group.leave"):
    member: int


@dataclass(frozen=True)
class GroupCalendar(ChoiceData, prefix="group.ics"):
    member: int  # the person's membership: checked against who is writing


@dataclass(frozen=True)
class LeaveConfirmed(ChoiceData, prefix="group.left"):
    member: int


@dataclass(frozen=True)
class Panel(ChoiceData, prefix="lead.group"):
    group: int


PanelAction = Literal["broadcast", "progress", "call_off", "move", "attendance", "edit"]


@dataclass(frozen=True)
class Act(ChoiceData, prefix="lead.do"):
    group: int
    action: PanelAction


@dataclass(frozen=True)
class CallOff(ChoiceData, prefix="lead.call_off"):
    group: int
    day: date


@dataclass(frozen=True)
class Send(ChoiceData, prefix="lead.send"):
    group: int
    urgent: bool


@dataclass(frozen=True)
class Edit(ChoiceData, prefix="lead.edit"):
    group: int
    field: Literal["name", "place", "when", "reminders"]


@dataclass(frozen=True)
class Kind(ChoiceData, prefix="group.kind"):
    kind: Literal["relapse_prevention", "family_support", "other"]


@dataclass(frozen=True)
class Place(ChoiceData, prefix="group.place"):
    where: Literal["point", "address", "online"]


@dataclass(frozen=True)
class Often(ChoiceData, prefix="group.repeat"):
    repeat: Repeat
    ordinal: int


@dataclass(frozen=True)
class Reminders(ChoiceData, prefix="group.reminders"):
    minutes: tuple[int, ...]


# ------------------------------------------------------------------------------------------- describing


def describe_schedule(ctx: Context, schedule: Schedule) -> str:
    return schedule_text(ctx.i18n, schedule)


def schedule_text(i18n: Translator, schedule: Schedule) -> str:
    """When a group meets, in words (the chat and the web console)."""
    _ = i18n.gettext
    days = ", ".join(i18n.weekday(d) for d in sorted(schedule.weekdays))
    at = schedule.at.strftime("%H:%M")
    if schedule.repeat is Repeat.WEEKLY:
        return _("every week on {days}, at {time}").format(days=days, time=at)
    if schedule.repeat is Repeat.FORTNIGHTLY:
        return _("every other week on {days}, at {time}").format(days=days, time=at)
    return _("on the {nth} {day} of each month, at {time}").format(nth=_(ORDINALS[schedule.ordinal]), day=days, time=at)


def kind_name(ctx: Context, kind: str) -> str:
    return ctx._(KINDS.get(kind, KINDS["other"]))


async def where(ctx: Context, group: GroupRecord) -> str:
    return await place_of(ctx.uow, group) or ctx._("(not set)")


def join_link(ctx: Context, group: GroupRecord) -> str:
    return f"{ctx.channel.start_link}g_{group.code}" if ctx.channel.start_link else ""


def upcoming(ctx: Context, group: GroupRecord) -> Meeting | None:
    return next_meeting(group.schedule, ctx.now, ctx.i18n.timezone)


def lead_time(ctx: Context, minutes: int) -> str:
    return lead_time_text(ctx.i18n, minutes)


def lead_time_text(i18n: Translator, minutes: int) -> str:
    if minutes % 1440 == 0:
        return i18n.ngettext("{n} day before", "{n} days before", minutes // 1440).format(n=minutes // 1440)
    if minutes % 60 == 0:
        return i18n.ngettext("{n} hour before", "{n} hours before", minutes // 60).format(n=minutes // 60)
    return i18n.gettext("{n} minutes before").format(n=minutes)
