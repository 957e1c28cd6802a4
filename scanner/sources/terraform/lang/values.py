"""Terraform values as the evaluator handles them.

Plain Python values (str, int, float, bool, None, list, dict) plus:

- ``Unknown``: a value only known at apply time, or not given, with the reason;
- ``PartialMap``: a map whose listed keys are known but which may hold more
  (``merge(var.unset, {Name = "x"})`` surely has Name; other keys are unknown);
- ``TfSet``: a set, kept as a sorted, duplicate-free list as Terraform orders it;
- ``Lazy``: a resource, module or data source whose attributes are evaluated
  only when read, so a reference to one attribute does not evaluate (or cycle
  through) the whole object.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from scanner.model import Unknown, is_unknown

__all__ = ["Unknown", "is_unknown", "PartialMap", "TfSet", "Lazy", "EvalError", "ZoneInRegion"]


@dataclass(frozen=True, slots=True)
class ZoneInRegion(Unknown):
    """A zone only known at apply time, but known to lie in ``region``.

    ``data.google_compute_zones.x.names`` lists the zones of one region (its
    ``region`` argument, else the provider's): which one a resource gets is
    read from Google, where it is is not. It flows through indexing and
    ``element()`` as any unknown does; the placement reads its region.
    """

    region: str = ""

MAX_COLLECTION = 100_000
MAX_STRING = 5_000_000
MAX_NUMBER_BITS = 4096  # Terraform numbers are big floats; a larger integer is an attack, not a config


class EvalError(Exception):
    """An expression Terraform itself would reject (wrong type, bad index…)."""


class PartialMap(dict):
    """A map with known keys and possibly more unknown ones."""

    __slots__ = ("reason",)

    def __init__(self, items: Any = (), reason: str = "some keys are unknown"):
        super().__init__(items)
        self.reason = reason


class TfSet(list):
    """A set of values in Terraform's order."""

    @classmethod
    def of(cls, items: list) -> TfSet:
        unique: list = []
        seen: set = set()
        for item in items:
            key = _hashable(item)
            if key not in seen:
                seen.add(key)
                unique.append(item)
        if all(isinstance(i, str) for i in unique):
            unique.sort()
        return cls(unique)


class Lazy:
    """An object whose attributes are evaluated on demand."""

    def get(self, name: str) -> Any:
        raise NotImplementedError

    def materialize(self) -> dict | Unknown:
        raise NotImplementedError


def _hashable(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, Unknown):
        return ("<unknown>", value.reason)
    return value


def first_unknown(values: Any) -> Unknown | None:
    for value in values:
        if isinstance(value, Unknown):
            return value
    return None


def materialize(value: Any, depth: int = 0) -> Any:
    """Replace lazy objects by plain dicts, deeply (for functions and rendering)."""
    if depth > 64:
        return Unknown("value nested too deeply")
    if isinstance(value, Lazy):
        return materialize(value.materialize(), depth + 1)
    if isinstance(value, PartialMap):
        return PartialMap({k: materialize(v, depth + 1) for k, v in value.items()}, value.reason)
    if isinstance(value, dict):
        return {k: materialize(v, depth + 1) for k, v in value.items()}
    if isinstance(value, TfSet):
        return TfSet(materialize(v, depth + 1) for v in value)
    if isinstance(value, list):
        return [materialize(v, depth + 1) for v in value]
    return value


def contains_unknown(value: Any, depth: int = 0) -> Unknown | None:
    if isinstance(value, Unknown):
        return value
    if depth > 64:
        return Unknown("value nested too deeply")
    if isinstance(value, PartialMap):
        return Unknown(value.reason)
    if isinstance(value, dict):
        values: Any = value.values()
    elif isinstance(value, list):
        values = value
    else:
        return None
    for item in values:
        found = contains_unknown(item, depth + 1)
        if found is not None:
            return found
    return None


# --------------------------------------------------------------------------- strings and numbers

def format_number(number: int | float) -> str:
    if isinstance(number, float):
        if math.isfinite(number) and number.is_integer() and abs(number) < 1e21:
            return str(int(number))
        return repr(number)
    return str(number)


def to_string(value: Any, what: str = "value") -> str | Unknown:
    if isinstance(value, Unknown):
        return value
    return known_string(value, what)


def known_string(value: Any, what: str = "value") -> str:
    """``to_string`` of a value the caller has already found known (an object key, an index)."""
    if isinstance(value, Lazy):
        raise EvalError(f"cannot use an object as a string ({what})")
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return format_number(value)
    if value is None:
        raise EvalError(f"null {what} cannot be used in a string")
    raise EvalError(f"cannot convert {type_name(value)} to a string ({what})")


def to_number(value: Any) -> int | float | Unknown:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, bool):
        raise EvalError("a bool is not a number")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                result = float(text)
            except ValueError:
                raise EvalError(f"'{value[:40]}' is not a number") from None
            return int(result) if result.is_integer() and "e" not in text.lower() and "." not in text else result
    raise EvalError(f"cannot convert {type_name(value)} to a number")


def to_bool(value: Any) -> bool | Unknown:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, bool):
        return value
    if value == "true":
        return True
    if value == "false":
        return False
    raise EvalError(f"cannot convert {type_name(value)} to a bool")


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, TfSet):
        return "set"
    if isinstance(value, list):
        return "tuple"
    if isinstance(value, (dict, Lazy)):
        return "object"
    return type(value).__name__


def render(value: Any, limit: int = 120) -> str:
    """A short, human rendering of a value for traces and messages."""
    if isinstance(value, Unknown):
        return "unknown"
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    else:
        try:
            text = json.dumps(to_json(materialize(value)), ensure_ascii=False, sort_keys=True)
        except (TypeError, ValueError, EvalError):
            text = type_name(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def to_json(value: Any) -> Any:
    """A JSON-able form; unknown parts become null (callers check unknowns first)."""
    if isinstance(value, Unknown):
        return None
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if isinstance(value, Lazy):
        return to_json(value.materialize())
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def check_number(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_NUMBER_BITS:
        raise EvalError("a number too large to evaluate")
    return value


def check_size(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_STRING:
        raise EvalError(f"a string of {len(value)} characters is too large to evaluate")
    if isinstance(value, (list, dict)) and len(value) > MAX_COLLECTION:
        raise EvalError(f"a collection of {len(value)} elements is too large to evaluate")
    return value


def iterate(collection: Any) -> Iterator[tuple[Any, Any]] | Unknown:
    """(key, value) pairs of a list, set or map, as a for expression sees them."""
    if isinstance(collection, Unknown):
        return collection
    if isinstance(collection, PartialMap):
        return Unknown(collection.reason)
    if isinstance(collection, Lazy):
        collection = collection.materialize()
        if isinstance(collection, Unknown):
            return collection
    if isinstance(collection, dict):
        return iter(sorted(collection.items(), key=lambda kv: str(kv[0])))
    if isinstance(collection, TfSet):
        return iter((v, v) for v in collection)
    if isinstance(collection, list):
        return iter(enumerate(collection))
    if collection is None:
        raise EvalError("cannot iterate over a null value")
    raise EvalError(f"cannot iterate over a {type_name(collection)}")
