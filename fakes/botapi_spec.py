"""Checks a Bot API request against the official spec (``shared/telegram-bot-api/api.json``).

The method must exist, required fields must be present, no unknown fields, and every value must have one
of the declared types, nested objects (keyboards, commands, reply parameters) checked field by field.
Form-encoded requests carry scalars as strings and objects as JSON strings; both forms are understood.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

SPEC_PATH = Path(__file__).resolve().parents[2] / "shared" / "telegram-bot-api" / "api.json"


@cache
def spec() -> dict[str, Any]:
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def method_spec(name: str) -> dict[str, Any] | None:
    methods = spec()["methods"]
    if name in methods:
        return methods[name]  # type: ignore[no-any-return]
    lowered = {k.lower(): v for k, v in methods.items()}  # Telegram method names are case-insensitive
    return lowered.get(name.lower())


def _decode_json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def check_value(value: Any, types: list[str], path: str, *, from_form: bool) -> list[str]:
    """Errors for ``value`` against a union of spec types (empty list: fine)."""
    failures: list[list[str]] = []
    for type_name in types:
        errors = _check_one(value, type_name, path, from_form=from_form)
        if not errors:
            return []
        failures.append(errors)
    if len(failures) == 1:
        return failures[0]
    return [f"{path}: {value!r:.80} is none of {' / '.join(types)}"]


def _check_one(value: Any, type_name: str, path: str, *, from_form: bool) -> list[str]:
    if type_name.startswith("Array of "):
        inner = type_name.removeprefix("Array of ")
        items = _decode_json(value) if from_form else value
        if not isinstance(items, list):
            return [f"{path}: expected {type_name}"]
        errors: list[str] = []
        for index, item in enumerate(items):
            errors += check_value(item, [inner], f"{path}[{index}]", from_form=False)
        return errors
    if type_name == "Integer":
        if isinstance(value, bool):
            return [f"{path}: expected Integer"]
        if isinstance(value, int):
            return []
        if from_form and isinstance(value, str):
            try:
                int(value)
            except ValueError:
                return [f"{path}: expected Integer"]
            return []
        return [f"{path}: expected Integer"]
    if type_name == "Float":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return []
        if from_form and isinstance(value, str):
            try:
                float(value)
            except ValueError:
                return [f"{path}: expected Float"]
            return []
        return [f"{path}: expected Float"]
    if type_name == "Boolean":
        if isinstance(value, bool) or (from_form and value in ("true", "false", "True", "False")):
            return []
        return [f"{path}: expected Boolean"]
    if type_name == "String":
        return [] if isinstance(value, str) else [f"{path}: expected String"]
    if type_name == "InputFile":
        return [] if value is not None else [f"{path}: expected InputFile"]
    return _check_object(_decode_json(value) if from_form else value, type_name, path)


_DISCRIMINATOR = re.compile(r'(?:must be|always) "?([a-z_]+)"?\s*$')


def _check_fields(
    value: dict[str, Any], fields: list[dict[str, Any]], path: str, owner: str, *, from_form: bool
) -> list[str]:
    """Unknown names, missing required fields, and each present field's type (and fixed discriminator)."""
    by_name = {f["name"]: f for f in fields}
    errors = [f"{path}.{name}: not a field of {owner}" for name in value if name not in by_name]
    for name, field in by_name.items():
        if name not in value:
            if field["required"]:
                errors.append(f"{path}.{name}: required by {owner}")
            continue
        errors += check_value(value[name], field["types"], f"{path}.{name}", from_form=from_form)
        fixed = _DISCRIMINATOR.search(field.get("description", "")) if name == "type" else None
        if fixed and value[name] != fixed.group(1):
            errors.append(f"{path}.type: {owner} needs {fixed.group(1)!r}")
    return errors


def _check_object(value: Any, type_name: str, path: str) -> list[str]:
    types = spec()["types"]
    if type_name not in types:
        return [f"{path}: unknown type {type_name}"]
    type_spec = types[type_name]
    if "subtypes" in type_spec:
        return check_value(value, list(type_spec["subtypes"]), path, from_form=False)
    if not isinstance(value, dict):
        return [f"{path}: expected {type_name} object"]
    return _check_fields(value, type_spec.get("fields", []), path, type_name, from_form=False)


def check_request(method: str, params: dict[str, Any], *, from_form: bool) -> list[str]:
    method_def = method_spec(method)
    if method_def is None:
        return [f"{method}: no such method"]
    return _check_fields(params, method_def.get("fields", []), method, method, from_form=from_form)
