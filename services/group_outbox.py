"""What groups send through the outbox: reminders before each meeting, news of a meeting called off or
moved, and a leader's broadcasts.  Written in the same transaction as the change that causes them.

Reminders are written a day ahead (the scheduler plans them every few minutes, and joining plans them at
once), one per member, meeting and lead time: the idempotency key names all three, so planning twice, or
after a restart, never doubles one.  A reminder that would fall in the quiet hours is moved out of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from core.choices import ChoiceData
from core.clock import at_once
from core.events import Choice
from core.i18n import N_, Translator
from core.notices import Notice, Params
from core.ports import GroupRecord, Membership, UnitOfWork
from domain.quiet_hours import QuietHours
from domain.recurrence import Meeting, meetings, reminder_times

PLAN_AHEAD = timedelta(days=1)  # reminders due within this are written to the outbox
LOOK_BACK = timedelta(hours=6)  # ...and those missed by this much (the late rule then decides)
QUIET = QuietHours()
REMINDER, BULK, NOTICE = 1, 2, 0  # outbox priorities
PROGRESS_EVERY = timedelta(seconds=30)  # how often a leader is told how a broadcast is going


@dataclass(frozen=True)
class Rsvp(ChoiceData, prefix="gr"):  # "I'll come" on a reminder; checked against the member's owner when pressed
    member: int
    day: date
    answer: Literal["y", "n"]


def _reminder_late(params: Params, due_at: datetime, now: datetime) -> bool:
    """A quarter of the lead time (24 h -> 6 h, 1 h -> 15 min), and never once the meeting has begun."""
    starts = datetime.fromisoformat(str(params["at"]))
    lead = timedelta(minutes=int(params.get("offset", 60)))
    return now >= starts or now > due_at + lead / 4


def _rsvp(i18n: Translator, params: Params) -> tuple[Choice, ...]:
    if "member" not in params or "day" not in params:
        return ()
    member, day = int(params["member"]), date.fromisoformat(str(params["day"]))
    return (
        Rsvp(member, day, "y").choice(i18n.gettext("I'll come")),
        Rsvp(member, day, "n").choice(i18n.gettext("I can't come")),
    )


GROUP_REMINDER = Notice(
    "group_reminder",
    N_("Reminder: {group} meets {when}, {place}."),
    late=_reminder_late,
    choices=_rsvp,
    tally="reminder_sent",  # an anonymous weekly count for the programme figures
)
GROUP_CANCELLED = Notice(
    "group_cancelled", N_("{group}: the meeting of {day} will not take place. See you at the next one.")
)
GROUP_MOVED = Notice("group_moved", N_("{group}: the meeting of {day} has moved to {when}, {place}."))
GROUP_BROADCAST = Notice("group_broadcast", N_("Message from {group}:\n\n{text}"))
BROADCAST_PROGRESS = Notice("broadcast_progress", N_("Your message to {group}: sent {sent}/{total}."))
BROADCAST_REPORT = Notice(
    "broadcast_report",
    N_(
        "Your message to {group} is done: {sent} of {total} received it; {stopped} have blocked the bot; "
        "{failed} could not be reached or not confirmed."
    ),
)
NOTICES = (GROUP_REMINDER, GROUP_CANCELLED, GROUP_MOVED, GROUP_BROADCAST, BROADCAST_PROGRESS, BROADCAST_REPORT)


def group_topics(group_id: int) -> str:
    """The prefix of every meeting topic of a group (to forget them all when its schedule changes)."""
    return f"g:{group_id}:"


def broadcast_topic(broadcast_id: int) -> str:
    """The outbox topic of one broadcast's messages (their states are its progress)."""
    return f"b:{broadcast_id}"


def meeting_topic(group_id: int, original_day: date) -> str:
    return f"{group_topics(group_id)}{original_day.isoformat()}"


async def place_of(uow: UnitOfWork, group: GroupRecord) -> str:
    """Where the group meets: its service point (name, address), else its address or link; "" if unset."""
    if group.point_id is not None:
        point = await uow.directory.get(group.point_id)
        if point is not None:
            return f"{point.name}, {point.address}"
    return group.place


