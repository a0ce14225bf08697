"""A dispatcher killed with SIGKILL in the middle of a broadcast, then restarted (a real child process, the
real aiogram sender, the fake Bot API server in this process): nothing is sent twice, and a member left
without a copy can only be one whose message was on its way when the process died, counted as unknown."""

from __future__ import annotations

import pytest

from bench.broadcast_crash import main


@pytest.mark.slow
async def test_a_broadcast_survives_its_dispatcher_being_killed_twice() -> None:
    result = await main(200, [0.3, 0.6], None)
    assert len(result.killed_after) == 2 and 0 < result.killed_after[0] < result.killed_after[1] < 200
    assert result.doubled == 0
    assert result.lost <= result.states.get("unknown", 0)  # never silently
    assert result.copies.get(1, 0) + result.lost == 200
    assert set(result.states) <= {"sent", "unknown"}
    assert result.states.get("sent", 0) + result.states.get("unknown", 0) == 200
