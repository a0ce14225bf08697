"""A Telegram message as a core event, for either library: aiogram's and python-telegram-bot's message
objects have the same shape (the Bot API's), so one function reads both."""

from __future__ import annotations

from typing import Any

from bot.channels.telegram.render import CHANNEL
from core.events import ContactShared, Event, Location, LocationShared, TextMessage, UnsupportedMessage


def message_event(message: Any, user: str, key: str = "") -> Event:
    """``user`` is the sender's pseudonym; ``key`` the update id (a redelivery is recognised by it)."""
    where = {"address": str(message.chat.id), "delivery_key": key, "position": message.message_id}
    if message.text is not None:
        answered = getattr(message, "reply_to_message", None)
        replying_to = answered.message_id if answered is not None else None
        return TextMessage(user, CHANNEL, message.text, replying_to=replying_to, **where)
    if message.location is not None:
        try:
            location = Location(message.location.latitude, message.location.longitude)
        except ValueError:
            return UnsupportedMessage(user, CHANNEL, "location", **where)
        return LocationShared(user, CHANNEL, location, **where)
    if message.contact is not None:
        own = message.from_user is not None and message.contact.user_id == message.from_user.id
        return ContactShared(user, CHANNEL, phone=message.contact.phone_number, own=own, **where)
    return UnsupportedMessage(user, CHANNEL, "other", **where)
