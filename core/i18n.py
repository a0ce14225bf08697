"""Gettext through Babel: English msgids in code, Vietnamese in ``locales/vi/LC_MESSAGES/messages.po``.

The ``.po`` catalog is compiled in memory when the bot starts, so there is no ``.mo`` file to forget to
rebuild.  Dates and numbers are formatted with Babel's CLDR data for the same locale.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
DEFAULT_LOCALE = "vi"
BOT_NAME = "Điểm Tựa"  # a proper name, the same in every language (noqa: i18n)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now (translate at render time)."""
    return message


class Translator:
    """Translations and CLDR formatting for one locale and time zone."""

    def __init__(self, translations: Translations, locale: str, timezone: ZoneInfo) -> None:
        self._translations = translations
        self.locale = Locale.parse(locale)
        self.timezone = timezone

    def gettext(self, message: str) -> str:
        return str(self._translations.gettext(message))

    _ = gettext

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return str(self._translations.ngettext(singular, plural, n))

    def number(self, value: float, *, digits: int | None = None) -> str:
        fmt = None if digits is None else "#,##0." + "0" * digits if digits else "#,##0"
        return str(format_decimal(value, format=fmt, locale=self.locale))

    def language(self, code: str) -> str:
        """A language's name from its ISO 639 code ("en" → "Tiếng Anh", noqa: i18n), or the code when CLDR has
        none."""
        name = self.locale.languages.get(code)
        return str(name[:1].upper() + name[1:]) if name else code

    def weekday(self, index: int) -> str:
        """The name of a weekday, Monday = 0 ("Thứ Hai").  (noqa: i18n)"""
        return str(self.locale.days["format"]["wide"][index])

    # The CLDR patterns are themselves messages, so a translator can order them for the language.

    def date(self, value: dt.date, fmt: str | None = None) -> str:
        return str(format_date(value, fmt or self.gettext("EEEE, dd/MM"), locale=self.locale))

    def datetime(self, value: dt.datetime, fmt: str | None = None) -> str:
        pattern = fmt or self.gettext("EEEE, dd/MM 'at' HH:mm")
        return str(format_datetime(value, pattern, tzinfo=self.timezone, locale=self.locale))

    def datetime_from(self, value: dt.datetime, now: dt.datetime) -> str:
        """Like :meth:`datetime`, with the year when it is not the year of ``now``."""
        if value.astimezone(self.timezone).year == now.astimezone(self.timezone).year:
            return self.datetime(value)
        return self.datetime(value, self.gettext("EEEE, dd/MM/yyyy 'at' HH:mm"))


@functools.cache
def _compiled(locale_dir: Path, locale: str) -> bytes:
    po_path = locale_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def load_translator(
    locale: str = DEFAULT_LOCALE, timezone: str = "Asia/Ho_Chi_Minh", *, locale_dir: Path = LOCALE_DIR
) -> Translator:
    translations = Translations(io.BytesIO(_compiled(locale_dir, locale)), domain=DOMAIN)
    return Translator(translations, locale, ZoneInfo(timezone))
