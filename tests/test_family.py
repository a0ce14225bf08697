"""The family path asks nothing about the relative and stores nothing about anyone but a weekly count."""

from __future__ import annotations

from sqlalchemy import select

from bot.runtime import Runtime
from storage.models import Consent, ConversationStateRow, SavedResult, Tally
from tests.dialog import ConsoleDriver, play
from tests.test_dialogs import DIALOGS


async def test_reading_family_guidance_leaves_only_an_anonymous_count(runtime: Runtime) -> None:
    await play(
        ConsoleDriver(runtime),
        DIALOGS["family: short guidance topics, one after another, and nothing asked about the relative"],
    )
    async with runtime.unit_of_work() as uow:
        tallies = [(t.kind, t.subject, t.level, t.count) for t in await uow.session.scalars(select(Tally))]
        states = [uow.states.unseal(row.data) for row in await uow.session.scalars(select(ConversationStateRow))]
        assert (await uow.session.scalars(select(Consent))).all() == []
        assert (await uow.session.scalars(select(SavedResult))).all() == []
    # The family home was opened twice; the person was reached once (the age question).
    assert sorted(tallies) == [("family", "", "", 2), ("reached", "adult", "", 1)]
    assert [(state.flow, state.data) for state in states] == [(None, {})]  # only the buttons on offer
