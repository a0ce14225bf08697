"""Live talks' own records: the talks open now (waiting or with a counsellor) and who is on duty.

A talk row lives only while the talk does: it names the person (their pseudonym, so their next message finds
it) and is deleted when the talk ends; what is left of it is anonymous weekly counts.  No row holds a word of
what either side wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from core.ports.unit_of_work import RepositoryKey


@dataclass(frozen=True, slots=True)
class TalkRecord:
    id: int
    alias: str
    pseudonym: str
    counsellor_id: int | None  # None while waiting
    requested_at: datetime
    started_at: datetime | None
    province: str | None  # the id of the province the person chose to give, if any
    risk: str | None  # the self-check's highest level, only if the person agreed to share it
    from_selfcheck: bool
    province_name: str | None = None  # its name, as counsellors see it
    wipe_from: int | None = None  # where the talk began in the person's chat, to delete it when it ends
    keep_messages: bool = False

    @property
    def waiting(self) -> bool:
        return self.counsellor_id is None


@dataclass(frozen=True, slots=True)
class DutyRecord:
    """A counsellor's duty settings, kept between shifts; ``since`` is None while off duty."""

    staff_id: int
    display_name: str
    capacity: int
    since: datetime | None
    province: str | None  # of their point
    talks: int  # talks they hold now

    @property
    def on(self) -> bool:
        return self.since is not None


@dataclass(frozen=True, slots=True)
class NoteRecord:
    alias: str
    topics: tuple[str, ...]
    day: datetime  # to the day


class TalkRepository(Protocol):
    async def request(
        self,
        pseudonym: str,
        alias: str,
        now: datetime,
        *,
        province: tuple[str, str] | None = None,  # (id, name)
        risk: str | None = None,
        from_selfcheck: bool = False,
        wipe_from: int | None = None,
    ) -> TalkRecord:
        """Open a waiting talk for ``pseudonym`` (their open one, if they have one already)."""
        ...

    async def keep_messages(self, talk_id: int) -> None:
        """The person chose to keep the talk's messages in their chat when it ends."""
        ...

    async def of_person(self, pseudonym: str) -> TalkRecord | None:
        """The person's open talk (waiting or started), or None."""
        ...

    async def get(self, talk_id: int) -> TalkRecord | None: ...

    async def waiting(self) -> list[TalkRecord]:
        """Every waiting talk, oldest first."""
        ...

    async def held_by(self, staff_id: int) -> list[TalkRecord]:
        """The talks a counsellor holds now, oldest first."""
        ...

    async def take(self, talk_id: int, staff_id: int, now: datetime) -> bool:
        """Give a waiting talk to a counsellor; False when somebody else has it already (or it ended): of two
        counsellors pressing at once, on any number of workers, exactly one gets it."""
        ...

    async def hand_over(self, talk_id: int, from_id: int, to_id: int) -> bool:
        """Give a started talk held by ``from_id`` to the colleague ``to_id``; False when ``from_id`` no longer
        holds it (it ended, or went back to the queue)."""
        ...

    async def person_wrote(self, talk_id: int, now: datetime) -> None:
        """The person's words wait for an answer (since ``now``, unless they waited already)."""
        ...

    async def counsellor_wrote(self, talk_id: int) -> None: ...

    async def unanswered(self, before: datetime) -> list[TalkRecord]:
        """Started talks whose person has waited for an answer since ``before`` or longer."""
        ...

    async def waiting_since(self, before: datetime) -> list[TalkRecord]:
        """Talks nobody has taken, asked for at ``before`` or earlier."""
        ...

    async def release(self, talk_id: int) -> None:
        """Put a started talk back in the queue (its counsellor went off duty), keeping its place."""
        ...

    async def end(self, talk_id: int) -> TalkRecord | None:
        """Delete an open talk; what it was (for the counts), or None if it had ended already."""
        ...

    async def duty(self, staff_id: int) -> DutyRecord | None: ...

    async def set_duty(
        self, staff_id: int, *, since: datetime | None, display_name: str | None = None, capacity: int | None = None
    ) -> None:
        """Go on duty (``since`` a time) or off (None), keeping or changing the name and capacity."""
        ...

    async def on_duty(self) -> list[DutyRecord]:
        """Every counsellor on duty now, with the talks they hold."""
        ...

    async def block(self, pseudonym: str, alias: str, until: datetime) -> None:
        """Keep ``pseudonym`` out of live talks until ``until``."""
        ...

    async def blocked(self, pseudonym: str, now: datetime) -> bool: ...

    async def blocks(self, now: datetime) -> list[tuple[str, datetime]]:
        """The blocks in force: (alias, until), for operators; never who."""
        ...

    async def lift(self, alias: str) -> int:
        """Lift the blocks of the talk ``alias``; how many."""
        ...

    async def purge_blocks(self, now: datetime) -> int: ...

    async def wish(self, pseudonym: str, until: datetime) -> None:
        """Tell ``pseudonym`` once when a counsellor is next on duty (until ``until``)."""
        ...

    async def drop_wish(self, pseudonym: str) -> None: ...

    async def purge_wishes(self, now: datetime) -> int: ...

    async def take_wishes(self, now: datetime) -> list[str]:
        """Who wished to be told (and still holds), forgotten as they are returned; expired wishes purged."""
        ...

    async def add_note(self, pseudonym: str, alias: str, topics: Sequence[str], at: datetime) -> None:
        """Keep a counsellor's private note (``pseudonym``: theirs) on the talk ``alias``: topic ids only."""
        ...

    async def notes(self, pseudonym: str) -> list[NoteRecord]:
        """A counsellor's notes, newest first."""
        ...

    async def drop_notes(self, pseudonym: str) -> int: ...

    async def purge_notes(self, before: datetime) -> int:
        """Delete the notes kept before ``before``."""
        ...

    async def rosters(self) -> dict[str | None, str]:
        """The usual duty hours (OSM syntax) by province, None for nationwide."""
        ...

    async def set_roster(self, province: str | None, hours: str | None) -> None:
        """Set (or, with None, remove) the usual duty hours of a province, or nationwide."""
        ...


TALKS: RepositoryKey[TalkRepository] = RepositoryKey("talks")
