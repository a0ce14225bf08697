"""The consent to notifications for staff, asked by the staff capability and used by those that notify them."""

from __future__ import annotations

from core.consent import Purpose
from core.i18n import N_

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