async def place_text(uow: UnitOfWork, i18n: Translator, group: GroupRecord) -> str:
    """Where the group meets, as a reminder says it."""
    place = await place_of(uow, group)
    if place.startswith(("https://", "http://")):
        return i18n.gettext("online: {link}").format(link=place)
    return i18n.gettext("at {place}").format(place=place) if place else ""


@dataclass(frozen=True)
class DueReminders:
    """One meeting's reminders at one lead time: when they are due, their topic, and per member (handle,
    parameters, idempotency key).  The key names member, meeting and lead time."""

    topic: str
    due_at: datetime
    rows: list[tuple[int, dict[str, object], str]]


def reminders_due(
    group: GroupRecord,
    members: Sequence[Membership],
    place: str,
    now: datetime,
    zone: ZoneInfo,
    *,
    since: datetime | None = None,
) -> list[DueReminders]:
    """The reminders due before ``now + PLAN_AHEAD`` (and not before ``since``, by default ``LOOK_BACK`` ago)
    for these members, each moved out of the quiet hours."""
    if not group.reminder_minutes or not members:
        return []
    offsets = tuple(timedelta(minutes=m) for m in group.reminder_minutes)
    earliest = since if since is not None else now - LOOK_BACK
    found = []
    for meeting in meetings(group.schedule, earliest, now + PLAN_AHEAD + max(offsets), zone):
        for offset, due in reminder_times(meeting, offsets):
            due = QUIET.reminder_time(due, meeting.start, zone)
            if due > now + PLAN_AHEAD:
                continue
            minutes = int(offset.total_seconds() // 60)
            at, day, stamp = meeting.start.isoformat(), meeting.original_day.isoformat(), f"{meeting.start:%Y%m%d%H%M}"
            params = {"group": group.name, "at": at, "place": place, "day": day, "offset": minutes}
            rows: list[tuple[int, dict[str, object], str]] = [
                (member.handle_id, {**params, "member": member.id}, f"g:{member.id}:{stamp}:{minutes}")
                for member in members
                if member.handle_id is not None and due >= max(earliest, member.joined_at)
            ]
            if rows:
                found.append(DueReminders(meeting_topic(group.id, meeting.original_day), due, rows))
    return found


async def _missing(uow: UnitOfWork, due: list[DueReminders]) -> list[DueReminders]:
    """``due`` without the reminders already written (found by topic, before anything is sealed)."""
    planned = await uow.outbox.keys_in({batch.topic for batch in due}) if due else set()
    kept = [
        DueReminders(batch.topic, batch.due_at, [row for row in batch.rows if row[2] not in planned]) for batch in due
    ]
    return [batch for batch in kept if batch.rows]


async def _write(uow: UnitOfWork, batch: DueReminders) -> int:
    await uow.outbox.enqueue_many(
        batch.rows, batch.due_at, GROUP_REMINDER.kind, priority=REMINDER, quiet=True, topic=batch.topic
    )
    return len(batch.rows)


async def plan_reminders(
    uow: UnitOfWork,
    i18n: Translator,
    group: GroupRecord,
    members: Sequence[Membership],
    now: datetime,
    *,
    since: datetime | None = None,
) -> int:
    """Write, in this transaction, the reminders due before ``now + PLAN_AHEAD`` for these members that are not
    written yet; returns how many were written."""
    if not group.reminder_minutes or not members:
        return 0
    place = await place_text(uow, i18n, group)
    due = await _missing(uow, reminders_due(group, members, place, now, i18n.timezone, since=since))
    return sum([await _write(uow, batch) for batch in due])


PLAN_CHUNK = 100  # reminders written per transaction by the scheduler's planning


async def plan_all(units: Callable[[], UnitOfWork], i18n: Translator, now: datetime) -> int:
    """The scheduler's job: reminders of every group, for every member who gets them, that are not written yet.

    Small transactions: one to list the groups, one per group to read its members and what is already planned,
    one per ``PLAN_CHUNK`` reminders written.  On SQLite every transaction takes the single writer's turn, so
    someone's message waits for one chunk at most, never for the whole plan.  Returns how many were written."""
    async with units() as uow:
        groups = [group for group, _changed in await uow.groups.all_groups() if group.reminder_minutes]
    written = 0
    for group in groups:
        async with units() as uow:
            members = await uow.groups.recipients(group.id)
            place = await place_text(uow, i18n, group) if members else ""
            due = await _missing(uow, reminders_due(group, members, place, now, i18n.timezone))
        for batch in due:
            for start in range(0, len(batch.rows), PLAN_CHUNK):
                async with units() as uow:
                    written += await _write(
                        uow, DueReminders(batch.topic, batch.due_at, batch.rows[start : start + PLAN_CHUNK])
                    )
                    await uow.commit()
    return written


async def meeting_changed(
    uow: UnitOfWork, i18n: Translator, group: GroupRecord, meeting: Meeting, moved_to: datetime | None, now: datetime
) -> int:
    """A meeting was called off (``moved_to`` None) or moved: its pending reminders go, members are told,
    and a moved meeting gets its own reminders.  Returns how many members are told."""
    await uow.groups.change_meeting(group.id, meeting.original_day, moved_to, now)
    await uow.outbox.drop_topic(meeting_topic(group.id, meeting.original_day))
    members = await uow.groups.recipients(group.id)
    day = meeting.original_day.isoformat()
    if moved_to is None:
        kind, stamp = GROUP_CANCELLED.kind, "x"
        extra: dict[str, str] = {}
    else:
        kind, stamp = GROUP_MOVED.kind, f"{moved_to:%Y%m%d%H%M}"
        extra = {"at": moved_to.isoformat(), "place": await place_text(uow, i18n, group)}
    rows = [
        (m.handle_id, {"group": group.name, "day": day, **extra}, f"gc:{group.id}:{day}:{stamp}:{m.id}")
        for m in members
        if m.handle_id is not None
    ]
    await uow.outbox.enqueue_many(rows, at_once(now), kind, priority=REMINDER, quiet=True)
    if moved_to is not None:
        updated = await uow.groups.get(group.id)
        if updated is not None:
            await plan_reminders(uow, i18n, updated, members, now, since=now)
    return len(rows)


async def start_broadcast(
    uow: UnitOfWork, group: GroupRecord, text: str, now: datetime, *, urgent: bool, notify_handle_id: int | None
) -> tuple[int, int]:
    """Write one message per member who gets messages; returns (broadcast id, how many)."""
    members = [m for m in await uow.groups.recipients(group.id) if m.handle_id is not None]
    broadcast = await uow.broadcasts.create(group.id, now, urgent=urgent, notify_handle_id=notify_handle_id)
    topic = broadcast_topic(broadcast)
    rows = [(m.handle_id, {"group": group.name, "text": text}, f"{topic}:{m.id}") for m in members]
    await uow.outbox.enqueue_many(
        rows,  # type: ignore[arg-type]
        at_once(now),
        GROUP_BROADCAST.kind,
        priority=BULK,
        quiet=not urgent,
        topic=topic,
    )
    await uow.broadcasts.set_total(broadcast, len(rows))
    return broadcast, len(rows)


async def report_broadcasts(uow: UnitOfWork, now: datetime) -> None:
    """Tell leaders how their broadcasts are going: progress every ``PROGRESS_EVERY``, a report at the end."""
    for broadcast in await uow.broadcasts.unfinished():
        counts = await uow.outbox.counts(broadcast_topic(broadcast.id))
        waiting = sum(counts.get(state, 0) for state in ("pending", "claimed", "sending"))
        sent = counts.get("sent", 0)
        group = await uow.groups.get(broadcast.group_id)
        name = group.name if group else ""
        handle = broadcast.notify_handle_id
        if not waiting:
            stopped = counts.get("stopped", 0)
            failed = sum(counts.get(state, 0) for state in ("failed", "late", "unknown"))
            await uow.broadcasts.finish(broadcast.id, now, sent=sent, stopped=stopped, failed=failed)
            if handle is not None:
                params = {"group": name, "sent": sent, "total": broadcast.total, "stopped": stopped, "failed": failed}
                await uow.outbox.enqueue(
                    handle, at_once(now), BROADCAST_REPORT.kind, params, f"br:{broadcast.id}", priority=0
                )
        elif handle is not None and (broadcast.progress_at is None or now - broadcast.progress_at >= PROGRESS_EVERY):
            await uow.broadcasts.told_progress(broadcast.id, now)
            params = {"group": name, "sent": sent, "total": broadcast.total}
            key = f"bp:{broadcast.id}:{sent}"
            await uow.outbox.enqueue(handle, at_once(now), BROADCAST_PROGRESS.kind, params, key, priority=0)
