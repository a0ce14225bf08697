"""After a full self-check the database holds the anonymous weekly counter, and nothing of the answers."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.runtime import Runtime
from storage.models import ConversationStateRow, Tally
from tests.dialog import ConsoleDriver, play
from tests.test_dialogs import DIALOGS


async def test_only_the_anonymous_counter_remains(runtime: Runtime) -> None:
    await play(
        ConsoleDriver(runtime),
        DIALOGS["self-check: daily heroin and frequent injecting is high risk with treatment and testing next"],
    )
    await play(
        ConsoleDriver(runtime, user_id="someone-else"),
        DIALOGS["self-check: weekend drinking scores 11, moderate, with tips and counselling"],
    )
    async with runtime.sessions() as session:
        tallies = (await session.scalars(select(Tally).order_by(Tally.subject))).all()
        states = (await session.scalars(select(ConversationStateRow))).all()
    assert [(t.week, t.kind, t.instrument, t.subject, t.level, t.count) for t in tallies] == [
        (date(2026, 11, 23), "selfcheck", "assist_v3", "alcohol", "moderate", 1),
        (date(2026, 11, 23), "selfcheck", "assist_v3", "opioids", "high", 1),
    ]
    for state in states:  # what is left is the menu on offer, never the answers
        assert '"answers"' not in state.data and "q2:" not in state.data


async def test_counter_cells_add_up(runtime: Runtime) -> None:
    for n in range(3):
        await play(
            ConsoleDriver(runtime, user_id=f"p{n}"),
            DIALOGS["self-check: no use at all is confirmed once, then thanked"],
        )
    async with runtime.sessions() as session:
        (tally,) = (await session.scalars(select(Tally))).all()
    assert (tally.subject, tally.level, tally.count) == ("none", "", 3)
