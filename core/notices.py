"""Messages the bot sends on its own (from the outbox): reminders and staff notifications.

Reminders are discreet: they say "appointment" and a code, never what it is about, in case someone
else sees the phone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.i18n import N_, Translator

NOTICES: dict[str, str] = {
    "appointment_24h": N_(
        "Reminder: you have an appointment tomorrow, {when}. Your code: {code}. To move or cancel it, send /lichhen."
    ),
    "appointment_2h": N_("Reminder: your appointment is today at {time}. Your code: {code}."),
    "staff_booked": N_("New booking: {when}, {mode}, code {code}."),
    "staff_moved": N_("Booking {code} has moved to {when}."),
    "staff_cancelled": N_("Booking {code} for {when} has been cancelled."),
}
# A reminder sent this late would be wrong ("tomorrow" on the day itself): it is dropped instead.
STALE_AFTER: dict[str, timedelta] = {"appointment_24h": timedelta(hours=6), "appointment_2h": timedelta(hours=1)}
MODES = {"in_person": N_("in person"), "phone": N_("by phone"), "online": N_("online")}


def render_notice(i18n: Translator, kind: str, params: dict[str, Any]) -> str:
    at = datetime.fromisoformat(str(params.get("at")))
    values = {
        "when": i18n.datetime(at),
        "time": at.astimezone(i18n.timezone).strftime("%H:%M"),
        "code": str(params.get("code", "")),
        "mode": i18n.gettext(MODES.get(str(params.get("mode")), MODES["in_person"])),
    }
    return i18n.gettext(NOTICES[kind]).format(**values)
