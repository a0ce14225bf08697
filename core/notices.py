"""Messages the bot sends on its own (from the outbox): reminders, notifications and broadcasts.

Each kind is a :class:`Notice`, declared by the capability that sends it.  Reminders are discreet: they say
"appointment" or "meeting" and a code or the group's name, never what it is about, in case someone else sees
the phone.  Each kind knows how late it may still go out (the explicit late rule): a reminder later than that
is dropped and counted, never sent wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from core.events import Choice
from core.i18n import Translator

Params = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Notice:
    """A kind of message sent from the outbox.

    ``text`` is a msgid formatted with the parameters ("at" also gives {when} and {time}, "day" gives {day});
    ``values`` adds what else the text needs; ``choices`` gives the buttons it carries.  The late rule: ``late``
    when given, else later than ``stale_after`` (never, without either).  ``tally``: an anonymous count kept
    each time one is delivered."""

    kind: str
    text: str
    stale_after: timedelta | None = None
    late: Callable[[Params, datetime, datetime], bool] | None = None
    values: Callable[[Translator, Params], Mapping[str, str]] | None = None
    choices: Callable[[Translator, Params], tuple[Choice, ...]] | None = None
    tally: str | None = None

    def too_late(self, params: Params, due_at: datetime, now: datetime) -> bool:
        """True when a message due at ``due_at`` must no longer be sent at ``now``."""
        if self.late is not None:
            return self.late(params, due_at, now)
        return self.stale_after is not None and now > due_at + self.stale_after

    def render(self, i18n: Translator, params: Params, now: datetime | None = None) -> tuple[str, tuple[Choice, ...]]:
        """The text of a message of this kind, and the choices it carries; sent at ``now``, a time in another
        year says its year."""
        values: dict[str, str] = {k: str(v) for k, v in params.items()}
        if "at" in params:
            at = datetime.fromisoformat(str(params["at"]))
            values["when"] = i18n.datetime_from(at, now) if now is not None else i18n.datetime(at)
            values["time"] = at.astimezone(i18n.timezone).strftime("%H:%M")
        if "day" in params:
            values["day"] = i18n.date(date.fromisoformat(str(params["day"])))
        if self.values is not None:
            values.update(self.values(i18n, params))
        text = i18n.gettext(self.text).format_map(_Blank(values))
        return text, (self.choices(i18n, params) if self.choices is not None else ())


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""
