"""Read a saved JSON report (``scan --format json``) for ``sovscan report``, and check it is one.

A broken or foreign file is a one-line error naming the file, the line and
the field (``report.json:12: findings[3].severity: expected one of …``);
nothing here raises anything else. Only the fields the audit reads are
checked, so reports of later versions (which only add fields) still load.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scanner.report.html.model import SEVERITIES
from scanner.support.jsonload import loads

SCHEMA_VERSIONS = (1,)

JsonPath = tuple["str | int", ...]


class SavedReportError(Exception):
    """A saved report that cannot be used: which file, which line, what is wrong."""

    def __init__(self, file: str, line: int | None, message: str):
        super().__init__(f"{file}:{line}: {message}" if line else f"{file}: {message}")
        self.file = file
        self.line = line
        self.message = message


def load_saved_report(path: Path, display: str | None = None) -> dict[str, Any]:
    """The checked document of a saved report; raises ``SavedReportError`` (the first problem) otherwise."""
    name = display or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SavedReportError(name, None, f"cannot read the report: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SavedReportError(name, raw.count(b"\n", 0, exc.start) + 1, "not UTF-8 text; expected a JSON report from `sovscan scan --format json`") from None
    try:
        doc = loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise SavedReportError(name, exc.lineno, f"not valid JSON: {exc.msg} (column {exc.colno})") from None
    except ValueError as exc:
        raise SavedReportError(name, None, f"not valid JSON: {exc}") from None
    problem = next(check_document(doc), None)
    if problem is not None:
        where, message = problem
        label = _label(where)
        raise SavedReportError(name, line_of(text, where), f"{label}: {message}" if label else message)
    return doc


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _label(path: JsonPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def check_document(doc: Any) -> Iterator[tuple[JsonPath, str]]:
    """(where, what is wrong) for each field the audit needs that is missing or of the wrong kind."""
    if not isinstance(doc, dict):
        yield (), "expected a JSON object (a report from `sovscan scan --format json`)"
        return
    if "schema_version" not in doc:
        yield (), "no schema_version: not a sovscan JSON report (write one with `sovscan scan --format json`)"
        return
    if doc["schema_version"] not in SCHEMA_VERSIONS:
        yield ("schema_version",), f"schema {doc['schema_version']!r} is not one this sovscan reads ({', '.join(map(str, SCHEMA_VERSIONS))}); use the sovscan that wrote it"
        return
    for key, kind in (("tool", dict), ("policy", dict), ("resources", list), ("findings", list)):
        if not isinstance(doc.get(key), kind):
            yield (key,), f"expected {'an object' if kind is dict else 'a list'}"
            return
    for key in ("errors", "inputs"):
        if key in doc and not isinstance(doc[key], list):
            yield (key,), "expected a list"
    for i, resource in enumerate(doc["resources"]):
        yield from _check_resource(resource, ("resources", i))
    for i, finding in enumerate(doc["findings"]):
        yield from _check_finding(finding, ("findings", i))
    for i, error in enumerate(doc.get("errors") or ()):
        if not isinstance(error, dict) or not isinstance(error.get("message"), str):
            yield ("errors", i), "expected an object with a message"


def _is(value: Any, *kinds: type) -> bool:
    # bool is an int in Python; a count or a line must not be true/false.
    return isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)


def _check_resource(resource: Any, where: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    if not isinstance(resource, dict):
        yield where, "expected an object"
        return
    if not _is(resource.get("address"), str):
        yield (*where, "address"), "expected a string"
    for key in ("sensitivity", "workload", "root", "offer"):
        if resource.get(key) is not None and not _is(resource[key], str):
            yield (*where, key), "expected a string or null"
    for key in ("hosting", "origin", "trace"):
        if resource.get(key) is not None and not isinstance(resource[key], dict):
            yield (*where, key), "expected an object"
    if "holds_data" in resource and not _is(resource["holds_data"], bool):
        yield (*where, "holds_data"), "expected true or false"


def _check_finding(finding: Any, where: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    if not isinstance(finding, dict):
        yield where, "expected an object"
        return
    for key in ("rule", "address"):
        if not _is(finding.get(key), str):
            yield (*where, key), "expected a string"
    if finding.get("severity") not in SEVERITIES:
        yield (*where, "severity"), f"expected one of: {', '.join(SEVERITIES)}"
    if "suppressed" in finding and not _is(finding["suppressed"], bool):
        yield (*where, "suppressed"), "expected true or false"
    for key in ("evidence", "origin", "suppression"):
        if finding.get(key) is not None and not isinstance(finding[key], dict):
            yield (*where, key), "expected an object"
    evidence = finding.get("evidence") or {}
    if isinstance(evidence, dict):
        for key in ("facts", "references", "unverified"):
            if key in evidence and not isinstance(evidence[key], list):
                yield (*where, "evidence", key), "expected a list"
        for j, fact in enumerate(evidence.get("facts") or () if isinstance(evidence.get("facts"), list) else ()):
            if not isinstance(fact, dict):
                yield (*where, "evidence", "facts", j), "expected an object"


# -- where a value is in the text -------------------------------------------

_DECODER = json.JSONDecoder()
_SPACE = " \t\n\r"


def line_of(text: str, path: JsonPath) -> int:
    """The 1-based line of the value at ``path`` (as far as it exists), found by walking the JSON text."""
    pos = _skip(text, 0)
    for part in path:
        found = _child(text, pos, part)
        if found is None:
            break
        pos = found
    return text.count("\n", 0, pos) + 1


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _SPACE:
        pos += 1
    return pos


def _child(text: str, pos: int, part: str | int) -> int | None:
    """The position of member ``part`` of the object or array starting at ``pos``."""
    try:
        if isinstance(part, str) and text[pos] == "{":
            pos = _skip(text, pos + 1)
            while text[pos] == '"':
                key, pos = _DECODER.raw_decode(text, pos)
                pos = _skip(text, _skip(text, pos) + 1)  # past ':'
                if key == part:
                    return pos
                _, pos = _DECODER.raw_decode(text, pos)
                pos = _skip(text, pos)
                if text[pos] != ",":
                    return None
                pos = _skip(text, pos + 1)
        elif isinstance(part, int) and text[pos] == "[":
            pos = _skip(text, pos + 1)
            for _ in range(part):
                _, pos = _DECODER.raw_decode(text, pos)
                pos = _skip(text, pos)
                if text[pos] != ",":
                    return None
                pos = _skip(text, pos + 1)
            return pos
    except (IndexError, ValueError):
        return None
    return None
