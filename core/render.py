"""Rendering replies as plain text, for channels without buttons or markup (console, Zalo).

Choices become a numbered list (typing the number or the label chooses); a location request becomes an
invitation to type a place.
"""

from __future__ import annotations

from core.events import Reply
from core.i18n import Translator


def render_plain(reply: Reply, i18n: Translator, *, numbered: bool = True, can_request_location: bool = False) -> str:
    parts: list[str] = []
    if reply.title:
        parts.append(reply.title)
    if reply.text:
        parts.append(reply.text)
    if reply.links:
        parts.append("\n".join(f"{link.label}: {link.url}" for link in reply.links))
    if reply.attachment is not None and reply.attachment.mime.startswith("text/"):
        parts.append(f"[{reply.attachment.filename}]\n" + reply.attachment.content.decode("utf-8", "replace").strip())
    if reply.venue is not None:
        parts.append(f"📍 {reply.venue.latitude:.5f}, {reply.venue.longitude:.5f}")
    if reply.request_contact:
        parts.append(i18n.gettext("Type your phone number."))
    if reply.request_location and not can_request_location:
        parts.append(i18n.gettext("Type the name of your ward, commune or district."))
    if reply.choices and numbered:
        lines = [f"{number}. {choice.label}" for number, choice in enumerate(reply.choices, start=1)]
        lines.append(i18n.gettext("(Type a number to choose.)"))
        parts.append("\n".join(lines))
    return "\n\n".join(parts)
