"""The engine: state survives a restart, expires, and a failing handler never leaves silence."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from bot.channels.console import INFO
from bot.config import Settings
from bot.jobs.scheduler import create_scheduler, purge_expired_state
from bot.runtime import Runtime, open_runtime
from core.clock import ManualClock
from core.conversation import Context, Conversation, Routes
from core.events import ChoiceMade, TextMessage
from core.hotlines import load_hotlines
from core.i18n import load_translator
from core.ports import StorageUnavailable
from core.state import ConversationState
from handlers import menu
from storage.repositories import SqlUnitOfWork

USER = "c" * 64


def engine_with(runtime: Runtime, *routers: Routes, retry_delays: tuple[float, ...] = (0.0,)) -> Conversation:
    """A conversation engine with the given routers and the real menu's fallbacks."""
    return Conversation(
        retry_delays=retry_delays,
        routers=list(routers),
        catalogue=runtime.conversation.catalogue,
        uow_factory=runtime.unit_of_work,
        clock=runtime.clock,
        i18n=load_translator(),
        hooks=[],
        fallback=menu.fallback_for(load_hotlines()),
        expired_choice=menu.expired_choice,
        failure_reply=menu.failure_reply,
        state_ttl=timedelta(hours=1),
    )


async def test_a_restart_resumes_the_conversation(settings: Settings, clock: ManualClock) -> None:
    async with await open_runtime(settings, clock=clock) as first:
        out = await first.conversation.handle(TextMessage(USER, "console", "/start"), INFO)
        assert "bao nhiêu tuổi" in out.replies[-1].text
    async with await open_runtime(settings, clock=clock) as second:  # a new process, same database
        out = await second.conversation.handle(TextMessage(USER, "console", "2"), INFO)
    assert "111" in out.replies[0].text


async def test_state_expires_after_its_ttl(runtime: Runtime, clock: ManualClock) -> None:
    await runtime.conversation.handle(TextMessage(USER, "console", "/start"), INFO)
    clock.advance(runtime.settings.state_ttl + timedelta(seconds=1))
    out = await runtime.conversation.handle(TextMessage(USER, "console", "2"), INFO)
    # The age question expired: "2" means nothing now, so the welcome starts again.
    assert "bao nhiêu tuổi" in out.replies[-1].text


async def test_scheduler_purges_expired_state(runtime: Runtime, clock: ManualClock) -> None:
    await runtime.conversation.handle(TextMessage(USER, "console", "/start"), INFO)
    assert await purge_expired_state(runtime) == 0
    clock.advance(runtime.settings.state_ttl + timedelta(minutes=1))
    assert await purge_expired_state(runtime) == 1
    scheduler = create_scheduler(runtime)
    scheduler.aps.start(paused=True)
    try:
        job = scheduler.aps.get_job("purge_expired_state")
        assert job is not None and job.misfire_grace_time == 300 and job.coalesce
    finally:
        scheduler.aps.shutdown(wait=False)


async def test_a_failing_handler_gets_an_apology_and_changes_nothing(runtime: Runtime) -> None:
    router = Routes("broken")

    @router.command("boom")
    async def boom(ctx: Context) -> None:
        ctx.state.enter("half", "done")
        await ctx.uow.users.set_stopped(ctx.user.pseudonym, True)
        raise RuntimeError("secret message text must not reach the log")

    conversation = engine_with(runtime, router, menu.router)
    out = await conversation.handle(TextMessage(USER, "console", "/boom"), INFO)
    assert "trục trặc" in out.replies[0].text
    async with runtime.unit_of_work() as uow:
        assert await uow.users.get(USER) is None  # the whole transaction was rolled back
        assert await uow.states.load(USER, runtime.clock.now()) is None


async def test_a_handler_that_says_nothing_still_gets_an_answer(runtime: Runtime) -> None:
    router = Routes("quiet")

    @router.choice("quiet", anytime=True)
    async def quiet(ctx: Context) -> None:
        return None

    conversation = engine_with(runtime, router)
    out = await conversation.handle(ChoiceMade(USER, "console", "quiet"), INFO)
    assert out.replies and "chưa hiểu" in out.replies[0].text


async def test_duplicate_registrations_are_refused(runtime: Runtime) -> None:
    import pytest

    with pytest.raises(ValueError, match="registered twice"):
        engine_with(runtime, menu.router, menu.router)


async def test_state_keeps_no_free_text(runtime: Runtime) -> None:
    await runtime.conversation.handle(TextMessage(USER, "console", "/start"), INFO)
    await runtime.conversation.handle(TextMessage(USER, "console", "tôi tên là Lan, canary-xyz"), INFO)
    async with runtime.unit_of_work() as uow:
        state = await uow.states.load(USER, runtime.clock.now())
    assert isinstance(state, ConversationState)
    assert "canary-xyz" not in state.to_json()


async def test_a_lost_database_connection_is_tried_again_then_apologised_for(runtime: Runtime) -> None:
    lost = 0

    def flaky(times: int) -> Callable[[], SqlUnitOfWork]:
        def unit_of_work() -> SqlUnitOfWork:
            nonlocal lost
            if lost < times:
                lost += 1
                raise StorageUnavailable("cut")
            return runtime.unit_of_work()

        return unit_of_work

    router = Routes("echo")

    @router.command("ping")
    async def ping(ctx: Context) -> None:
        ctx.say("pong")

    conversation = engine_with(runtime, router)
    conversation._uow_factory = flaky(1)
    assert [r.text for r in (await conversation.handle(TextMessage(USER, "console", "/ping"), INFO)).replies] == [
        "pong"
    ]
    lost = 0
    conversation._uow_factory = flaky(2)
    out = await conversation.handle(TextMessage(USER, "console", "/ping"), INFO)
    assert lost == 2 and "trục trặc" in out.replies[0].text  # more than its retries: the person gets an apology
    lost = 0
    conversation._uow_factory = flaky(2)
    with pytest.raises(StorageUnavailable):  # unless the platform will deliver it again (a webhook's 503)
        await conversation.handle(TextMessage(USER, "console", "/ping"), INFO, redeliverable=True)
