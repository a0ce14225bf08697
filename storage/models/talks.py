"""Live talks' own tables: the talks open now, and counsellors' duty."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import DAY, HOUR, MINUTE, Base, owner_column


class TalkRow(Base):
    """A live talk while it is open (waiting, or with a counsellor), deleted when it ends: the person (so their
    next message finds it), a random alias made for this talk only, the counsellor once one took it, times to the
    minute, and what the person chose to share (their province, their self-check's highest level).  Never a word
    of what was written.  Exists only under consent "live_talk"."""

    __tablename__ = "talks"
    __table_args__ = (UniqueConstraint("pseudonym"), {"info": {"purpose": "live_talk"}})  # one open talk each

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    pseudonym: Mapped[str] = owner_column()
    alias: Mapped[str] = mapped_column(String(8))
    counsellor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id", ondelete="SET NULL"), index=True)
    requested_at: Mapped[datetime] = mapped_column(MINUTE)
    started_at: Mapped[datetime | None] = mapped_column(MINUTE)
    # Since when the person's words wait for the counsellor's answer (NULL once answered): a counsellor silent for
    # too long has the talk offered again.
    awaiting_since: Mapped[datetime | None] = mapped_column(MINUTE, index=True)
    province: Mapped[str | None] = mapped_column(String(40))  # its id, to offer the talk there first
    province_name: Mapped[str | None] = mapped_column(String(40))  # as counsellors see it
    risk: Mapped[str | None] = mapped_column(String(20))
    from_selfcheck: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where the talk began in the person's chat (the chat's message number), to delete its messages when it ends,
    # unless the person chose to keep them; NULL where the platform cannot delete.
    wipe_from: Mapped[int | None] = mapped_column(Integer)
    keep_messages: Mapped[bool] = mapped_column(Boolean, default=False)


class DutyRow(Base):
    """A counsellor's duty: the display name they chose for talks, how many talks they take at once, and since
    when they are on duty (NULL while off).  Staff, not clients; kept between shifts."""

    __tablename__ = "duty"

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_members.id", ondelete="CASCADE"), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(40))
    capacity: Mapped[int] = mapped_column(Integer, default=3)
    since: Mapped[datetime | None] = mapped_column(MINUTE, index=True)


class RosterRow(Base):
    """When counsellors are usually on duty for live talks, nationwide (``province`` NULL) or in one province:
    OpenStreetMap opening-hours syntax, local time.  Said to people when nobody is on duty."""

    __tablename__ = "rosters"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    province: Mapped[str | None] = mapped_column(String(40), unique=True)
    hours: Mapped[str] = mapped_column(Text)


class TalkBlock(Base):
    """A person a counsellor blocked from live talks, until ``until`` (the day): by pseudonym, listed to operators by
    the alias of the talk it came from, never by who.  Deleted when it expires, when lifted, and by /forget."""

    __tablename__ = "talk_blocks"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    pseudonym: Mapped[str] = owner_column()
    alias: Mapped[str] = mapped_column(String(8))
    until: Mapped[datetime] = mapped_column(DAY, index=True)


class TalkNote(Base):
    """A counsellor's private note on a talk, kept only with their own consent ("talk_notes"): the talk's alias,
    the day, and topics picked from a fixed list (services spoken of, a follow-up suggested), never text, so never
    the person's words.  Only its counsellor sees it; deleted after 30 days, by them, or on withdrawal."""

    __tablename__ = "talk_notes"
    __table_args__ = ({"info": {"purpose": "talk_notes"}},)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    pseudonym: Mapped[str] = owner_column()  # the counsellor's
    alias: Mapped[str] = mapped_column(String(8))
    topics: Mapped[str] = mapped_column(String(400))  # ids from handlers.talks.notes.TOPICS, ";"-separated
    day: Mapped[datetime] = mapped_column(DAY, index=True)


class TalkWish(Base):
    """A person who asked to be told, once, when a counsellor is next on duty (instead of waiting in the queue):
    their pseudonym and until when the wish holds (to the hour), under the consent "talking with a counsellor".
    Deleted when the notice is queued, when they ask for a talk again, at ``until``, on withdrawal or /forget."""

    __tablename__ = "talk_wishes"
    __table_args__ = (UniqueConstraint("pseudonym"), {"info": {"purpose": "live_talk"}})

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    pseudonym: Mapped[str] = owner_column()
    until: Mapped[datetime] = mapped_column(HOUR, index=True)
