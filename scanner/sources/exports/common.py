"""What the export readers share: reading a JSON export item by item, tags, and no-data types."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from scanner.model import Origin, Resource, ScanError, Tag, Unknown
from scanner.sources import SourceResult
from scanner.sources.exports.jsonitems import items_with_lines, ndjson_items
from scanner.support.jsonload import loads, read_exported_text
from scanner.support.patterns import any_name_matches


class RowProblem(Exception):
    """One problem with one item of an export: the item is skipped, the rest is read."""


class NdJson:
    """A newline-delimited JSON document: its values with their lines."""

    def __init__(self, items: list[tuple[int, Any]]):
        self.items = items


def read_json_export(
    path: Path, display: str, what: str, read_item: Callable[[Any, Origin], Resource], key: str | None = None, ndjson: bool = False
) -> SourceResult:
    """Every item of a JSON export (the top-level list, or the list under ``key``; one per line when ``ndjson``) through ``read_item``."""
    result = SourceResult()
    loaded = load_json_text(path, display, what, ndjson)
    if isinstance(loaded, ScanError):
        result.errors.append(loaded)
        return result
    text, document = loaded
    if isinstance(document, NdJson):
        items: list[tuple[int, Any]] | None = document.items
    else:
        items = items_with_lines(text, None if isinstance(document, list) else key)
    if items is None:
        where = f'a list, or an object with a "{key}" list' if key else "a list"
        result.errors.append(ScanError(display, 1, f"not a {what}: expected {where} of resources"))
        return result
    result.scanned = 1
    for line, item in items:
        try:
            if not isinstance(item, dict):
                raise RowProblem(f"expected an object, got {json.dumps(item)[:60]}")
            result.resources.append(read_item(item, Origin(file=display, line=line)))
        except RowProblem as exc:
            result.errors.append(ScanError(display, line, f"{what} item skipped: {exc}"))
    return result


def load_json_text(path: Path, display: str, what: str, ndjson: bool = False) -> tuple[str, Any] | ScanError:
    """(text, document) of a JSON export or snapshot, or the one error that says why it cannot be read.

    ``ndjson``: a text of one JSON value per line is read as an ``NdJson`` document.
    """
    text = ""
    try:
        text = read_exported_text(path)
        return text, loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        return ScanError(display, None, f"cannot read the {what}: {exc}", kind="unreadable")
    except ValueError as exc:
        if ndjson and getattr(exc, "msg", "") == "Extra data":
            items = ndjson_items(text)
            if items is not None:
                return text, NdJson(items)
        return ScanError(display, getattr(exc, "lineno", None), f"not valid JSON ({getattr(exc, 'msg', exc)})", kind="syntax")


def location_region(item: dict, address: str, global_reason: str) -> str | Unknown:
    """The lower-cased "location" of an export item; missing or "global" is unknown, never a place."""
    location = item.get("location")
    if location is not None and not isinstance(location, str):
        raise RowProblem(f'{address}: "location" must be a string')
    if not location:
        return Unknown(f"the export gives no location for {address}")
    if location.lower() == "global":
        return Unknown(global_reason)
    return location.lower()


def optional_text_field(item: dict, key: str) -> str | None:
    return None if item.get(key) in (None, "") else text_field(item, key)


def text_field(item: dict, key: str) -> str:
    value = item.get(key)
    if value is None or value == "":
        raise RowProblem(f'"{key}" is missing')
    if not isinstance(value, str):
        raise RowProblem(f'"{key}" must be a string, got {json.dumps(value)[:60]}')
    return value


def tags_field(item: dict, key: str, origin: Origin) -> tuple[Tag, ...]:
    """A JSON map of tags or labels; null means none. Values that are not strings are refused, not guessed."""
    value = item.get(key)
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise RowProblem(f'"{key}" must be an object of tags, got {json.dumps(value)[:60]}')
    tags = []
    for name, tag in value.items():
        if not isinstance(tag, str):
            raise RowProblem(f'tag "{name}" must have a string value, got {json.dumps(tag)[:60]}')
        tags.append(Tag(name, tag, origin, via="inventory"))
    return tuple(tags)


def holds_data(kind: str, no_data: Iterable[str]) -> bool:
    return not any_name_matches(kind, no_data)
