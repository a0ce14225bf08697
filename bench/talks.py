"""Benchmark: live talks relayed through the fake Telegram Bot API server (aiogram, its limiter and flood control).

``--talks`` people (50) each hold a talk with one of ``--counsellors`` counsellors (10, five talks each), set up in
the database as if each had asked and been taken.  Every person writes ``--rounds`` messages, a few seconds apart
(``--interval``, randomised), and their counsellor answers each one, one thing at a time: by replying to the
person's message in their chat (``--answer reply``, Telegram's swipe-reply), or by first pressing the
"Trả lời #K7Q2" button (``--answer switch``: one more message in their chat each time).  (noqa: i18n)
Every message carries a unique token.

Reported, for the relayed messages in each direction: latency from the moment the update is offered to the bot
to the moment the counterpart's chat has it (p50, p99, max), messages lost (never arrived), doubled (arrived
twice) and misrouted (arrived in any other chat), and the relay rate.  Telegram's own limit (30 messages a
second for the bot) is enforced by the fake server: keep the offered rate under it (about
2 x talks / interval per second) to measure the bot, not the limit.

Usage: python -m bench.talks [--talks 50] [--counsellors 10] [--rounds 5] [--interval 6] [--answer reply|switch]
                              [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from pydantic import SecretStr

from bench.scratch import scratch_database
from bot.channels.telegram.aiogram_channel import AiogramTelegram
from bot.config import Settings
from bot.runtime import Runtime, open_runtime
from core.ports import AgeGroup
from core.ports.talks import TALKS
from core.state import ConversationState
from domain.talks import alias_from
from fakes.telegram_server import FakeTelegram, SentMessage
from handlers.talks.shared import Switch
from storage import migrate
from storage.db import create_engine

TOKEN = "123456:BENCH-token-abcdefghijklmnopqrstuvwxyz"
FIRST_COUNSELLOR = 20_000_000
FIRST_PERSON = 30_000_000
TOKEN_RE = re.compile(r"\b[pc]\d+r\d+z\b")
POLL = 0.005  # seconds between looks at the fake server's chats


async def populate(runtime: Runtime, talks: int, counsellors: int) -> dict[int, tuple[int, int]]:
    """Counsellors on duty and open talks; person chat -> (counsellor chat, talk id)."""
    now = runtime.clock.now()
    pairs: dict[int, tuple[int, int]] = {}
    async with runtime.unit_of_work() as uow:
        repo = uow.get(TALKS)
        staff_ids = []
        for n in range(counsellors):
            chat = FIRST_COUNSELLOR + n
            pseudonym = runtime.pseudonyms.of("telegram", chat)
            await uow.users.touch(pseudonym, now.date())
            await uow.users.set_age_group(pseudonym, AgeGroup.ADULT)
            code = f"BENCH{n:05d}"
            await uow.staff.create_invite(code, "counsellor", None, now, now + timedelta(days=1))
            member = await uow.staff.redeem(code, pseudonym, now)
            assert member is not None
            staff_ids.append(member.id)
            capacity = -(-talks // counsellors)
            await repo.set_duty(member.id, since=now, display_name=f"TV{n}", capacity=capacity)
            await uow.handles.keep(pseudonym, "duty", "telegram", str(chat))
        for m in range(talks):
            chat = FIRST_PERSON + m
            pseudonym = runtime.pseudonyms.of("telegram", chat)
            await uow.users.touch(pseudonym, now.date())
            await uow.users.set_age_group(pseudonym, AgeGroup.ADULT)
            talk = await repo.request(pseudonym, alias_from(random.randbytes(8)), now)
            await uow.handles.keep(pseudonym, "live_talk", "telegram", str(chat))
            assert await repo.take(talk.id, staff_ids[m % counsellors], now)
            await uow.states.save(pseudonym, ConversationState(talk=talk.id), now + timedelta(days=1))
            pairs[chat] = (FIRST_COUNSELLOR + m % counsellors, talk.id)
        await uow.commit()
    return pairs


def count_token(fake: FakeTelegram, chat: int, token: str) -> int:
    return sum(token in message.text for message in fake.messages(chat))


async def arrival(fake: FakeTelegram, chat: int, token: str, started: float, timeout: float = 60.0) -> float | None:
    while count_token(fake, chat, token) == 0:
        if time.perf_counter() - started > timeout:
            return None
        await asyncio.sleep(POLL)
    return time.perf_counter() - started


async def relayed(
    fake: FakeTelegram, sender: int, receiver: int, token: str, words: str, replying_to: SentMessage | None = None
) -> float | None:
    """``sender`` writes ``words`` carrying ``token`` (as a reply to ``replying_to``); seconds until ``receiver``'s
    chat has it (None: never)."""
    started = time.perf_counter()
    fake.user_sends(sender, f"{token} {words}", replying_to=replying_to)
    return await arrival(fake, receiver, token, started)


async def talk(
    fake: FakeTelegram,
    person: int,
    counsellor: int,
    talk_id: int,
    rounds: int,
    interval: float,
    desk: asyncio.Lock,
    latencies: dict[str, list[float]],
    tokens: list[tuple[int, str]],
    answer: str = "reply",
) -> None:
    for round_ in range(rounds):
        await asyncio.sleep(random.uniform(0.5, 1.5) * interval)
        said = f"p{person}r{round_}z"
        tokens.append((counsellor, said))
        took = await relayed(fake, person, counsellor, said, "mình muốn kể thêm một chút")  # sample words (noqa: i18n)
        if took is not None:
            latencies["to_counsellor"].append(took)
        async with desk:  # a counsellor does one thing at a time: pick the talk, then answer it
            heard = next((m for m in reversed(fake.messages(counsellor)) if said in m.text), None)
            if answer == "switch" or heard is None:
                before = len(fake.messages(counsellor))
                fake.user_presses(counsellor, Switch(talk_id).pack())
                await fake.wait_for(counsellor, before + 1, timeout=60)
                heard = None
            token = f"c{person}r{round_}z"
            tokens.append((person, token))
            words = "mình nghe đây"  # sample words (noqa: i18n)
            took = await relayed(fake, counsellor, person, token, words, replying_to=heard)
        if took is not None:
            latencies["to_person"].append(took)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else float("nan")


async def main(
    talks: int, counsellors: int, rounds: int, interval: float, database_url: str | None, answer: str = "reply"
) -> None:
    fake = FakeTelegram()
    await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp), database_url=database_url, secret_key=SecretStr("b" * 40), inbound_burst=100_000
        )
        engine = create_engine(settings.db_url)
        await migrate.upgrade(engine)
        await engine.dispose()
        async with await open_runtime(settings) as runtime:
            pairs = await populate(runtime, talks, counsellors)
            channel = AiogramTelegram(runtime.conversation, runtime.pseudonyms, token=TOKEN, api_url=fake.url)
            polling = asyncio.create_task(channel.run_polling(handle_signals=False, polling_timeout=1))
            latencies: dict[str, list[float]] = {"to_counsellor": [], "to_person": []}
            tokens: list[tuple[int, str]] = []
            desks = {chat: asyncio.Lock() for chat in range(FIRST_COUNSELLOR, FIRST_COUNSELLOR + counsellors)}
            started = time.perf_counter()
            await asyncio.gather(
                *(
                    talk(fake, person, c, t, rounds, interval, desks[c], latencies, tokens, answer)
                    for person, (c, t) in pairs.items()
                )
            )
            elapsed = time.perf_counter() - started
            await asyncio.sleep(2)  # anything late or doubled has time to show
            await channel.stop()
            await polling
    await fake.stop()
    everywhere = Counter(
        token for messages in fake.sent.values() for message in messages for token in TOKEN_RE.findall(message.text)
    )
    lost = doubled = misrouted = 0
    for chat, token in tokens:
        here = count_token(fake, chat, token)
        lost += here == 0
        doubled += here > 1
        misrouted += everywhere[token] > here
    kind = "postgresql" if database_url and database_url.startswith("postgresql") else "sqlite"
    relayed = len(tokens)
    print(
        f"engine={kind} talks={talks} counsellors={counsellors} rounds={rounds} interval={interval}s answer={answer} "
        f"relayed={relayed} seconds={elapsed:.1f} rate={relayed / elapsed:.1f}/s"
    )
    for direction, values in latencies.items():
        print(
            f"{direction}_ms n={len(values)} p50={statistics.median(values) * 1000:.0f} "
            f"p99={percentile(values, 0.99) * 1000:.0f} max={max(values) * 1000:.0f}"
        )
    print(f"lost={lost} doubled={doubled} misrouted={misrouted} http_429={fake.too_many_requests}")


async def run(
    talks: int, counsellors: int, rounds: int, interval: float, database_url: str | None, answer: str = "reply"
) -> None:
    async with scratch_database(database_url) as url:
        await main(talks, counsellors, rounds, interval, url, answer)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--talks", type=int, default=50)
    parser.add_argument("--counsellors", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--interval", type=float, default=6.0)
    parser.add_argument("--answer", choices=("reply", "switch"), default="reply")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    asyncio.run(run(args.talks, args.counsellors, args.rounds, args.interval, args.database_url, args.answer))
