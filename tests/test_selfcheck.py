"""After a full self-check the database holds the anonymous weekly counter, and nothing of the answers;
an unsaved result waits a short while for "save" and is gone; saving needs its own consent."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bot.jobs.scheduler import purge_expired_state
from bot.runtime import Runtime
from core.clock import ManualClock
from core.ports.selfcheck import SAVED_RESULTS
from handlers.selfcheck import PENDING_SECONDS
from storage.models import Consent, ConversationStateRow, SavedResult, Tally, coarsen
from tests.dialog import ConsoleDriver, play
from tests.test_dialogs import DIALOGS, FREQ, NO, RECENT, START_CHECK, YES

HEROIN = "self-check: daily heroin and frequent injecting is high risk with treatment and testing next"
DRINKING = "self-check: weekend drinking scores 11, moderate, with tips and counselling"


async def test_only_the_anonymous_counter_remains(runtime: Runtime, clock: ManualClock) -> None:
    await play(ConsoleDriver(runtime), DIALOGS[HEROIN])  # ends on the result
    await play(ConsoleDriver(runtime, user_id="someone-else"), DIALOGS[DRINKING])  # reads tips, back to the result
    async with runtime.unit_of_work() as uow:
        rows = (await uow.session.scalars(select(ConversationStateRow))).all()
        states = [(row.expires_at, uow.states.unseal(row.data)) for row in rows]
        tallies = [
            (t.week, t.kind, t.instrument, t.subject, t.level, t.count)
            for t in await uow.session.scalars(select(Tally).order_by(Tally.kind, Tally.subject, Tally.level))
        ]
        assert (await uow.session.scalars(select(SavedResult))).all() == []
        assert (await uow.session.scalars(select(Consent))).all() == []
    assert tallies == [
        (date(2026, 11, 23), "reached", "", "adult", "", 2),
        (date(2026, 11, 23), "selfcheck", "assist_v3", "alcohol", "moderate", 1),
        (date(2026, 11, 23), "selfcheck", "assist_v3", "opioids", "high", 1),
        (date(2026, 11, 23), "selfcheck_done", "assist_v3", "", "high", 1),  # one check, by its highest risk
        (date(2026, 11, 23), "selfcheck_done", "assist_v3", "", "moderate", 1),
    ]
    pending = [(expires, state) for expires, state in states if state.flow is not None]
    assert len(states) == 2 and len(pending) == 2  # each result is kept half an hour, to show it again
    for expires, state in pending:
        assert "answers" not in state.data and set(state.data["result"]) == {"taken_on", "scores", "injecting"}
        # Not the usual day; rounded up to the hour, as every expiry is (docs/privacy.md).
        assert expires == coarsen(clock.now() + timedelta(seconds=PENDING_SECONDS), "hour", up=True)
    for _, state in states:
        assert "answers" not in state.data

    clock.set(expires + timedelta(seconds=1))
    await purge_expired_state(runtime)
    async with runtime.unit_of_work() as uow:
        left = [uow.states.unseal(row.data) for row in await uow.session.scalars(select(ConversationStateRow))]
    assert all(state.flow is None and not state.data for state in left)


async def test_counter_cells_add_up(runtime: Runtime) -> None:
    for n in range(3):
        await play(
            ConsoleDriver(runtime, user_id=f"p{n}"),
            DIALOGS["self-check: no use at all is confirmed once, then thanked"],
        )
    async with runtime.sessions() as session:
        (tally,) = (await session.scalars(select(Tally).where(Tally.kind == "selfcheck"))).all()
        (done,) = (await session.scalars(select(Tally).where(Tally.kind == "selfcheck_done"))).all()
    assert (tally.subject, tally.level, tally.count) == ("none", "", 3)
    assert (done.subject, done.level, done.count) == ("", "none", 3)


async def test_opting_in_records_the_consent_and_keeps_a_sealed_result(runtime: Runtime) -> None:
    steps = DIALOGS["self-check: a saved result is compared next time, and withdrawing deletes it"]
    until_second_result = next(i for i, step in enumerate(steps) if "So với kết quả" in " ".join(step.expect))
    await play(ConsoleDriver(runtime), steps[: until_second_result + 1])
    async with runtime.unit_of_work() as uow:
        (consent,) = (await uow.session.scalars(select(Consent))).all()
        recorded = (consent.purpose, consent.text_version, consent.granted_at, consent.withdrawn_at)
        saved = [row.sealed for row in await uow.session.scalars(select(SavedResult))]
        latest = await uow.get(SAVED_RESULTS).latest(consent.pseudonym, "assist_v3")
    assert recorded == ("selfcheck_results", "2026-11-v1", coarsen(runtime.clock.now(), "day"), None)
    assert len(saved) == 2 and all("alcohol" not in sealed and "2026" not in sealed for sealed in saved)
    assert latest == {"taken_on": "2026-11-23", "scores": {"alcohol": 7}, "injecting": "never"}


async def test_a_four_substance_result_fits_a_phone_screen(runtime: Runtime) -> None:
    """Tobacco, alcohol, stimulants and opioids, used daily with injecting: the result names each substance
    shortly and stays under 1,000 characters; each piece of advice is one button away, and short too."""
    driver = ConsoleDriver(runtime, user_id="four")
    await play(driver, START_CHECK)
    turn = await driver.press(YES)  # tobacco
    for used in (True, False, False, True, False, False, False, True, False):  # alcohol ... other
        turn = await driver.press(YES if used else NO)
    while "Kết quả tự đánh giá" not in turn.text:
        for answer in (FREQ["daily"], RECENT, "Nhiều hơn một lần mỗi tuần, hoặc từ 3 ngày liền trở lên"):
            if answer in turn.choices:
                turn = await driver.press(answer)
                break
        else:
            raise AssertionError(turn.text)
    assert turn.text.count("• ") == 4 and "• Thuốc lá:" in turn.text and "• Rượu bia:" in turn.text
    body = turn.text.split("\n\n1. ")[0]  # the message itself; the console numbers the buttons after it
    assert len(body) < 1000, (len(body), body)
    advice = [c for c in turn.choices if ":" in c]
    assert advice == [
        "Chất dạng thuốc phiện: điều trị và quá liều",
        "Chất kích thích: điều gì giúp ích",
        "Tiêm chích: an toàn hơn",
    ]
    for label in advice:
        shown = await driver.press(label)
        assert len(shown.text.split("\n\n1. ")[0]) < 1000 and "Xem lại kết quả của tôi" in shown.choices
        turn = await driver.press("Xem lại kết quả của tôi")
        assert turn.text.count("• ") == 4
