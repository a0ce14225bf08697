"""A consent purpose.  Each has its own consent, asked separately, never bundled and never pre-ticked; each is
declared by the capability that asks for it (:mod:`core.capability`).

A purpose's ``version`` names the wording the person agreed to; change it whenever the text changes, so
the ledger shows exactly what each person was told.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Purpose:
    id: str
    version: str
    title: str  # msgid
    explanation: str  # msgid: what is stored, why, for how long
