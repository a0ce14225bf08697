"""Replies as Telegram messages: HTML with every dynamic value escaped, inline buttons for choices, a
reply-keyboard button for location requests.  Library-neutral, so every Telegram runtime shares it."""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from core.capability import Catalogue
from core.events import Attachment, ChannelInfo, Render, Reply, Venue
from core.i18n import Translator
from core.text import split_text, utf16_length

CHANNEL = "telegram"
INFO = ChannelInfo(
    name=CHANNEL, renders=Render.BUTTONS | Render.LOCATION_REQUEST | Render.RICH_TEXT | Render.VENUE | Render.DELETE
)
DELETE_AT_ONCE = 100  # deleteMessages takes 1 to 100 ids


def id_batches(first: int, last: int, also: Iterable[int] = ()) -> list[list[int]]:
    """The ids ``first`` to ``last`` and ``also``, newest first, each once, in batches deleteMessages takes."""
    ids = sorted(set(range(first, last + 1)).union(also), reverse=True)
    return [ids[i : i + DELETE_AT_ONCE] for i in range(0, len(ids), DELETE_AT_ONCE)]


MAX_TEXT = 4096  # characters after entity parsing
WEBHOOK_PATH = "/webhook/telegram"
WEBHOOK_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # Telegram sends the secret given with setWebhook in it


def command_menu(catalogue: Catalogue, i18n: Translator) -> list[tuple[str, str]]:
    """(command, description) for setMyCommands, from what the capabilities declared."""
    return [(command.name, i18n.gettext(command.description)) for command in catalogue.commands]


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    data: str | None = None  # callback_data for inline buttons
    request_location: bool = False
    request_contact: bool = False


@dataclass(frozen=True, slots=True)
class TelegramMessage:
    html: str
    inline: tuple[tuple[Button, ...], ...] = ()
    keyboard: tuple[tuple[Button, ...], ...] = field(default=())  # a reply keyboard, shown once
    venue: Venue | None = None  # sent as its own venue message before the text
    attachment: Attachment | None = None  # sent as a document before the text


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def render(reply: Reply, i18n: Translator) -> list[TelegramMessage]:
    """One reply as one or more messages (long text is split); markup goes on the last one."""
    title = f"<b>{_escape(reply.title)}</b>\n" if reply.title else ""
    links = "".join(
        f'\n<a href="{html.escape(link.url, quote=True)}">{_escape(link.label)}</a>' for link in reply.links
    )
    # The limit counts visible characters: reserve room for the title and links, then split the text.
    reserve = (utf16_length(reply.title) + 1 if reply.title else 0) + sum(
        utf16_length(link.label) + 1 for link in reply.links
    )
    pieces = split_text(reply.text, max(MAX_TEXT - reserve, 256), utf16_length) or [""]
    bodies = [_escape(piece) for piece in pieces]
    bodies[0] = title + bodies[0]
    bodies[-1] = bodies[-1] + links
    if not bodies[-1].strip():
        bodies[-1] = "…"

    inline: tuple[tuple[Button, ...], ...] = ()
    keyboard: tuple[tuple[Button, ...], ...] = ()
    if reply.request_location or reply.request_contact:
        rows = (
            [(Button(i18n.gettext("📍 Share my location"), request_location=True),)]
            if reply.request_location
            else [(Button(i18n.gettext("📞 Share my phone number"), request_contact=True),)]
        )
        rows += [(Button(choice.label),) for choice in reply.choices]
        keyboard = tuple(rows)
    elif reply.choices:
        inline = tuple((Button(choice.label, data=choice.id),) for choice in reply.choices)
    messages = [TelegramMessage(body) for body in bodies[:-1]]
    messages.append(
        TelegramMessage(bodies[-1], inline=inline, keyboard=keyboard, venue=reply.venue, attachment=reply.attachment)
    )
    return messages


def markup_json(message: TelegramMessage) -> dict[str, Any] | None:
    """The message's ``reply_markup`` as the Bot API's JSON: an inline keyboard for choices, or a reply keyboard
    (shown once, fitted to its buttons) for a location or phone request; None without buttons."""
    if message.inline:
        rows = [[{"text": b.label, "callback_data": b.data} for b in row] for row in message.inline]
        return {"inline_keyboard": rows}
    if message.keyboard:
        rows = [[_keyboard_button(b) for b in row] for row in message.keyboard]
        return {"keyboard": rows, "resize_keyboard": True, "one_time_keyboard": True}
    return None


def _keyboard_button(button: Button) -> dict[str, Any]:
    found: dict[str, Any] = {"text": button.label}
    if button.request_location:
        found["request_location"] = True
    if button.request_contact:
        found["request_contact"] = True
    return found
