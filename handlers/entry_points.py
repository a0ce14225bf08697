"""Buttons that lead from one capability's answer into another's (anytime: they may sit in an old message).

They live here, apart from both, so that neither capability imports the other."""

from __future__ import annotations

from dataclasses import dataclass

from core.choices import ChoiceData


@dataclass(frozen=True)
class FindService(ChoiceData, prefix="find.service"):
    """Look for the nearest points offering a service (a filter of domain.directory.FILTERS)."""

    service: str


@dataclass(frozen=True)
class BookHere(ChoiceData, prefix="book.here"):
    """Book counselling at a support point the finder showed."""

    point: int


@dataclass(frozen=True)
class TalkNow(ChoiceData, prefix="talk.start"):
    """Ask to talk with a counsellor now, from somewhere (``came``: "check" from the self-check's result, with
    its highest ``level``, which the person is then asked whether to share; "family"; "urgent")."""

    came: str = "menu"
    level: str = ""
