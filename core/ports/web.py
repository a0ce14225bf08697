"""The web console's own records (issue 20): sign-in links and sessions, kept only as keyed hashes of their
tokens (:mod:`core.web_tokens`), and the audit log of staff actions, which names staff by their number and role
and never a client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from core.ports.unit_of_work import RepositoryKey
from core.web_tokens import WebSession


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    staff_id: int
    role: str
    action: str  # an id: "point.edit", "staff.invite", ...
    subject: str  # what it was done to, in staff terms: a point's external id, "staff #3"; never a client


class WebRepository(Protocol):
    async def add_link(self, token_hash: str, staff_id: int, now: datetime) -> None: ...

    async def use_link(self, token_hash: str, now: datetime) -> int | None:
        """Mark the link used, once, if it is still valid: its staff member's id, else None."""
        ...

    async def open_session(self, token_hash: str, staff_id: int, now: datetime) -> None: ...

    async def session(self, token_hash: str, now: datetime) -> WebSession | None:
        """The session, if it is alive, and marked as seen now; None otherwise (a dead one is deleted)."""
        ...

    async def close_session(self, token_hash: str) -> None: ...

    async def sign_out_everywhere(self, staff_id: int) -> int:
        """End every session and unused link of a staff member: how many there were."""
        ...

    async def sessions_of(self, staff_id: int, now: datetime) -> int:
        """How many sessions of a staff member are alive."""
        ...

    async def purge(self, now: datetime) -> int:
        """Delete links no longer usable and sessions no longer alive: how many rows."""
        ...

    async def audit(self, staff_id: int, role: str, action: str, subject: str, now: datetime) -> None: ...

    async def audit_log(self, limit: int, offset: int = 0) -> list[AuditEntry]:
        """The newest entries first."""
        ...


WEB: RepositoryKey[WebRepository] = RepositoryKey("web")
