"""Terraform type constraints (``type = object({ region = optional(string, "eu-west-3") })``).

Variables convert their value to the declared type as Terraform does: "3"
becomes 3 for a number, optional object attributes get their defaults.
A wrong region could come from a skipped default, so conversions matter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scanner.sources.terraform.lang.values import (
    EvalError,
    Lazy,
    PartialMap,
    TfSet,
    Unknown,
    materialize,
    to_bool,
    to_number,
    to_string,
    type_name,
)
from scanner.sources.terraform.syntax import ast

PRIMITIVES = ("string", "number", "bool", "any")


@dataclass(frozen=True)
class TypeSpec:
    kind: str  # string, number, bool, any, list, set, map, object, tuple
    inner: TypeSpec | None = None
    attrs: tuple[tuple[str, TypeSpec, bool, Any], ...] = ()  # (name, type, optional, default)
    items: tuple[TypeSpec, ...] = ()

    @property
    def is_primitive(self) -> bool:
        return self.kind in ("string", "number", "bool")


ANY = TypeSpec("any")


def parse_type(expr: ast.Expr | None, evaluate_default=None) -> TypeSpec:
    """Read a type expression; unknown shapes become ``any`` (never an error)."""
    if expr is None:
        return ANY
    if isinstance(expr, ast.Name) and expr.name in PRIMITIVES:
        return TypeSpec(expr.name)
    if isinstance(expr, ast.Literal) and isinstance(expr.value, str) and expr.value in PRIMITIVES:
        return TypeSpec(expr.value)  # legacy quoted types: type = "string"
    if isinstance(expr, ast.Literal) and expr.value in ("list", "map"):
        return TypeSpec(expr.value, ANY)
    if isinstance(expr, ast.Name) and expr.name in ("list", "map", "set"):
        return TypeSpec(expr.name, ANY)
    if isinstance(expr, ast.Call):
        name = expr.name
        if name in ("list", "set", "map") and expr.args:
            return TypeSpec(name, parse_type(expr.args[0], evaluate_default))
        if name == "object" and expr.args and isinstance(expr.args[0], ast.ObjectExpr):
            attrs = []
            for key, value in expr.args[0].items:
                if not isinstance(key, ast.Literal):
                    continue
                if isinstance(value, ast.Call) and value.name == "optional" and value.args:
                    inner = parse_type(value.args[0], evaluate_default)
                    default = evaluate_default(value.args[1]) if len(value.args) > 1 and evaluate_default else None
                    attrs.append((str(key.value), inner, True, default))
                else:
                    attrs.append((str(key.value), parse_type(value, evaluate_default), False, None))
            return TypeSpec("object", attrs=tuple(attrs))
        if name == "tuple" and expr.args and isinstance(expr.args[0], ast.TupleExpr):
            return TypeSpec("tuple", items=tuple(parse_type(i, evaluate_default) for i in expr.args[0].items))
    return ANY


def convert(value: Any, spec: TypeSpec, what: str = "value") -> Any:
    """Convert ``value`` to ``spec`` or raise EvalError; unknown stays unknown."""
    if isinstance(value, Unknown) or value is None or spec.kind == "any":
        return value
    if isinstance(value, Lazy):
        value = materialize(value)
    kind = spec.kind
    if kind == "string":
        return to_string(value, what)
    if kind == "number":
        return to_number(value)
    if kind == "bool":
        return to_bool(value)
    if kind in ("list", "set"):
        if isinstance(value, dict):
            raise EvalError(f"{what} must be a {kind}, not an object")
        if not isinstance(value, list):
            raise EvalError(f"{what} must be a {kind}, not a {type_name(value)}")
        items = [convert(v, spec.inner or ANY, what) for v in value]
        return TfSet.of(items) if kind == "set" else items
    if kind == "map":
        if not isinstance(value, dict):
            raise EvalError(f"{what} must be a map, not a {type_name(value)}")
        converted = {k: convert(v, spec.inner or ANY, what) for k, v in value.items()}
        return PartialMap(converted, value.reason) if isinstance(value, PartialMap) else converted
    if kind == "object":
        if not isinstance(value, dict):
            raise EvalError(f"{what} must be an object, not a {type_name(value)}")
        result: dict[str, Any] = {}
        for name, attr_spec, optional, default in spec.attrs:
            if name in value and value[name] is not None:
                result[name] = convert(value[name], attr_spec, f"{what}.{name}")
            elif name in value or optional:
                result[name] = convert(default, attr_spec, f"{what}.{name}") if default is not None else None
            elif isinstance(value, PartialMap):
                result[name] = Unknown(value.reason)
            else:
                raise EvalError(f"{what} lacks the required attribute '{name}'")
        return result
    if kind == "tuple":
        if not isinstance(value, list) or len(value) != len(spec.items):
            raise EvalError(f"{what} must be a tuple of {len(spec.items)} elements")
        return [convert(v, s, what) for v, s in zip(value, spec.items, strict=False)]
    return value
