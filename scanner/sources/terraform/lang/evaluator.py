"""Evaluate HCL expressions as Terraform would at plan time, without the cloud.

Names are resolved by a ``Scope`` (the module instance plus for-expression
and count/each bindings). Whatever depends on apply-time values stays
``Unknown`` with its reason; an expression Terraform would reject raises
``EvalError``. Every evaluation runs under a ``Budget`` so an expression that
would expand exponentially is cut with an error instead of hanging.
"""

from __future__ import annotations

from typing import Any, Protocol

from scanner.model import TraceStep
from scanner.sources.terraform.lang import functions
from scanner.sources.terraform.lang.values import (
    MAX_NUMBER_BITS,
    EvalError,
    Lazy,
    PartialMap,
    TfSet,
    Unknown,
    check_number,
    check_size,
    contains_unknown,
    iterate,
    known_string,
    materialize,
    to_bool,
    to_number,
    to_string,
    type_name,
)
from scanner.sources.terraform.syntax import ast


class Budget:
    """Caps the work of one scan: node visits, and the size of what is built."""

    def __init__(self, max_steps: int = 20_000_000):
        self.max_steps = max_steps
        self.steps = 0

    def spend(self, n: int = 1) -> None:
        self.steps += n
        if self.steps > self.max_steps:
            raise EvalError("evaluation budget exhausted: an expression expands too much")


class Scope(Protocol):
    @property
    def files(self) -> functions.FileAccess | None:
        """What file(), templatefile() and fileset() may read here, or None when they are not evaluated."""

    def lookup(self, name: str, line: int, ev: Evaluator) -> Any:
        """Value of a root name (var, local, module, a resource type…); raise KeyError if none."""


class Bindings:
    """A scope with extra names (for-expression variables, count, each) over a parent scope."""

    def __init__(self, parent: Scope, names: dict[str, Any]):
        self.parent = parent
        self.names = names
        self.files = parent.files

    def lookup(self, name: str, line: int, ev: Evaluator) -> Any:
        if name in self.names:
            return self.names[name]
        return self.parent.lookup(name, line, ev)

    def resolve_path(self, path: list[str], line: int, ev: Evaluator) -> Any:
        if path[0] in self.names:
            return _NOT_A_PATH
        return _resolve_path(path, self.parent, ev, line)


