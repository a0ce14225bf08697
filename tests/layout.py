"""The project's source packages, as pyproject.toml ships them (one list for every test that walks the code)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
with (ROOT / "pyproject.toml").open("rb") as _file:
    _FIND = tomllib.load(_file)["tool"]["setuptools"]["packages"]["find"]["include"]
SOURCE_PACKAGES: tuple[str, ...] = tuple(sorted({pattern.rstrip("*") for pattern in _FIND}))
