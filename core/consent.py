"""Consent purposes.  Each has its own consent, asked separately, never bundled and never pre-ticked.

A purpose's ``version`` names the wording the person agreed to; change it whenever the text changes, so
the ledger shows exactly what each person was told.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.i18n import N_


@dataclass(frozen=True, slots=True)
class Purpose:
    id: str
    version: str
    title: str  # msgid
    explanation: str  # msgid: what is stored, why, for how long


APPOINTMENT_REMINDERS = Purpose(
    id="appointment_reminders",
    version="2026-11-v1",
    title=N_("Appointment reminders"),
    explanation=N_(
        "To remind you of your appointment I need to keep your chat address, encrypted, until the "
        "appointment is over. Reminders never mention drugs or treatment."
    ),
)
CALLBACK_PHONE = Purpose(
    id="callback_phone",
    version="2026-11-v1",
    title=N_("Call back by phone"),
    explanation=N_(
        "So a counsellor can call you back, your phone number is kept encrypted and shown only to the "
        "counsellor of your appointment. It is deleted a few days after the appointment."
    ),
)
GROUP_REMINDERS = Purpose(
    id="group_reminders",
    version="2026-11-v1",
    title=N_("Group meeting reminders"),
    explanation=N_(
        "To send you reminders before your group's meetings I need to keep your chat address, encrypted, "
        "while you are a member. Leaving the group deletes it at once."
    ),
)

SELFCHECK_RESULTS = Purpose(
    id="selfcheck_results",
    version="2026-11-v1",
    title=N_("Saved self-check results"),
    explanation=N_(
        "If you agree, I keep your self-check results (the date, and the score and risk level for each "
        "substance; not your answers), encrypted, under your anonymous code, so that next time I can show "
        "you how things have changed. I keep your five most recent results, until you withdraw this consent "
        "or erase everything with /forget.\n\n"
        "This is sensitive information about your health. Like anything a service keeps, it could be requested "
        "by the authorities where the law allows. Only agree if you are comfortable with that; the self-check "
        "works just as well without saving."
    ),
)

STAFF_NOTIFICATIONS = Purpose(
    id="staff_notifications",
    version="2026-11-v2",
    title=N_("Notifications for staff"),
    explanation=N_(
        "To tell you about your work (new, moved and cancelled bookings for counsellors; how messages to a "
        "group were delivered for peer leaders) I need to keep your chat address, encrypted, while you are "
        "staff. Notifications show times, codes and numbers, never who anyone is."
    ),
)

PURPOSES: dict[str, Purpose] = {
    p.id: p for p in (APPOINTMENT_REMINDERS, CALLBACK_PHONE, GROUP_REMINDERS, SELFCHECK_RESULTS, STAFF_NOTIFICATIONS)
}
