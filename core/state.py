"""Conversation state: where a person is in a conversation, kept in the database with an expiry.

Workers hold nothing between messages; a restart resumes the conversation from here.  The state holds
the bot's own prompts and the person's choices, never free text they typed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from core.events import Choice, Link, Reply, Venue

STATE_VERSION = 1


def reply_to_dict(reply: Reply) -> dict[str, Any]:
    """Every field but the attachment (a file is sent once, never kept); written out, as ``asdict`` deep-copies
    every field of every reply of every event."""
    venue = reply.venue
    return {
        "text": reply.text,
        "title": reply.title,
        "choices": [{"id": c.id, "label": c.label} for c in reply.choices],
        "links": [{"label": link.label, "url": link.url} for link in reply.links],
        "request_location": reply.request_location,
        "request_contact": reply.request_contact,
        "venue": None if venue is None else _venue(venue),
    }


def _venue(venue: Venue) -> dict[str, Any]:
    return {"latitude": venue.latitude, "longitude": venue.longitude, "title": venue.title, "address": venue.address}


def reply_from_dict(data: dict[str, Any]) -> Reply:
    return Reply(
        text=str(data["text"]),
        title=data.get("title"),
        choices=tuple(Choice(str(c["id"]), str(c["label"])) for c in data.get("choices", ())),
        links=tuple(Link(str(link["label"]), str(link["url"])) for link in data.get("links", ())),
        request_location=bool(data.get("request_location", False)),
        request_contact=bool(data.get("request_contact", False)),
        venue=Venue(**data["venue"]) if isinstance(data.get("venue"), dict) else None,
    )


@dataclass
class ConversationState:
    flow: str | None = None
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    # The choices offered by the last answer, in order (typed numbers and labels resolve against them).
    offered: list[Choice] = field(default_factory=list)
    # The last question asked, to ask it again after an interruption.
    prompt: list[Reply] = field(default_factory=list)
    # A conversation put aside by an interruption (urgent help), to go back to.
    resume: dict[str, Any] | None = None
    # Keep this state for at most so many seconds (shorter than the usual expiry), for sensitive steps.
    keep_for: int | None = None
    # The live talk this person has open (as the person, or the counsellor's current one), whatever else they
    # do meanwhile: while no flow waits for an answer, what they type goes to the other side.
    talk: int | None = None

    def is_empty(self) -> bool:
        return self.flow is None and not self.offered and self.resume is None and self.talk is None

    def enter(self, flow: str, step: str, *, keep_for: int | None = None, **data: Any) -> None:
        self.flow, self.step, self.data, self.keep_for = flow, step, dict(data), keep_for

    def leave(self) -> None:
        self.flow, self.step, self.data, self.keep_for = None, None, {}, None

    def snapshot(self) -> dict[str, Any]:
        """The part of the state an interruption puts aside."""
        return {
            "flow": self.flow,
            "step": self.step,
            "data": self.data,
            "prompt": [reply_to_dict(r) for r in self.prompt],
            "keep_for": self.keep_for,
        }

    def restore(self, snapshot: dict[str, Any]) -> None:
        self.flow = snapshot.get("flow")
        self.step = snapshot.get("step")
        self.data = dict(snapshot.get("data") or {})
        self.prompt = [reply_from_dict(r) for r in snapshot.get("prompt") or ()]
        self.keep_for = snapshot.get("keep_for")

    def to_json(self) -> str:
        return json.dumps(
            {
                "v": STATE_VERSION,
                "flow": self.flow,
                "step": self.step,
                "data": self.data,
                "offered": [{"id": c.id, "label": c.label} for c in self.offered],
                "prompt": [reply_to_dict(r) for r in self.prompt],
                "resume": self.resume,
                "keep_for": self.keep_for,
                "talk": self.talk,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, raw: str) -> ConversationState:
        """Parse stored state; anything unreadable (an older format, corruption) starts afresh."""
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or data.get("v") != STATE_VERSION:
                return cls()
            return cls(
                flow=data.get("flow"),
                step=data.get("step"),
                data=dict(data.get("data") or {}),
                offered=[Choice(str(c["id"]), str(c["label"])) for c in data.get("offered") or ()],
                prompt=[reply_from_dict(r) for r in data.get("prompt") or ()],
                resume=data.get("resume"),
                keep_for=data.get("keep_for"),
                talk=data["talk"] if isinstance(data.get("talk"), int) else None,
            )
        except (ValueError, KeyError, TypeError):
            return cls()
