"""What the console's tests share: a console served by aiohttp's test server over the test runtime, staff who
joined through the chat, their sign-in links, a browser session signed in by one."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bot.runtime import Runtime
from bot.web.serve import console_app
from core.codes import new_code
from tests.dialog import ConsoleDriver

LINK = re.compile(r"(http://\S+/web/in/[A-Za-z0-9_-]+)")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
HOAN_KIEM_ID = "sample-hn-hk-01"


@dataclass
class Web:
    server: TestServer
    runtime: Runtime
    opened: list[aiohttp.ClientSession] = field(default_factory=list)

    def url(self, path: str) -> str:
        return str(self.server.make_url(path))

    def browser(self) -> aiohttp.ClientSession:
        """A browser of its own (cookies and all), closed with the test."""
        session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.opened.append(session)
        return session


@pytest.fixture(name="web")
async def web_console(runtime: Runtime) -> AsyncIterator[Web]:
    """The console on a test server over the test runtime; its address goes into the chat's sign-in links."""
    server = TestServer(console_app(runtime))
    await server.start_server()
    runtime.console.url = str(server.make_url("/web"))
    web = Web(server, runtime)
    try:
        yield web
    finally:
        for session in web.opened:
            await session.close()
        await server.close()


async def staff_chat(runtime: Runtime, role: str, user: str, point: str | None = None) -> ConsoleDriver:
    """A staff member in the chat: invited with ``role``, the code redeemed with /staff."""
    now = runtime.clock.now()
    code = new_code(10)
    async with runtime.unit_of_work() as uow:
        point_id = next((p.id for p in await uow.directory.all_points() if p.external_id == point), None)
        await uow.staff.create_invite(code, role, point_id, now, now + timedelta(days=1))
        await uow.commit()
    chat = ConsoleDriver(runtime, user_id=user)
    await chat.say("/start")
    await chat.press("Từ 16 tuổi trở lên")
    assert "Chào mừng" in (await chat.say(f"/staff {code}")).text
    return chat


async def link_from(chat: ConsoleDriver) -> str:
    turn = await chat.say("/web")
    found = LINK.search(turn.text)
    assert found, turn.text
    return found.group(1)


async def signed_in(web: Web, chat: ConsoleDriver) -> tuple[aiohttp.ClientSession, str]:
    """A browser signed in through the chat's link, and its form token."""
    browser = web.browser()
    link = await link_from(chat)
    async with browser.post(link, allow_redirects=False) as answer:
        assert answer.status == 303 and answer.headers["Location"] == "/web/"
    async with browser.get(web.url("/web/")) as home:
        assert home.status == 200
        text = await home.text()
    return browser, CSRF.search(text).group(1)  # type: ignore[union-attr]


async def get(browser: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    async with browser.get(url, allow_redirects=False) as answer:
        return answer.status, await answer.text()


async def post(browser: aiohttp.ClientSession, url: str, data: Any) -> tuple[int, str, str]:
    async with browser.post(url, data=data, allow_redirects=False) as answer:
        return answer.status, answer.headers.get("Location", ""), await answer.text()