class Evaluator:
    def __init__(self, budget: Budget, trace: list[TraceStep] | None = None, secrets: set[str] | None = None):
        self.budget = budget
        self.trace = trace
        self.secrets = secrets  # where sensitive() records its arguments, to keep them out of reports

    def note(self, step: TraceStep, sub: tuple[TraceStep, ...] = ()) -> None:
        if self.trace is not None and len(self.trace) < 40:
            self.trace.extend(sub)
            self.trace.append(step)

    # ------------------------------------------------------------------ entry

    def eval(self, expr: Any, scope: Scope) -> Any:
        budget = self.budget
        budget.steps += 1
        if budget.steps > budget.max_steps:
            raise EvalError("evaluation budget exhausted: an expression expands too much")
        method = _DISPATCH.get(type(expr))
        if method is None:
            raise EvalError(f"cannot evaluate {type(expr).__name__}")
        return method(self, expr, scope)

    # ------------------------------------------------------------------ nodes

    def _Invalid(self, expr: ast.Invalid, scope: Scope) -> Any:
        return Unknown(expr.reason)

    def _Literal(self, expr: ast.Literal, scope: Scope) -> Any:
        return expr.value

    def _Template(self, expr: ast.Template, scope: Scope) -> Any:
        if len(expr.parts) == 1 and not isinstance(expr.parts[0], (str, ast.TemplateIf, ast.TemplateFor)):
            # "${x}" alone keeps x's type, as in Terraform.
            return self.eval(expr.parts[0], scope)
        return self._parts(expr.parts, scope)

    def _parts(self, parts: tuple, scope: Scope) -> Any:
        out: list[str] = []
        for part in parts:
            if isinstance(part, str):
                out.append(part)
                continue
            if isinstance(part, ast.TemplateIf):
                cond = to_bool(self.eval(part.cond, scope))
                if isinstance(cond, Unknown):
                    return cond
                value = self._parts(part.then if cond else part.otherwise, scope)
            elif isinstance(part, ast.TemplateFor):
                value = self._template_for(part, scope)
            else:
                value = materialize(self.eval(part, scope))
                value = to_string(value, "template interpolation")
            if isinstance(value, Unknown):
                return value
            out.append(value)
            if sum(len(s) for s in out) > 5_000_000:
                raise EvalError("a template renders more than 5 MB")
        return "".join(out)

    def _template_for(self, part: ast.TemplateFor, scope: Scope) -> Any:
        pairs = iterate(self.eval(part.collection, scope))
        if isinstance(pairs, Unknown):
            return pairs
        out = []
        for key, value in pairs:
            names = {part.value_var: value}
            if part.key_var:
                names[part.key_var] = key
            rendered = self._parts(part.body, Bindings(scope, names))
            if isinstance(rendered, Unknown):
                return rendered
            out.append(rendered)
        return "".join(out)

    def _Name(self, expr: ast.Name, scope: Scope) -> Any:
        try:
            return scope.lookup(expr.name, expr.line, self)
        except KeyError:
            raise EvalError(f"unknown name '{expr.name}'") from None

    def _GetAttr(self, expr: ast.GetAttr, scope: Scope) -> Any:
        # Namespaces (var.x, local.x, module.x, data.t.n, aws_s3_bucket.x) are
        # resolved by the scope so it can trace and memoise them.
        path = _name_path(expr)
        if path is not None:
            resolved = _resolve_path(path, scope, self, expr.line)
            if resolved is not _NOT_A_PATH:
                return resolved
        obj = self.eval(expr.obj, scope)
        return get_attr(obj, expr.name)

    def _Index(self, expr: ast.Index, scope: Scope) -> Any:
        obj = self.eval(expr.obj, scope)
        key = self.eval(expr.key, scope)
        return index(obj, key)

    def _Splat(self, expr: ast.Splat, scope: Scope) -> Any:
        obj = self.eval(expr.obj, scope)
        if isinstance(obj, Unknown):
            return obj
        if obj is None:
            return []
        items = list(obj) if isinstance(obj, list) else [obj]
        results = []
        for item in items:
            for kind, step in expr.steps:
                if kind == "attr":
                    item = get_attr(item, step)
                else:
                    item = index(item, self.eval(step, scope))
            results.append(item)
        return results

    def _Call(self, expr: ast.Call, scope: Scope) -> Any:
        if expr.name == "try":
            return self._try(expr, scope)
        if expr.name == "can":
            return self._can(expr, scope)
        args = [self.eval(a, scope) for a in expr.args]
        if expr.name == "sensitive" and self.secrets is not None:
            from scanner.sources.terraform.lang.redact import remember

            for arg in args:
                remember(materialize(arg), self.secrets)
        if expr.expand_last and args:
            last = args.pop()
            if isinstance(last, Unknown):
                return last
            if not isinstance(last, list):
                raise EvalError(f"{expr.name}(): the argument before ... must be a list")
            args.extend(last)
        if expr.name == "templatefile" and len(args) == 2:
            self.budget.spend(1000)
        result = functions.call(expr.name, args, scope.files)
        return check_size(result)

    def _try(self, expr: ast.Call, scope: Scope) -> Any:
        last_error: EvalError | None = None
        for arg in expr.args:
            try:
                value = self.eval(arg, scope)
            except EvalError as exc:
                last_error = exc
                continue
            if isinstance(value, Unknown):
                return value  # Terraform cannot decide either
            if contains_unknown(value) is None or isinstance(value, (list, dict)):
                return value
        raise EvalError(f"try(): no argument succeeded ({last_error})" if last_error else "try(): no arguments")

    def _can(self, expr: ast.Call, scope: Scope) -> Any:
        if len(expr.args) != 1:
            raise EvalError("can() takes one argument")
        try:
            value = self.eval(expr.args[0], scope)
        except EvalError:
            return False
        return value if isinstance(value, Unknown) else True

    def _TupleExpr(self, expr: ast.TupleExpr, scope: Scope) -> Any:
        self.budget.spend(len(expr.items))
        return [self.eval(i, scope) for i in expr.items]

    def _ObjectExpr(self, expr: ast.ObjectExpr, scope: Scope) -> Any:
        result: dict[str, Any] = {}
        partial: str | None = None
        for key_expr, value_expr in expr.items:
            key = self.eval(key_expr, scope)
            if isinstance(key, Unknown):
                partial = key.reason
                continue
            key = known_string(key, "object key")
            result[key] = self.eval(value_expr, scope)
        return PartialMap(result, partial) if partial else result

    def _Conditional(self, expr: ast.Conditional, scope: Scope) -> Any:
        cond = to_bool(self.eval(expr.cond, scope))
        if isinstance(cond, Unknown):
            # When both branches agree, the condition does not matter.
            then, otherwise = self.eval(expr.then, scope), self.eval(expr.otherwise, scope)
            if contains_unknown(then) is None and materialize(then) == materialize(otherwise):
                return then
            return Unknown(f"a condition is unknown ({cond.reason})")
        return self.eval(expr.then if cond else expr.otherwise, scope)

    def _UnaryOp(self, expr: ast.UnaryOp, scope: Scope) -> Any:
        value = self.eval(expr.operand, scope)
        if isinstance(value, Unknown):
            return value
        if expr.op == "!":
            result = to_bool(value)
            return result if isinstance(result, Unknown) else not result
        number = to_number(value)
        return number if isinstance(number, Unknown) else -number

    def _BinaryOp(self, expr: ast.BinaryOp, scope: Scope) -> Any:
        op = expr.op
        left = self.eval(expr.left, scope)
        if op in ("&&", "||"):
            left_bool = to_bool(left)
            if left_bool is False and op == "&&":
                return False
            if left_bool is True and op == "||":
                return True
            right_bool = to_bool(self.eval(expr.right, scope))
            if isinstance(right_bool, Unknown) or isinstance(left_bool, Unknown):
                if op == "&&" and right_bool is False:
                    return False
                if op == "||" and right_bool is True:
                    return True
                return left_bool if isinstance(left_bool, Unknown) else right_bool
            return (left_bool and right_bool) if op == "&&" else (left_bool or right_bool)
        right = self.eval(expr.right, scope)
        if op in ("==", "!="):
            for side in (left, right):
                unknown = contains_unknown(side)
                if unknown is not None:
                    return unknown
            equal = _equal(materialize(left), materialize(right))
            return equal if op == "==" else not equal
        a, b = to_number(left), to_number(right)
        if isinstance(a, Unknown):
            return a
        if isinstance(b, Unknown):
            return b
        if op in ("+", "-", "*"):
            if op == "*" and isinstance(a, int) and isinstance(b, int) and a.bit_length() + b.bit_length() > MAX_NUMBER_BITS:
                raise EvalError("a number too large to evaluate")
            return check_number(a + b if op == "+" else a - b if op == "-" else a * b)
        if op == "/":
            if b == 0:
                raise EvalError("division by zero")
            result = a / b
            return int(result) if isinstance(result, float) and result.is_integer() else result
        if op == "%":
            if b == 0:
                raise EvalError("modulo by zero")
            return a % b
        if op == "<":
            return a < b
        if op == ">":
            return a > b
        if op == "<=":
            return a <= b
        if op == ">=":
            return a >= b
        raise EvalError(f"unknown operator {op}")

    def _ForExpr(self, expr: ast.ForExpr, scope: Scope) -> Any:
        pairs = iterate(self.eval(expr.collection, scope))
        if isinstance(pairs, Unknown):
            return pairs
        items: list[Any] = []
        mapping: dict[str, Any] = {}
        partial: str | None = None
        for key, value in pairs:
            self.budget.spend()
            names = {expr.value_var: value}
            if expr.key_var:
                names[expr.key_var] = key
            inner = Bindings(scope, names)
            if expr.cond is not None:
                keep = to_bool(self.eval(expr.cond, inner))
                if isinstance(keep, Unknown):
                    if expr.key_expr is None:
                        return Unknown(f"a for condition is unknown ({keep.reason})")
                    partial = keep.reason
                    continue
                if not keep:
                    continue
            if expr.key_expr is None:
                items.append(self.eval(expr.value_expr, inner))
                continue
            map_key = self.eval(expr.key_expr, inner)
            if isinstance(map_key, Unknown):
                partial = map_key.reason
                continue
            map_key = known_string(map_key, "for expression key")
            value_out = self.eval(expr.value_expr, inner)
            if expr.group:
                mapping.setdefault(map_key, []).append(value_out)
            elif map_key in mapping:
                raise EvalError(f"duplicate key '{map_key}' in a for expression (use ... to group)")
            else:
                mapping[map_key] = value_out
        if expr.key_expr is None:
            return check_size(items)
        return check_size(PartialMap(mapping, partial) if partial else mapping)


