"""Telegram's HTML parse mode, strictly: the tags it supports, properly nested, and only the entities it
knows.  Returns the visible text, whose length is what Telegram's limits count (in UTF-16 units)."""

from __future__ import annotations

import html
import re

SUPPORTED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "tg-emoji",
    "code",
    "pre",
    "blockquote",
    "tg-time",
}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:=\"[^\"<>]*\"|='[^'<>]*'|=[^\s\"'<>]+)?)*)\s*>")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});")
_ATTR = re.compile(r"([a-zA-Z-]+)(?:=(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'<>]+)))?")


class ParseError(ValueError):
    pass


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> str:
    """The visible text of an HTML-formatted message; raises ParseError where Telegram would refuse."""
    visible: list[str] = []
    stack: list[str] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char == "<":
            match = _TAG.match(text, pos)
            if not match:
                raise ParseError(f"can't parse entities: unexpected '<' at byte offset {pos}")
            closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3)
            if name not in SUPPORTED_TAGS:
                raise ParseError(f'can\'t parse entities: unsupported start tag "{name}" at byte offset {pos}')
            if closing:
                if not stack or stack[-1] != name:
                    raise ParseError(f"can't parse entities: unexpected end tag at byte offset {pos}")
                stack.pop()
            else:
                parsed = {
                    m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or "" for m in _ATTR.finditer(attrs)
                }
                if name == "a" and "href" not in parsed:
                    raise ParseError("can't parse entities: <a> needs href")
                if name == "span" and parsed.get("class") != "tg-spoiler":
                    raise ParseError('can\'t parse entities: <span> needs class="tg-spoiler"')
                stack.append(name)
            pos = match.end()
        elif char == "&":
            match = _ENTITY.match(text, pos)
            if not match:
                raise ParseError(f"can't parse entities: unsupported HTML entity at byte offset {pos}")
            visible.append(html.unescape(match.group(0)))
            pos = match.end()
        elif char == ">":
            raise ParseError(f"can't parse entities: unescaped '>' at byte offset {pos}")
        else:
            visible.append(char)
            pos += 1
    if stack:
        raise ParseError(f"can't parse entities: can't find end tag corresponding to start tag \"{stack[-1]}\"")
    return "".join(visible)
