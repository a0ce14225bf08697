"""Platform-neutral events in, platform-neutral replies out.

Channels (``bot/``) translate platform updates into these events and render these replies.  Nothing here
knows about Telegram, Zalo or a terminal.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

# Choice ids travel as Telegram callback_data: short ASCII, at most 64 bytes.
MAX_CHOICE_ID_BYTES = 64


# ---------------------------------------------------------------------------------------------- in


@dataclass(frozen=True, slots=True)
class Location:
    latitude: float
    longitude: float

    def __post_init__(self) -> None:
        if not (-90.0 <= self.latitude <= 90.0 and -180.0 <= self.longitude <= 180.0):
            raise ValueError("latitude or longitude out of range")


@dataclass(frozen=True, slots=True)
class Event:
    """Something a person did.  ``user`` is the keyed pseudonym, never a platform id.

    ``address`` is where the channel can reach the person later (a chat id).  Handlers may keep it only
    sealed, for a purpose the person agreed to; it is left out of every repr so it never reaches a log.
    """

    user: str
    channel: str
    address: str = field(default="", kw_only=True, repr=False, compare=False)
    # The platform's id of this delivery (Telegram's update id, Zalo's message id): an event whose key was
    # already handled is a redelivery and changes nothing.  Empty where the channel cannot repeat itself.
    delivery_key: str = field(default="", kw_only=True, repr=False, compare=False)
    # Where in the chat this happened, where the platform numbers a chat's messages (Telegram's message id; a
    # button's, the id of the message it sits under): the bound for deleting the chat's recent messages.
    position: int | None = field(default=None, kw_only=True, repr=False, compare=False)
    # The message this one answers, where the platform lets a person reply to one (Telegram's swipe-reply), by
    # its position in the chat.
    replying_to: int | None = field(default=None, kw_only=True, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class TextMessage(Event):
    text: str


@dataclass(frozen=True, slots=True)
class CommandMessage(Event):
    command: str  # lower case, without the slash
    args: str = ""


@dataclass(frozen=True, slots=True)
class ChoiceMade(Event):
    choice_id: str


@dataclass(frozen=True, slots=True)
class LocationShared(Event):
    location: Location


@dataclass(frozen=True, slots=True)
class ContactShared(Event):
    """A phone number the person shared.  ``own`` is False if it is somebody else's contact card."""

    phone: str
    own: bool


@dataclass(frozen=True, slots=True)
class UnsupportedMessage(Event):
    """A sticker, photo, voice note ... anything the bot cannot read."""

    kind: str = "other"


# --------------------------------------------------------------------------------------------- out


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    label: str

    def __post_init__(self) -> None:
        if not self.id or not self.id.isascii() or len(self.id.encode()) > MAX_CHOICE_ID_BYTES:
            raise ValueError("a choice id must be 1-64 bytes of ASCII")
        if not self.label.strip():
            raise ValueError("a choice needs a label")


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class Venue:
    """A place to show on a map, where the channel can (a Telegram venue)."""

    latitude: float
    longitude: float
    title: str
    address: str


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a reply (a calendar file).  Not kept in the conversation state."""

    filename: str
    content: bytes
    mime: str


@dataclass(frozen=True, slots=True)
class Reply:
    """One message to the person.

    ``text`` is plain text: channels escape it for their own markup.  ``title`` is shown emphasised where
    the channel can.  ``choices`` become buttons, or a numbered list where the channel has no buttons.
    ``request_location`` asks the person to share a location where the channel can, and to type a place
    where it cannot.
    """

    text: str
    title: str | None = None
    choices: tuple[Choice, ...] = ()
    links: tuple[Link, ...] = ()
    request_location: bool = False
    request_contact: bool = False  # ask for the person's own phone number (a contact button where possible)
    venue: Venue | None = None
    attachment: Attachment | None = None


class Render(enum.Flag):
    """What a channel can show.  The core adapts replies to it."""

    NONE = 0
    BUTTONS = enum.auto()
    LOCATION_REQUEST = enum.auto()
    RICH_TEXT = enum.auto()
    VENUE = enum.auto()
    DELETE = enum.auto()  # the bot can delete a chat's recent messages, both sides' (Telegram, for 48 hours)


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    name: str
    renders: Render
    # A link that opens the bot with a start parameter, when the channel has one ("https://t.me/<bot>?start=").
    start_link: str = ""


@dataclass(frozen=True, slots=True)
class Wipe:
    """Delete the messages numbered ``first`` to ``last`` in a chat (both sides'), and those remembered under
    ``marks`` (see :attr:`Passed.mark`), before anything else is sent to it, where the channel can
    (``Render.DELETE``); what the platform refuses (too old) is skipped."""

    first: int = 1
    last: int = 0  # none
    marks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Passed:
    """Replies for somebody other than the sender of the event (a message relayed in a live talk, a talk offered
    to a counsellor): sent by the channel of ``channel`` right after the sender's own answer.  ``address`` is
    left out of every repr; ``pseudonym`` is whose it is (to make its choices answerable by number);
    ``reply_id`` is the sealed copy kept until it is sent."""

    channel: str
    address: str = field(repr=False)
    pseudonym: str = field(repr=False)
    replies: tuple[Reply, ...]
    reply_id: int | None = None
    wipe: Wipe | None = None  # first delete these of the chat's messages
    mark: str | None = None  # remember the numbers of the messages sent under this mark, to delete them later


@dataclass(slots=True)
class Outcome:
    """What handling one event produced."""

    replies: list[Reply] = field(default_factory=list)
    passed: list[Passed] = field(default_factory=list)  # for others than the sender
    wipe: Wipe | None = None  # delete these of the sender's chat's messages before the replies
    mark: str | None = None  # remember the numbers of the messages sent (see Passed.mark)
    erased: bool = False
    duplicate: bool = False  # a redelivery of an event already handled: nothing was done
    reply_id: int | None = None  # the replies as kept with the event, until the channel says they are sent
