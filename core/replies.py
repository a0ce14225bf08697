"""Replies as data that survives the process: written in the transaction of the event that caused them,
sent at once after the commit, and sent by the dispatcher if the process died before it could.

Pure: replies to and from JSON (an attachment's bytes as base64).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any

from core.events import Attachment, Choice, Link, Reply, Venue


def replies_to_json(replies: Sequence[Reply]) -> str:
    return json.dumps([_reply(r) for r in replies], ensure_ascii=False, separators=(",", ":"))


def replies_from_json(text: str) -> list[Reply]:
    return [_from(item) for item in json.loads(text)]


def _reply(reply: Reply) -> dict[str, Any]:
    out: dict[str, Any] = {"text": reply.text}
    if reply.title is not None:
        out["title"] = reply.title
    if reply.choices:
        out["choices"] = [[c.id, c.label] for c in reply.choices]
    if reply.links:
        out["links"] = [[link.label, link.url] for link in reply.links]
    if reply.request_location:
        out["request_location"] = True
    if reply.request_contact:
        out["request_contact"] = True
    if reply.venue is not None:
        v = reply.venue
        out["venue"] = [v.latitude, v.longitude, v.title, v.address]
    if reply.attachment is not None:
        a = reply.attachment
        out["attachment"] = [a.filename, base64.b64encode(a.content).decode("ascii"), a.mime]
    return out


def _from(item: dict[str, Any]) -> Reply:
    venue = item.get("venue")
    attachment = item.get("attachment")
    return Reply(
        text=str(item["text"]),
        title=item.get("title"),
        choices=tuple(Choice(str(i), str(label)) for i, label in item.get("choices", ())),
        links=tuple(Link(str(label), str(url)) for label, url in item.get("links", ())),
        request_location=bool(item.get("request_location", False)),
        request_contact=bool(item.get("request_contact", False)),
        venue=Venue(float(venue[0]), float(venue[1]), str(venue[2]), str(venue[3])) if venue else None,
        attachment=(
            Attachment(str(attachment[0]), base64.b64decode(attachment[1]), str(attachment[2])) if attachment else None
        ),
    )