_DISPATCH = {
    node_type: getattr(Evaluator, "_" + node_type.__name__)
    for node_type in (
        ast.Invalid, ast.Literal, ast.Template, ast.Name, ast.GetAttr, ast.Index, ast.Splat, ast.Call,
        ast.TupleExpr, ast.ObjectExpr, ast.Conditional, ast.UnaryOp, ast.BinaryOp, ast.ForExpr,
    )
}


# --------------------------------------------------------------------------- traversal helpers

_NOT_A_PATH = object()


def _name_path(expr: Any) -> list[str] | None:
    names: list[str] = []
    while isinstance(expr, ast.GetAttr):
        names.append(expr.name)
        expr = expr.obj
    if isinstance(expr, ast.Name):
        names.append(expr.name)
        return names[::-1]
    return None


def _resolve_path(path: list[str], scope: Scope, ev: Evaluator, line: int) -> Any:
    """Let the scope resolve the longest namespaced prefix (var.x, data.t.n…)."""
    resolver = getattr(scope, "resolve_path", None)
    if resolver is None:
        return _NOT_A_PATH
    return resolver(path, line, ev)


def get_attr(obj: Any, name: str) -> Any:
    if isinstance(obj, Unknown):
        return obj
    if isinstance(obj, Lazy):
        return obj.get(name)
    if isinstance(obj, dict):
        if name in obj:
            return obj[name]
        if isinstance(obj, PartialMap):
            return Unknown(obj.reason)
        raise EvalError(f"object has no attribute '{name}'")
    if obj is None:
        raise EvalError(f"cannot read attribute '{name}' of null")
    if isinstance(obj, list):
        raise EvalError(f"cannot read attribute '{name}' of a list (use [*] or an index)")
    raise EvalError(f"cannot read attribute '{name}' of a {type_name(obj)}")


def index(obj: Any, key: Any) -> Any:
    if isinstance(obj, Unknown):
        return obj
    if isinstance(key, Unknown):
        return key
    if isinstance(obj, Lazy):
        return obj.get(known_string(key, "index"))
    if isinstance(obj, dict):
        key = to_string(key, "map key")
        if key in obj:
            return obj[key]
        if isinstance(obj, PartialMap):
            return Unknown(obj.reason)
        raise EvalError(f"no key \"{key}\" in the map")
    if isinstance(obj, list) and not isinstance(obj, TfSet):
        number = to_number(key)
        if isinstance(number, Unknown):
            return number
        if isinstance(number, float):
            if not number.is_integer():
                raise EvalError("a list index must be a whole number")
            number = int(number)
        if 0 <= number < len(obj):
            return obj[number]
        raise EvalError(f"index {number} out of range for a list of {len(obj)} elements")
    if obj is None:
        raise EvalError("cannot index a null value")
    raise EvalError(f"cannot index a {type_name(obj)}")


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if type(a) is not type(b) and not (isinstance(a, list) and isinstance(b, list)) and not (isinstance(a, dict) and isinstance(b, dict)):
        return False
    return a == b
