"""core.sent: kept replies forgotten together, in the next event's transaction or after a short delay."""

from __future__ import annotations

import asyncio

import pytest

from core.sent import SentReplies


class Forgetting:
    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.failures = 0

    async def __call__(self, ids: list[int]) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("database down")
        self.batches.append(ids)


async def test_the_next_transaction_takes_what_waits_and_gives_it_back_when_not_committed() -> None:
    forget = Forgetting()
    sent = SentReplies(forget, delay=60)
    sent.add([3, 1])
    sent.add([2])
    assert len(sent) == 3
    taken = sent.take()
    assert taken == [1, 2, 3] and len(sent) == 0 and sent.take() == []
    sent.add(taken)  # that transaction was rolled back: they wait again
    assert sent.take() == [1, 2, 3]
    await sent.close()
    assert forget.batches == []  # nothing was left for a transaction of its own


async def test_with_no_next_event_they_are_forgotten_after_the_delay_in_one_transaction() -> None:
    forget = Forgetting()
    sent = SentReplies(forget, delay=0.01)
    sent.add([7])
    sent.add([8])
    sent.add([])  # nothing new: no second timer
    for _ in range(200):
        if forget.batches:
            break
        await asyncio.sleep(0.01)
    assert forget.batches == [[7, 8]] and len(sent) == 0
    await sent.close()


async def test_a_failed_forgetting_is_tried_again_and_closing_forgets_what_is_left() -> None:
    forget = Forgetting()
    forget.failures = 1
    sent = SentReplies(forget, delay=0.01)
    sent.add([5])
    for _ in range(200):
        if forget.batches:
            break
        await asyncio.sleep(0.01)
    assert forget.batches == [[5]]  # the first try failed (logged), the second took it
    sent = SentReplies(forget, delay=60)
    sent.add([6])
    await sent.close()
    assert forget.batches[-1] == [6]


async def test_closing_does_not_raise_when_the_database_is_gone(caplog: pytest.LogCaptureFixture) -> None:
    forget = Forgetting()
    forget.failures = 5
    sent = SentReplies(forget, delay=60)
    sent.add([9])
    await sent.close()
    assert forget.batches == [] and "could not forget 1 sent replies" in caplog.text
