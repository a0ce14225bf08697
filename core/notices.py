"""Messages the bot sends on its own (from the outbox): reminders, notifications and broadcasts.

Reminders are discreet: they say "appointment" or "meeting" and a code or the group's name, never what it
is about, in case someone else sees the phone.  Each kind knows how late it may still go out (the explicit
late rule): a reminder later than that is dropped and counted, never sent wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from core.events import Choice
from core.i18n import N_, Translator

NOTICES: dict[str, str] = {
    "appointment_24h": N_(
        "Reminder: you have an appointment tomorrow, {when}. Your code: {code}. To move or cancel it, send /lichhen."
    ),
    "appointment_2h": N_("Reminder: your appointment is today at {time}. Your code: {code}."),
    "appointment_withdrawn": N_(
        "We are sorry: your appointment on {when} has been cancelled, because the counsellor can no longer see "
        "you. You can book another time whenever you like: send /lichhen."
    ),
    "staff_booked": N_("New booking: {when}, {mode}, code {code}."),
    "staff_moved": N_("Booking {code} has moved to {when}."),
    "staff_cancelled": N_("Booking {code} for {when} has been cancelled."),
    "group_reminder": N_("Reminder: {group} meets {when}, {place}."),
    "group_cancelled": N_("{group}: the meeting of {day} will not take place. See you at the next one."),
    "group_moved": N_("{group}: the meeting of {day} has moved to {when}, {place}."),
    "group_broadcast": N_("Message from {group}:\n\n{text}"),
    "broadcast_progress": N_("Your message to {group}: sent {sent}/{total}."),
    "broadcast_report": N_(
        "Your message to {group} is done: {sent} of {total} received it; {stopped} have blocked the bot; "
        "{failed} could not be reached or not confirmed."
    ),
}
# How late a message may still go out; later, it is dropped and counted.  Group reminders: a quarter of
# their lead time (24 h -> 6 h, 1 h -> 15 min), and never once the meeting has begun.
STALE_AFTER: dict[str, timedelta] = {"appointment_24h": timedelta(hours=6), "appointment_2h": timedelta(hours=1)}
MODES = {"in_person": N_("in person"), "phone": N_("by phone"), "online": N_("online")}
RSVP_ACTION = "gr"  # "gr:<member>:<yyyymmdd>:y|n", checked against the member's owner when pressed


def too_late(kind: str, params: Mapping[str, Any], due_at: datetime, now: datetime) -> bool:
    """The late rule: True when a message due at ``due_at`` must no longer be sent at ``now``."""
    if kind == "group_reminder":
        starts = datetime.fromisoformat(str(params["at"]))
        lead = timedelta(minutes=int(params.get("offset", 60)))
        return now >= starts or now > due_at + lead / 4
    limit = STALE_AFTER.get(kind)
    return limit is not None and now > due_at + limit


def render_notice(i18n: Translator, kind: str, params: Mapping[str, Any]) -> tuple[str, tuple[Choice, ...]]:
    """The text of a notice, and the choices it carries."""
    values: dict[str, str] = {k: str(v) for k, v in params.items()}
    if "at" in params:
        at = datetime.fromisoformat(str(params["at"]))
        values["when"] = i18n.datetime(at)
        values["time"] = at.astimezone(i18n.timezone).strftime("%H:%M")
    if "day" in params:
        values["day"] = i18n.date(date.fromisoformat(str(params["day"])))
    values["mode"] = i18n.gettext(MODES.get(str(params.get("mode")), MODES["in_person"]))
    text = i18n.gettext(NOTICES[kind]).format_map(_Blank(values))
    choices: tuple[Choice, ...] = ()
    if kind == "group_reminder" and "member" in params and "day" in params:
        stem = f"{RSVP_ACTION}:{params['member']}:{str(params['day']).replace('-', '')}"
        choices = (Choice(f"{stem}:y", i18n.gettext("I'll come")), Choice(f"{stem}:n", i18n.gettext("I can't come")))
    return text, choices


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""
