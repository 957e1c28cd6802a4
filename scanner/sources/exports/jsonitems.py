"""The items of a JSON array with the line each starts on, for one-sentence errors that name the line.

Python's json module gives no positions for values, so the top-level array
(or the array under one key of the top-level object) is walked item by item
with ``JSONDecoder.raw_decode``; everything else is decoded as usual.
"""

from __future__ import annotations

import json
from typing import Any

_DECODER = json.JSONDecoder()
_SPACE = " \t\n\r"


def _skip(text: str, index: int) -> int:
    while index < len(text) and text[index] in _SPACE:
        index += 1
    return index


def _array(text: str, index: int) -> tuple[list[tuple[int, Any]], int]:
    items: list[tuple[int, Any]] = []
    index = _skip(text, index + 1)  # after "["
    if text[index] == "]":
        return items, index + 1
    # Lines are counted from the previous item, not from the start: an export of 100k items stays linear.
    line, counted = text.count("\n", 0, index) + 1, index
    while True:
        index = _skip(text, index)
        value, end = _DECODER.raw_decode(text, index)
        line += text.count("\n", counted, index)
        counted = index
        items.append((line, value))
        index = _skip(text, end)
        if text[index] == "]":
            return items, index + 1
        index += 1  # ","


def items_with_lines(text: str, key: str | None = None) -> list[tuple[int, Any]] | None:
    """(line, item) for the top-level array, or for the array under ``key`` of the top-level object.

    ``text`` must be valid JSON (decode it with json.loads first for the error
    message). None when the shape is not the one asked for.
    """
    index = _skip(text, 0)
    if text.startswith("\ufeff", index):
        index = _skip(text, index + 1)
    if key is None:
        return _array(text, index)[0] if text[index:index + 1] == "[" else None
    if text[index:index + 1] != "{":
        return None
    index = _skip(text, index + 1)
    while index < len(text) and text[index] != "}":
        name, index = _DECODER.raw_decode(text, index)
        index = _skip(text, index)
        index = _skip(text, index + 1)  # ":"
        if name == key and text[index:index + 1] == "[":
            return _array(text, index)[0]
        _, index = _DECODER.raw_decode(text, index)
        index = _skip(text, index)
        if text[index:index + 1] == ",":
            index = _skip(text, index + 1)
    return None


def ndjson_items(text: str) -> list[tuple[int, Any]] | None:
    """(line, item) of newline-delimited JSON (one value per line, ``gcloud asset export``), or None when it is not.

    Blank lines are skipped; one line that is not JSON makes the whole text
    not NDJSON (the caller reports the JSON error of the whole).
    """
    items: list[tuple[int, Any]] = []
    for number, line in enumerate(text.lstrip("\ufeff").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value, end = _DECODER.raw_decode(line, _skip(line, 0))
        except (ValueError, RecursionError):
            return None
        if line[end:].strip():
            return None
        items.append((number, value))
    return items if len(items) > 1 or (items and isinstance(items[0][1], dict)) else None
