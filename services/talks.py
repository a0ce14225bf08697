"""What live talks send on their own, through the outbox, and the watch that sends it: a talk whose person has
waited too long for the counsellor's answer goes back to the queue (the person told, the talk offered again), and a
talk nobody took for many hours is given up kindly (expired blocks are purged with the rest of what expires,
``bot.jobs.scheduler.purge_expired_state``).  Also the consents both sides give, and the button that takes a
talk (the outbox renders it, so it lives here, below the handlers)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from core.choices import ChoiceData
from core.clock import at_once, week_start
from core.consent import Purpose
from core.events import Choice
from core.i18n import N_, Translator
from core.notices import Notice, Params
from core.ports import UnitOfWork
from core.ports.talks import TALKS, DutyRecord, TalkRecord
from domain.talks import OnDuty, Waiting, offer_to

LIVE_TALK = Purpose(
    id="live_talk",
    version="2026-12-v1",
    title=N_("Talking with a counsellor"),
    explanation=N_(
        "To pass your messages to a counsellor and theirs to you, I keep your chat address, encrypted, while the "
        "talk lasts, and delete it when it ends. Nothing of what either of you writes is kept: not by me, and not "
        "in any record. The counsellor sees only a name made for this talk, such as #K7Q2, never your name, "
        "account or phone number."
    ),
)
DUTY = Purpose(
    id="duty",
    version="2026-12-v1",
    title=N_("Being on duty for live talks"),
    explanation=N_(
        "While you are on duty, I keep your chat address, encrypted, to pass you the talks people ask for and "
        "their messages. It is deleted when your shift ends. People see only the display name you choose."
    ),
)
TALK_NOTES = Purpose(
    id="talk_notes",
    version="2026-12-v1",
    title=N_("Private notes on your live talks"),
    explanation=N_(
        "For you alone, I keep for 30 days the name of the talk (such as #K7Q2), the day, and the topics you pick "
        "from a list: never any text, so never what anyone wrote. You can delete them at any time from your duty "
        "page, and withdrawing this consent deletes them."
    ),
)
KEEP_NOTES = timedelta(days=30)
WISH_FOR = timedelta(hours=24)  # "tell me when someone is on duty" holds this long
SILENT_AFTER = timedelta(minutes=10)  # a person's words unanswered this long: the talk is offered again
GIVE_UP_AFTER = timedelta(hours=12)  # a talk nobody took in this long is ended, the person told
NOTICE = 0  # outbox priority: before reminders and broadcasts


@dataclass(frozen=True)
class Take(ChoiceData, prefix="talk.take"):
    """A counsellor takes a waiting talk (sent to every counsellor with room; the first press wins)."""

    talk: int


def _take(i18n: Translator, params: Params) -> tuple[Choice, ...]:
    label = i18n.gettext("Take the talk {alias}").format(alias=params["alias"])
    return (Take(int(params["talk_id"])).choice(label),)


NOTICES = (
    Notice(
        "talk_offer",
        N_("Someone is waiting to talk: {talk}."),
        stale_after=timedelta(hours=1),
        values=lambda i18n, params: {"talk": str(params["alias"])},
        choices=_take,
    ),
    Notice(
        "talk_back_in_queue",
        N_(
            "The counsellor has not been able to answer for a while, so your talk is back at the front of the "
            "queue: the next counsellor free will take over. You may need to say again what you wrote."
        ),
        stale_after=timedelta(hours=1),
    ),
    Notice(
        "talk_taken_back",
        N_("{alias} had waited {minutes} minutes for an answer, so the talk went back to the queue."),
        stale_after=timedelta(hours=1),
    ),
    Notice(
        "talk_someone_free",
        N_("A counsellor is on duty now. If you still want to talk, press the button, or send /noichuyen."),
        stale_after=timedelta(hours=3),
        choices=lambda i18n, params: (Choice("talk", i18n.gettext("Talk to a counsellor now")),),
    ),
    Notice(
        "talk_given_up",
        N_(
            "I am sorry: no counsellor was free to take your talk. You can ask again at any time, or book an "
            "appointment. If you need help now, call 115, or send /khancap."
        ),
        stale_after=timedelta(hours=6),
    ),
)


async def tell(
    uow: UnitOfWork, pseudonym: str, purpose: str, kind: str, params: dict[str, object], key: str, now: datetime
) -> None:
    handle = await uow.handles.find(pseudonym, purpose)
    if handle is not None:
        await uow.outbox.enqueue(handle, at_once(now), kind, dict(params), key, priority=NOTICE)


async def tell_wishes(uow: UnitOfWork, now: datetime) -> int:
    """A counsellor has gone on duty: tell, once, everyone who asked to know (their address then kept only until
    the notice is sent).  How many."""
    told = 0
    for pseudonym in await uow.get(TALKS).take_wishes(now):
        handle = await uow.handles.find(pseudonym, LIVE_TALK.id)
        if handle is None:
            continue
        key = f"talk-free:{handle}:{now.isoformat(timespec='minutes')}"
        await uow.outbox.enqueue(handle, at_once(now), "talk_someone_free", {}, key, priority=NOTICE)
        await uow.handles.set_delete_after(handle, now + timedelta(hours=6))
        told += 1
    return told


def routing(duties: Sequence[DutyRecord]) -> list[OnDuty]:
    """Who is on duty, as :func:`domain.talks.offer_to` and :func:`domain.talks.estimate_wait` take them."""
    return [OnDuty(d.staff_id, d.since, d.talks, d.capacity, d.province) for d in duties if d.since is not None]


def offer_order(talk: TalkRecord, duties: Sequence[DutyRecord]) -> list[int]:
    """The counsellors a waiting talk is offered to, in order (those with room)."""
    return offer_to(Waiting(talk.id, talk.requested_at, talk.province), routing(duties))


async def offer_again(uow: UnitOfWork, talk: TalkRecord, now: datetime, *, besides: int | None = None) -> None:
    """Offer a talk back in the queue to the counsellors on duty with room (not ``besides``), by the outbox."""
    duties = [d for d in await uow.get(TALKS).on_duty() if d.staff_id != besides]
    for staff_id in offer_order(talk, duties):
        member = await uow.staff.get(staff_id)
        if member is not None:
            key = f"talk-offer:{talk.id}:{staff_id}:{now.isoformat(timespec='minutes')}"
            params = {"talk_id": talk.id, "alias": talk.alias}
            await tell(uow, member.pseudonym, DUTY.id, "talk_offer", params, key, now)


async def relieve(uow: UnitOfWork, staff_id: int, now: datetime) -> int:
    """Take a counsellor off duty from outside their chat (their role revoked): each talk they held goes back to
    the queue, its person told, and is offered to the others on duty.  How many talks were held."""
    repo = uow.get(TALKS)
    duty = await repo.duty(staff_id)
    if duty is None:
        return 0
    held = await repo.held_by(staff_id)
    await repo.set_duty(staff_id, since=None)
    stamp = now.isoformat(timespec="minutes")
    for talk in held:
        await repo.release(talk.id)
        await tell(uow, talk.pseudonym, LIVE_TALK.id, "talk_back_in_queue", {}, f"talk-back:{talk.id}:{stamp}", now)
        refreshed = await repo.get(talk.id)
        if refreshed is not None:
            await offer_again(uow, refreshed, now, besides=staff_id)
    return len(held)


async def watch_talks(uow: UnitOfWork, now: datetime, timezone: tzinfo) -> int:
    """Hand back the talks whose counsellor went silent; give up the talks nobody took.  How many changed."""
    repo = uow.get(TALKS)
    changed = 0
    for talk in await repo.unanswered(now - SILENT_AFTER):
        await repo.release(talk.id)
        stamp = now.isoformat(timespec="minutes")
        await tell(uow, talk.pseudonym, LIVE_TALK.id, "talk_back_in_queue", {}, f"talk-back:{talk.id}:{stamp}", now)
        member = await uow.staff.get(talk.counsellor_id) if talk.counsellor_id is not None else None
        if member is not None:
            params = {"alias": talk.alias, "minutes": int(SILENT_AFTER.total_seconds() // 60)}
            await tell(uow, member.pseudonym, DUTY.id, "talk_taken_back", params, f"talk-taken:{talk.id}:{stamp}", now)
        await offer_again(uow, talk, now, besides=talk.counsellor_id)
        await uow.tallies.add(_week(now, timezone), "talk_handed_back")
        changed += 1
    for talk in await repo.waiting_since(now - GIVE_UP_AFTER):
        await tell(uow, talk.pseudonym, LIVE_TALK.id, "talk_given_up", {}, f"talk-gone:{talk.id}", now)
        handle = await uow.handles.find(talk.pseudonym, LIVE_TALK.id)
        if handle is not None:  # kept only until the notice is sent
            await uow.handles.set_delete_after(handle, now + timedelta(hours=6))
        await repo.end(talk.id)
        await uow.tallies.add(_week(now, timezone), "talk_cancelled", subject="timeout")
        changed += 1
    return changed


def _week(now: datetime, timezone: tzinfo) -> date:
    return week_start(now.astimezone(timezone).date())
