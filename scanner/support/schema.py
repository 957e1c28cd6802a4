"""A small declarative validator for the YAML in policies/ and .sovscan.yml.

Each problem becomes one sentence naming file, line, key and what was
expected, and the entry that carries it is dropped so the rest still loads.
jsonschema could check shapes, but its messages quote whole sub-documents
and know nothing of YAML lines; this walks the LineDict/LineList that
``yamlload`` builds and says exactly where.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from scanner.support.yamlload import LineDict, LineList

INVALID = object()


@dataclass
class Problems:
    """Collects one-sentence errors while a document is checked."""

    file: str
    items: list[tuple[str, int | None, str]] = field(default_factory=list)
    countries: frozenset[str] = frozenset()

    def add(self, line: int | None, message: str) -> None:
        self.items.append((self.file, line, message))


@dataclass(frozen=True)
class Where:
    path: str
    line: int | None

    def child(self, key: str | int, line: int | None) -> Where:
        if isinstance(key, int):
            return Where(f"{self.path}[{key}]", line)
        return Where(f"{self.path}.{key}" if self.path else key, line)


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text '{shown}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


class Spec:
    expected = "a value"

    def check(self, value: Any, where: Where, problems: Problems) -> Any:
        raise NotImplementedError

    def fail(self, value: Any, where: Where, problems: Problems, expected: str | None = None) -> object:
        problems.add(where.line, f"key '{where.path}' is {_describe(value)}; expected {expected or self.expected}")
        return INVALID


class Str(Spec):
    def __init__(self, choices: tuple[str, ...] | None = None, pattern: str | None = None, expected: str | None = None):
        self.choices = choices
        self.pattern = re.compile(pattern) if pattern else None
        if expected:
            self.expected = expected
        elif choices:
            self.expected = "one of: " + ", ".join(choices)
        elif pattern:
            self.expected = f"text matching {pattern}"
        else:
            self.expected = "text"

    def check(self, value, where, problems):
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            return self.fail(value, where, problems)
        text = str(value)
        if self.choices and text not in self.choices:
            return self.fail(value, where, problems)
        if self.pattern and not self.pattern.fullmatch(text):
            return self.fail(value, where, problems)
        return text


class Regex(Spec):
    expected = "a regular expression"

    def check(self, value, where, problems):
        if not isinstance(value, str):
            return self.fail(value, where, problems)
        try:
            re.compile(value)
        except re.error as exc:
            problems.add(where.line, f"key '{where.path}' is not a valid regular expression ({exc})")
            return INVALID
        return value


class Int(Spec):
    def __init__(self, minimum: int | None = None, maximum: int | None = None):
        self.minimum, self.maximum = minimum, maximum
        bounds = []
        if minimum is not None:
            bounds.append(f">= {minimum}")
        if maximum is not None:
            bounds.append(f"<= {maximum}")
        self.expected = "a whole number" + (" " + " and ".join(bounds) if bounds else "")

    def check(self, value, where, problems):
        if isinstance(value, bool) or not isinstance(value, int):
            return self.fail(value, where, problems)
        if (self.minimum is not None and value < self.minimum) or (self.maximum is not None and value > self.maximum):
            return self.fail(value, where, problems)
        return value


class Bool(Spec):
    expected = "true or false"

    def check(self, value, where, problems):
        if not isinstance(value, bool):
            return self.fail(value, where, problems)
        return value


class Date(Spec):
    expected = "a date written YYYY-MM-DD"

    def check(self, value, where, problems):
        text = str(value) if isinstance(value, (str, _dt.date)) else None
        if text is None:
            return self.fail(value, where, problems)
        try:
            return _dt.date.fromisoformat(text).isoformat()
        except ValueError:
            return self.fail(value, where, problems)


class Country(Spec):
    expected = "an ISO 3166-1 alpha-2 country code such as FR"

    def check(self, value, where, problems):
        if not isinstance(value, str) or (problems.countries and value not in problems.countries):
            return self.fail(value, where, problems)
        return value


class Nullable(Spec):
    def __init__(self, inner: Spec):
        self.inner = inner
        self.expected = inner.expected + " or null"

    def check(self, value, where, problems):
        if value is None:
            return None
        return self.inner.check(value, where, problems)


class ListOf(Spec):
    def __init__(self, item: Spec, unique_key: Callable[[Any], Any] | None = None, what: str = "item"):
        self.item = item
        self.unique_key = unique_key
        self.what = what
        self.expected = f"a list of {item.expected}"

    def check(self, value, where, problems):
        if not isinstance(value, list):
            return self.fail(value, where, problems)
        out = []
        seen: dict[Any, int | None] = {}
        for index, raw in enumerate(value):
            line = value.line_of(index) if isinstance(value, LineList) else where.line
            checked = self.item.check(raw, where.child(index, line), problems)
            if checked is INVALID:
                continue
            if self.unique_key is not None:
                key = self.unique_key(checked)
                if key in seen:
                    problems.add(line, f"duplicate {self.what} '{key}' in '{where.path}' (first at line {seen[key]})")
                    continue
                seen[key] = line
            out.append(checked)
        return out


class MapOf(Spec):
    def __init__(self, value: Spec, key: Spec | None = None):
        self.value = value
        self.key = key or Str()
        self.expected = f"a mapping of {self.key.expected} to {value.expected}"

    def check(self, value, where, problems):
        if not isinstance(value, dict):
            return self.fail(value, where, problems)
        out = {}
        for raw_key, raw_value in value.items():
            line = value.line_of(raw_key) if isinstance(value, LineDict) else where.line
            key = self.key.check(raw_key, where.child(str(raw_key), line), problems)
            checked = self.value.check(raw_value, where.child(str(raw_key), line), problems)
            if key is not INVALID and checked is not INVALID:
                out[key] = checked
        return out


@dataclass(frozen=True)
class Field:
    spec: Spec
    required: bool = False
    default: Any = None


class Obj(Spec):
    """A mapping with known keys; ``build`` turns the checked values into a dataclass."""

    def __init__(self, fields: Mapping[str, Field | Spec], build: Callable[..., Any] | None = None, what: str = "entry"):
        self.fields = {k: f if isinstance(f, Field) else Field(f) for k, f in fields.items()}
        self.build = build
        self.what = what
        self.expected = f"a mapping with keys {', '.join(self.fields)}"

    def check(self, value, where, problems):
        if not isinstance(value, dict):
            return self.fail(value, where, problems)
        line_of = value.line_of if isinstance(value, LineDict) else (lambda _k: where.line)
        own_line = value.line if isinstance(value, LineDict) else where.line
        ok = True
        out: dict[str, Any] = {}
        for key in value:
            if key not in self.fields:
                problems.add(
                    line_of(key),
                    f"unknown key '{where.child(str(key), None).path}' in {self.what}; expected one of: {', '.join(self.fields)}",
                )
                ok = False
        for name, fld in self.fields.items():
            if name not in value:
                if fld.required:
                    problems.add(own_line, f"{self.what} '{where.path or 'document'}' lacks the required key '{name}' ({fld.spec.expected})")
                    ok = False
                out[name] = fld.default() if callable(fld.default) else fld.default
                continue
            checked = fld.spec.check(value[name], where.child(name, line_of(name)), problems)
            if checked is INVALID:
                ok = False
            else:
                out[name] = checked
        if not ok:
            return INVALID
        out["_line"] = own_line
        if self.build is None:
            return out
        return self.build(out)


class AnyMapping(Spec):
    """A mapping checked later by a more specific schema."""

    expected = "a mapping"

    def check(self, value, where, problems):
        if not isinstance(value, dict):
            return self.fail(value, where, problems)
        return value
