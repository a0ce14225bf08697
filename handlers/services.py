"""What capabilities may need to build their routes: given once, when the conversation is put together."""

from __future__ import annotations

from dataclasses import dataclass

from core.clock import Clock
from core.hotlines import Hotlines
from domain.assist import Instrument
from domain.gazetteer import Gazetteer


@dataclass(frozen=True, slots=True)
class Services:
    clock: Clock
    hotlines: Hotlines
    instrument: Instrument
    gazetteer: Gazetteer
