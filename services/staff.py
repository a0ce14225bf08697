"""Staff records below the chat, the command line and the web console: the consent to staff notifications, and
revoking a staff member (one function, so the CLI and the console end a role the same way)."""

from __future__ import annotations

from datetime import datetime

from core.consent import Purpose
from core.i18n import N_
from core.ports import StaffRecord, UnitOfWork
from core.ports.web import WEB
from services.talks import DUTY, relieve

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

# Roles a staff member can hold, and what invitations can give.
ROLES = ("counsellor", "leader", "manager", "operator")
ROLE_NAMES = {
    "counsellor": N_("counsellor"),
    "leader": N_("peer leader"),
    "manager": N_("programme manager"),
    "operator": N_("operator"),
    "revoked": N_("revoked"),
}


async def revoke(uow: UnitOfWork, staff_id: int, now: datetime) -> StaffRecord | None:
    """End a staff member's role: signed out of the console everywhere, off duty (their talks back in the queue),
    their staff chat addresses deleted, no more weekly hours.  None if there is no such staff member."""
    member = await uow.staff.revoke(staff_id)
    if member is None:
        return None
    await uow.get(WEB).sign_out_everywhere(staff_id)
    await relieve(uow, staff_id, now)
    for purpose in (STAFF_NOTIFICATIONS.id, DUTY.id):
        await uow.handles.drop(member.pseudonym, purpose)
    return member
