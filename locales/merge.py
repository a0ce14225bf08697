"""Merge locales/messages.pot into the Vietnamese catalog (``make messages``), in the project's format:
no source locations, sorted, 100 columns, no fuzzy matching, obsolete entries dropped."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent


def merge(template_path: Path, catalog_path: Path) -> list[str]:
    with template_path.open("rb") as f:
        template = read_po(f)
    with catalog_path.open("rb") as f:
        catalog = read_po(f, locale="vi")
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    with catalog_path.open("wb") as f:
        write_po(f, catalog, width=100, no_location=True, sort_output=True)
    return [
        str(m.id[0] if isinstance(m.id, tuple) else m.id)
        for m in catalog
        if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)  # plural forms: every one
    ]


if __name__ == "__main__":
    untranslated = merge(HERE / "messages.pot", HERE / "vi" / "LC_MESSAGES" / "messages.po")
    for msgid in untranslated:
        print("untranslated:", msgid.replace("\n", " ")[:100])
    sys.exit(0)
