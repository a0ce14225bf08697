"""The consent to notifications for staff, asked by the staff capability and used by those that notify them
(defined below the handlers, in :mod:`services.staff`, since revoking a staff member drops its address)."""

from __future__ import annotations

from services.staff import STAFF_NOTIFICATIONS

__all__ = ["STAFF_NOTIFICATIONS"]
