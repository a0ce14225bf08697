"""The conversation engine: routes a platform-neutral event to a handler and collects its replies.

One event is one database transaction: the person's state is loaded, a handler runs, the new state is
saved, all or nothing.  Events of one person are handled in order (a per-pseudonym lock), events of
different people concurrently.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar, overload

from core.capability import Catalogue, Flow, HookFunction
from core.choices import SEPARATOR, ChoiceData, ForgedChoice
from core.clock import Clock
from core.events import (
    Attachment,
    ChannelInfo,
    Choice,
    ChoiceMade,
    CommandMessage,
    Event,
    Link,
    Outcome,
    Passed,
    Render,
    Reply,
    TextMessage,
    Venue,
    Wipe,
)
from core.i18n import N_, Translator
from core.locks import KeyedLock
from core.logsafe import describe_exception
from core.onward import Onward
from core.ports import StorageUnavailable, UnitOfWork, UserRecord
from core.ratelimit import Inbound
from core.replies import replies_to_json
from core.sent import SentReplies
from core.state import ConversationState
from core.text import fold, is_long_message, normalize_input
from domain.understanding import GENERIC, Match, Understanding, best_intent

log = logging.getLogger(__name__)

Handler = Callable[["Context"], Awaitable[None]]
D = TypeVar("D", bound=ChoiceData)

# A lost connection or a database locked by another writer: the event is tried again after these pauses
# (seconds; each try also waits SQLite's busy timeout, 5 s), about half a minute in all.
RETRY_DELAYS = (0.1, 0.5, 1.0, 2.0, 4.0)
_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s+(.*))?$", re.DOTALL)
_LABEL_NOISE = re.compile(r"[^\w\s]")
# What a social word typed in the middle of a flow gets before the flow's question again.
SOCIAL_IN_FLOW = {
    "thanks": N_("You are welcome. To go on:"),
    "greeting": N_("Hello! To go on:"),
    "help": N_("Here is where we are. You can also open the main menu at any time with /menu."),
}


@dataclass
class Context:
    """Everything a handler may use for one event."""

    event: Event
    channel: ChannelInfo
    user: UserRecord
    state: ConversationState
    uow: UnitOfWork
    clock: Clock
    i18n: Translator
    catalogue: Catalogue
    replies: list[Reply] = field(default_factory=list)
    # Messages for others than the sender (see pass_on), sent after the sender's replies.
    passed: list[Passed] = field(default_factory=list)
    # The sender's chat's messages to delete before the replies (see wipe).
    wiping: Wipe | None = None
    erased: bool = False
    # What to ask again after an interruption, when it is not simply the last answer that asks something
    # (a welcome that ends with a question is re-asked as the question alone).
    ask_again: Reply | None = None
    # The text a person typed when the choice being handled was understood from it
    # ("methadone ở quận 8", noqa: i18n), so the handler can use the rest of it (the place).
    typed: str | None = None
    # Set by the engine: try what the typed text asks for instead of the question the flow is waiting on.
    understand: Callable[[], Awaitable[bool]] | None = field(default=None, repr=False)
    # What a typed message matched (domain.understanding), best first, and the intent to act on: worked out once
    # per message (see read).
    matches: Sequence[Match] = ()
    _intent: str | None = field(default=None, init=False, repr=False)

    def read(self, matches: Sequence[Match]) -> None:
        """What the typed message matched (the engine's call, once per message)."""
        self.matches = matches
        self._intent = best_intent(matches)

    def intent(self) -> str | None:
        """The intent a typed message asks for, or None."""
        return self._intent

    def understood_choices(self, limit: int = 3) -> list[Choice]:
        """The choices the intents a typed message matched stand for, the one acted on first, then the likeliest,
        one button each; greetings, thanks and "help" are not choices."""
        options: dict[str, Choice] = {}
        best = self.intent()
        ranked = sorted(self.matches, key=lambda m: m.intent != best)  # stable: the rest stay best first
        for match in ranked:
            if match.intent in GENERIC:
                continue
            found = self.catalogue.meaning(match.intent)
            if found is not None:
                understood, detail = found
                choice = Choice(understood.choice(detail), self._(understood.label_for(detail)))
                options.setdefault(choice.id, choice)
                if len(options) == limit:
                    break
        return list(options.values())

    async def understood_instead(self) -> bool:
        """For a flow whose answer could not be read (a place that is not a place): when the text asks for
        something else ("con tôi nghiện"), answer that and return True.  (noqa: i18n)"""
        return await self.understand() if self.understand is not None else False

    @property
    def now(self) -> datetime:
        return self.clock.now()

    def wipe(self, first: int = 1, last: int = 0, marks: Sequence[str] = ()) -> None:
        """Delete the messages ``first`` to ``last`` of the sender's chat (both sides'), and those remembered under
        ``marks``, before this event's replies are sent, where the channel can (``Render.DELETE``)."""
        if self.channel.renders & Render.DELETE and (first <= last or marks):
            self.wiping = Wipe(max(1, first), last, tuple(marks))

    async def remember(self, mark: str) -> None:
        """Remember the message the sender has just written (its number in their chat) under ``mark``, to delete
        it with the others of that mark (a counsellor's own words in a talk), where the channel can."""
        if self.channel.renders & Render.DELETE and self.event.position is not None:
            await self.uow.replies.remember(mark, [self.event.position], self.now)

    def pass_on(
        self,
        channel: str,
        address: str,
        pseudonym: str,
        *replies: Reply,
        wipe: Wipe | None = None,
        mark: str | None = None,
    ) -> None:
        """Send ``replies`` to somebody else (``address`` on ``channel``, the person ``pseudonym``), right after
        this event's own answer.  They are kept sealed with the event until sent, like its replies, so a
        process that stops before sending them leaves them to the dispatcher, not lost.  With ``mark``, the
        numbers of the messages sent are remembered under it, to delete them later (``Wipe.marks``)."""
        if replies and address:
            self.passed.append(Passed(channel, address, pseudonym, tuple(replies), wipe=wipe, mark=mark))

    def _(self, message: str) -> str:
        return self.i18n.gettext(message)

    def say(
        self,
        text: str,
        *,
        title: str | None = None,
        choices: Iterable[Choice] = (),
        links: Iterable[Link] = (),
        request_location: bool = False,
        request_contact: bool = False,
        venue: Venue | None = None,
        attachment: Attachment | None = None,
    ) -> None:
        self.replies.append(
            Reply(
                text=text,
                title=title,
                choices=tuple(choices),
                links=tuple(links),
                request_location=request_location,
                request_contact=request_contact,
                venue=venue,
                attachment=attachment,
            )
        )


class _Forged(Exception):
    """A button's data could not be unpacked: answered as an expired button."""


class Routes:
    """A capability's entry points: commands, choice actions, and the flow it owns."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.commands: dict[str, Handler] = {}
        self.choices: dict[str, tuple[Handler, bool]] = {}
        self.flows: dict[str, Handler] = {}

    def command(self, *names: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            for name in names:
                self.commands[name.lower()] = handler
            return handler

        return register

    @overload
    def choice(self, action: str, *, anytime: bool = False) -> Callable[[Handler], Handler]: ...

    @overload
    def choice(
        self, action: type[D], *, anytime: bool = False
    ) -> Callable[[Callable[[Context, D], Awaitable[None]]], Callable[[Context, D], Awaitable[None]]]: ...

    def choice(self, action: str | type[ChoiceData], *, anytime: bool = False) -> Callable[[Any], Any]:
        """Handle the choices ``action`` (plain data, no arguments) or those of a :class:`ChoiceData` type,
        whose handler gets the unpacked data (forged data is answered as an expired button).

        Unless ``anytime``, a choice is accepted only while it is on offer (it was in the bot's last
        answer): a replayed, stale or forged button gets a polite "expired" answer instead.
        """
        if isinstance(action, str):
            if SEPARATOR in action:
                raise ValueError("a plain choice has no arguments: declare a ChoiceData type")

            def register(handler: Handler) -> Handler:
                self._add_choice(action, handler, anytime)
                return handler

            return register
        data_type = action

        def register_typed(handler: Callable[[Context, D], Awaitable[None]]) -> Callable[[Context, D], Awaitable[None]]:
            async def unpacking(ctx: Context) -> None:
                assert isinstance(ctx.event, ChoiceMade)
                try:
                    data = data_type.unpack(ctx.event.choice_id)
                except ForgedChoice:
                    raise _Forged from None  # before the handler ran: nothing done yet
                await handler(ctx, data)  # type: ignore[arg-type]

            self._add_choice(data_type.prefix, unpacking, anytime)
            return handler

        return register_typed

    def _add_choice(self, key: str, handler: Handler, anytime: bool) -> None:
        if key in self.choices:
            raise ValueError(f"choice {key!r} is registered twice in {self.name}")
        self.choices[key] = (handler, anytime)

    def flow(self, flow: Flow) -> Callable[[Handler], Handler]:
        """Handle typed text, locations and contacts while the conversation is in ``flow`` (which its capability
        declares, so /privacy can name it)."""

        def register(handler: Handler) -> Handler:
            self.flows[flow.name] = handler
            return handler

        return register


V = TypeVar("V")


def _merge_table(routers: Sequence[Routes], kind: str, pick: Callable[[Routes], dict[str, V]]) -> dict[str, V]:
    table: dict[str, V] = {}
    for router in routers:
        for key, value in pick(router).items():
            if key in table:
                raise ValueError(f"{kind} {key!r} is registered twice (router {router.name})")
            table[key] = value
    return table


def _label_key(label: str) -> str:
    return fold(_LABEL_NOISE.sub(" ", label))


def parse_command(event: TextMessage) -> Event:
    match = _COMMAND.match(event.text)
    if not match:
        return event
    return CommandMessage(
        event.user,
        event.channel,
        match.group(1).lower(),
        (match.group(2) or "").strip(),
        address=event.address,
        delivery_key=event.delivery_key,
        position=event.position,
    )


def resolve_choice(event: Event, state: ConversationState) -> Event:
    """A typed number or label of an offered choice counts as choosing it (not in a live talk, where what is
    typed is for the other side, unless a flow waits for an answer)."""
    if not isinstance(event, TextMessage) or not state.offered or (state.talk is not None and state.flow is None):
        return event
    typed = event.text.strip().rstrip(".)")
    if typed.isdecimal():
        index = int(typed)
        if 1 <= index <= len(state.offered):
            return ChoiceMade(
                event.user, event.channel, state.offered[index - 1].id, address=event.address, position=event.position
            )
        return event
    key = _label_key(event.text)
    if key:
        for choice in state.offered:
            if _label_key(choice.label) == key:
                return ChoiceMade(event.user, event.channel, choice.id, address=event.address, position=event.position)
    return event


# How long the process that handled an event has to send its replies before the dispatcher sends them instead.
REPLY_LEASE = timedelta(minutes=2)
SLOW_DOWN = N_(
    "You are sending messages very quickly, so I could not read the last ones. Please wait a minute, then "
    "write again. If you need urgent medical help, call 115 now."
)


class Conversation:
    """Routes events to handlers; the single entry point every channel calls."""

    def __init__(
        self,
        *,
        routers: Sequence[Routes],
        catalogue: Catalogue,
        uow_factory: Callable[[], UnitOfWork],
        clock: Clock,
        i18n: Translator,
        hooks: Sequence[HookFunction],
        fallback: Handler,
        expired_choice: Handler,
        failure_reply: Callable[[Translator], Reply],
        state_ttl: timedelta,
        inbound: Inbound | None = None,
        retry_delays: Sequence[float] = RETRY_DELAYS,
        understanding: Understanding | None = None,
    ) -> None:
        self._retry_delays = tuple(retry_delays)
        self._understanding = understanding
        self._commands = _merge_table(routers, "command", lambda r: r.commands)
        self._choices = _merge_table(routers, "choice action", lambda r: r.choices)
        self._flows = _merge_table(routers, "flow", lambda r: r.flows)
        if undeclared := set(self._flows) - set(catalogue.flows):
            raise ValueError(f"flows {sorted(undeclared)} are routed but no capability declares them")
        self.catalogue = catalogue
        self._uow_factory = uow_factory
        self._clock = clock
        self._i18n = i18n
        self._hooks = tuple(hooks)
        self._fallback = fallback
        self._expired_choice = expired_choice
        self._failure_reply = failure_reply
        self._state_ttl = state_ttl
        self._locks = KeyedLock()
        self.inbound = inbound or Inbound()
        self._slow_down: set[str] = set()
        self.onward = Onward()  # where messages for others than the sender go (each channel registers)
        self.sent = SentReplies(self._forget_sent)

    def admit(self, user: str) -> bool:
        """Whether to take in one more event from ``user`` now (channels ask before waiting for the person's
        turn); False: drop it.  The first one over the limit is taken, and answered with "slow down"."""
        verdict = self.inbound.admit(user)
        if verdict == Inbound.WARN:
            self._slow_down.add(user)
        return verdict != Inbound.DROP

    @property
    def i18n(self) -> Translator:
        return self._i18n

    @property
    def flows(self) -> frozenset[str]:
        """The names of every routed flow (each declared by its capability, so /privacy can name it)."""
        return frozenset(self._flows)

    @property
    def commands(self) -> frozenset[str]:
        return frozenset(self._commands)

    @property
    def choice_actions(self) -> frozenset[str]:
        """Every routed choice action (the part of a choice id before its first ":")."""
        return frozenset(self._choices)

    @property
    def anytime_choices(self) -> frozenset[str]:
        """Choice actions accepted whether or not they are on offer (menu entries, say)."""
        return frozenset(action for action, (_, anytime) in self._choices.items() if anytime)

    def turn(self, user: str) -> contextlib.AbstractAsyncContextManager[None]:
        """Hold ``user``'s turn: their events are handled one at a time, in order.  A channel holds it from
        an update's arrival until its replies are sent, and calls :meth:`handle` with ``in_turn``."""
        return self._locks.hold(user)

    async def handle(
        self, event: Event, channel: ChannelInfo, *, redeliverable: bool = False, in_turn: bool = False
    ) -> Outcome:
        """Handle one event; never raises for a handler's fault (the person gets an apology).

        When the database cannot be reached or stays locked, the event is tried again with back-off
        (``retry_delays``); if it still cannot be committed, an event the platform will deliver again
        (``redeliverable``: a webhook answered with an error) raises :class:`StorageUnavailable`, so nothing is
        lost; any other gets the apology."""
        if event.user in self._slow_down:
            self._slow_down.discard(event.user)
            return Outcome(replies=[Reply(self._i18n.gettext(SLOW_DOWN))])
        if isinstance(event, TextMessage):
            event = parse_command(replace(event, text=normalize_input(event.text)))
        async with contextlib.nullcontext() if in_turn else self._locks.hold(event.user):
            for attempt in range(len(self._retry_delays) + 1):
                try:
                    return await self._handle(event, channel)
                except StorageUnavailable as exc:
                    # Nothing was kept and nothing sent yet: a fresh connection gets the same event again.
                    if attempt < len(self._retry_delays):
                        log.warning("the database is unavailable (%s); handling the event again", type(exc).__name__)
                        await asyncio.sleep(self._retry_delays[attempt])
                        continue
                    log.error("handling a %s failed: %s", type(event).__name__, describe_exception(exc))
                    if redeliverable:
                        raise
                except Exception as exc:
                    log.error("handling a %s failed: %s", type(event).__name__, describe_exception(exc))
                    break
            return Outcome(replies=[self._failure_reply(self._i18n)])

    async def _handle(self, event: Event, channel: ChannelInfo) -> Outcome:
        now = self._clock.now()
        today = now.astimezone(self._i18n.timezone).date()
        async with self._uow_factory() as uow:
            arrival = await uow.arrivals.arrive(event.channel, event.delivery_key, event.user, today, now)
            if arrival is None:
                return Outcome(duplicate=True)  # delivered again: it was handled (and answered) already
            state = arrival.state or ConversationState()
            ctx = Context(
                event=resolve_choice(event, state),
                channel=channel,
                user=arrival.user,
                state=state,
                uow=uow,
                clock=self._clock,
                i18n=self._i18n,
                catalogue=self.catalogue,
            )
            if isinstance(ctx.event, TextMessage) and self._understanding is not None:
                ctx.read(self._understanding.rank(ctx.event.text))
            await self._dispatch(ctx)
            if not ctx.replies and not ctx.passed and not ctx.erased:  # never silence (a relayed message is heard)
                await self._fallback(ctx)
            if not ctx.erased:
                self._remember_offer(ctx)
                if ctx.state.is_empty():
                    await uow.states.clear(event.user)
                else:
                    ttl = self._state_ttl
                    if ctx.state.keep_for is not None:
                        ttl = min(ttl, timedelta(seconds=ctx.state.keep_for))
                    await uow.states.save(event.user, ctx.state, now + ttl)
            reply_id = None
            if event.address and ctx.replies:  # the replies outlive this process: sent after the commit, or later
                replies = replies_to_json(ctx.replies)
                reply_id = await uow.replies.keep(event.channel, event.address, replies, now + REPLY_LEASE)
            passed = [
                replace(
                    p,
                    reply_id=await uow.replies.keep(
                        p.channel, p.address, replies_to_json(p.replies), now + REPLY_LEASE, p.mark
                    ),
                )
                for p in ctx.passed
            ]
            sent = self.sent.take()  # the replies of earlier events sent since, forgotten in this transaction
            try:
                await uow.replies.sent(sent)
                await uow.commit()
            except BaseException:
                self.sent.add(sent)
                raise
        return Outcome(replies=ctx.replies, passed=passed, erased=ctx.erased, reply_id=reply_id, wipe=ctx.wiping)

    async def take_marked(self, marks: Sequence[str]) -> list[int]:
        """The message numbers remembered under ``marks`` (to delete them from their chat), forgotten."""
        async with self._uow_factory() as uow:
            found = await uow.replies.take_marked(marks)
            await uow.commit()
            return found

    async def replies_sent(self, reply_id: int | None, mark: str | None = None, ids: Sequence[int] = ()) -> None:
        """The replies kept with an event have been sent (or refused for good): forget them; remember the
        numbers of the messages sent (``ids``) under ``mark``, if any."""
        if mark is None or not ids:
            self.sent.add([reply_id] if reply_id is not None else [])  # forgotten with the next event (core.sent)
            return
        try:
            async with self._uow_factory() as uow:
                await uow.replies.sent([reply_id] if reply_id is not None else [])
                await uow.replies.remember(mark, ids, self._clock.now())
                await uow.commit()
        except Exception as exc:  # they were sent: at worst the dispatcher sends them once more
            log.warning("could not mark replies as sent: %s", describe_exception(exc))

    async def _forget_sent(self, reply_ids: list[int]) -> None:
        async with self._uow_factory() as uow:
            await uow.replies.sent(reply_ids)
            await uow.commit()

    async def close(self) -> None:
        """Forget the replies sent so far (before the database is closed)."""
        await self.sent.close()

    async def _dispatch(self, ctx: Context) -> None:
        for hook in self._hooks:
            if await hook(ctx):
                return
        event = ctx.event
        if isinstance(event, CommandMessage):
            await self._commands.get(event.command, self._fallback)(ctx)
        elif isinstance(event, ChoiceMade):
            entry = self._choices.get(event.choice_id.partition(":")[0])
            offered = any(c.id == event.choice_id for c in ctx.state.offered)
            if entry is None or not (entry[1] or offered):
                await self._expired_choice(ctx)
            else:
                try:
                    await entry[0](ctx)
                except _Forged:
                    await self._expired_choice(ctx)
        elif ctx.state.flow is not None and ctx.state.flow in self._flows:
            if isinstance(event, TextMessage):
                ctx.understand = lambda: self._understood(ctx, event, typed_only=True)
            await self._flows[ctx.state.flow](ctx)
        elif not (
            isinstance(event, TextMessage) and (self._out_of_range(ctx, event) or await self._understood(ctx, event))
        ):
            await self._fallback(ctx)

    def _out_of_range(self, ctx: Context, event: TextMessage) -> bool:
        """A number typed outside a flow, beyond the choices on offer: say which numbers there are, ask again."""
        typed = event.text.strip().rstrip(".)")
        offered = len(ctx.state.offered)
        if not (typed.isdecimal() and offered):
            return False
        text = ctx._("Please type a number from 1 to {count}.").format(count=offered)
        if ctx.state.prompt:
            ctx.say(text)
            ctx.replies.extend(ctx.state.prompt)
        else:  # the same choices again, numbered the same way
            ctx.say(text, choices=list(ctx.state.offered))
        return True

    async def _understood(self, ctx: Context, event: TextMessage, *, typed_only: bool = False) -> bool:
        """Typed text that asks for something a capability answers: taken as the choice it stands for, as if
        pressed; when the match is only by similarity, the likeliest choices are offered instead."""
        intent = ctx.intent()
        if typed_only and intent in GENERIC:  # thanks while a question waits: a word back, and the question
            return self._social_in_flow(ctx, intent)
        meaning = self.catalogue.meaning(intent) if intent else None
        if meaning is None or is_long_message(event.text):  # a long message is heard first (the fallback)
            return False
        understood, detail = meaning
        choice_id = understood.choice(detail)
        entry = self._choices.get(choice_id.partition(":")[0])
        if entry is None:
            return False
        if all(m.how == "near" for m in ctx.matches):  # only look-alikes: ask rather than guess
            if typed_only:
                return False
            ctx.say(
                ctx._("Did you mean one of these?"),
                choices=[*ctx.understood_choices(), Choice("menu", ctx._("Main menu"))],
            )
            return True
        ctx.event = ChoiceMade(event.user, event.channel, choice_id, address=event.address, position=event.position)
        ctx.typed = event.text
        await entry[0](ctx)
        return True

    @staticmethod
    def _social_in_flow(ctx: Context, intent: str | None) -> bool:
        """Thanks, a greeting, "help" or goodbye typed while a flow waits for an answer: answered in a word, the
        flow kept (its question asked again, except after goodbye)."""
        if not ctx.state.prompt:
            return False
        if intent == "goodbye":
            ctx.say(ctx._("Take care. You can write again at any time, day or night."))
            return True
        ctx.say(ctx._(SOCIAL_IN_FLOW.get(intent or "", SOCIAL_IN_FLOW["help"])))
        ctx.replies.extend(ctx.state.prompt)
        return True

    async def offer(self, pseudonym: str, choices: Sequence[Choice]) -> None:
        """Make a message the bot sent by itself (a reminder) answerable by typing a number or a label, on
        channels without buttons: its choices become the ones on offer."""
        if not choices:
            return
        now = self._clock.now()
        async with self._locks.hold(pseudonym), self._uow_factory() as uow:
            if await uow.users.get(pseudonym) is None:
                return
            state = await uow.states.load(pseudonym, now) or ConversationState()
            state.offered = list(choices)
            await uow.states.save(pseudonym, state, now + self._state_ttl)
            await uow.commit()

    @staticmethod
    def _remember_offer(ctx: Context) -> None:
        ctx.state.offered = [choice for reply in ctx.replies for choice in reply.choices]
        if ctx.state.flow is None:
            ctx.state.prompt = []
        elif ctx.ask_again is not None:
            ctx.state.prompt = [ctx.ask_again]
        elif ctx.replies:
            # The question to ask again after an interruption: the last answer that asks for something.
            asking = [r for r in ctx.replies if r.choices or r.request_location or r.request_contact]
            ctx.state.prompt = asking[-1:] or list(ctx.replies)
