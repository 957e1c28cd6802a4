"""Module instances: Terraform's semantics for names, modules, providers, count and for_each.

A ``ModuleInstance`` is one instance of a module (the root, or ``module.a["k"]``)
and is the scope its expressions are evaluated in. Named values (variables,
locals, outputs, resource attributes) are computed on demand, memoised, and
checked for cycles across the whole configuration. Each remembers the chain
of steps that produced it, so a region can be explained back to the tfvars
line it came from.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from scanner.model import Origin, ScanError, TraceStep
from scanner.sources.terraform.lang.evaluator import _NOT_A_PATH, Bindings, Budget, Evaluator, get_attr
from scanner.sources.terraform.lang.functions import FileAccess
from scanner.sources.terraform.lang.redact import remember
from scanner.sources.terraform.lang.types import convert, parse_type
from scanner.sources.terraform.lang.values import (
    EvalError,
    Lazy,
    PartialMap,
    TfSet,
    Unknown,
    iterate,
    materialize,
    render,
    to_number,
    to_string,
)
from scanner.sources.terraform.module.config import ModuleCall, ModuleConfig, ProviderBlock, ResourceBlock, Variable
from scanner.sources.terraform.syntax import ast

MAX_INSTANCES = 10_000
MAX_MODULE_DEPTH = 32


@dataclass(frozen=True)
class RootInput:
    """A root variable's value from tfvars, --var or TF_VAR_, with where it came from."""

    value: Any
    origin: Origin
    what: str


class Context:
    """What one root module's evaluation shares: errors, the budget, module loading."""

    def __init__(
        self,
        load_module: Callable[[str], ModuleConfig | None],
        resolve_source: Callable[[ModuleInstance, ModuleCall], tuple[str | None, str | None]],
        files_for: Callable[[str], FileAccess],
        budget: Budget | None = None,
    ):
        self.load_module = load_module
        self.resolve_source = resolve_source
        self.files_for = files_for
        self.budget = budget or Budget()
        self.errors: list[ScanError] = []
        self._error_keys: set[tuple] = set()
        self.active: list[tuple[str, str, str, int]] = []  # (module address, key, file, line)
        self.root_dir = "."  # the root module's folder, relative to the scan root
        self.secrets: set[str] = set()  # values of sensitive variables and outputs, never to be shown
        self.data_handlers: dict[str, Callable[[DataObject, str], Any]] = {}
        self.computed_handlers: dict[str, Callable[[ResourceObject, str], Any]] = {}

    def error(self, file: str | None, line: int | None, message: str, kind: str = "evaluation") -> None:
        """One problem met while evaluating; by default an expression that stays unknown (a diagnostic)."""
        key = (file, line, message)
        if key not in self._error_keys:
            self._error_keys.add(key)
            self.errors.append(ScanError(file, line, message, kind=kind))


def _key_text(key: Any) -> str:
    if key is None:
        return ""
    if isinstance(key, int):
        return f"[{key}]"
    return '["' + str(key).replace('"', '\\"') + '"]'


class ModuleInstance:
    """One instance of a module; the scope for its expressions."""

    def __init__(
        self,
        ctx: Context,
        config: ModuleConfig,
        address: str,
        parent: ModuleInstance | None = None,
        call: ModuleCall | None = None,
        call_scope: Any = None,
        root_inputs: dict[str, RootInput] | None = None,
        depth: int = 0,
    ):
        self.ctx = ctx
        self.config = config
        self.address = address  # "" for the root, 'module.a["x"].module.b' below
        self.parent = parent
        self.call = call
        self.call_scope = call_scope  # parent scope with the call's count/each bound
        self.root_inputs = root_inputs or {}
        self.depth = depth
        self.files = ctx.files_for(config.directory)
        self._memo: dict[str, tuple[Any, tuple[TraceStep, ...]]] = {}
        self._instances: dict[tuple[str, str, str, str, int], Any] = {}
        self._children: dict[str, Any] = {}
        self._providers: dict[str, ProviderInstance | None] = {}
        self.unknown_instances: Unknown | None = None  # set when the call's count/for_each is unknown
        self._region_memo: dict[str, tuple[Any, list[TraceStep]]] = {}  # parent locations, for inheritance

    # ------------------------------------------------------------------ helpers

    def prefix(self, text: str) -> str:
        return f"{self.address}.{text}" if self.address else text

    def evaluate(self, expr: ast.Expr | None, scope: Any, file: str, line: int, trace: list[TraceStep] | None = None) -> Any:
        """Evaluate with errors turned into Unknown plus one error entry."""
        if expr is None:
            return None
        ev = Evaluator(self.ctx.budget, trace, self.ctx.secrets)
        try:
            return ev.eval(expr, scope)
        except EvalError as exc:
            self.ctx.error(file, getattr(expr, "line", line) or line, str(exc))
            return Unknown(str(exc))
        except RecursionError:
            self.ctx.error(file, line, "the expression is nested too deeply to evaluate")
            return Unknown("the expression is nested too deeply to evaluate")
        except Exception as exc:  # a bug in sovscan must cost one value, not the scan
            message = f"sovscan failed to evaluate this expression ({type(exc).__name__}: {exc}); please report it"
            self.ctx.error(file, line, message)
            return Unknown(message)

    def _named(self, key: str, file: str, line: int, compute: Callable[[list[TraceStep]], Any]) -> tuple[Any, tuple[TraceStep, ...]]:
        if key in self._memo:
            return self._memo[key]
        ident = (self.address, key)
        for index, (address, active_key, _, _) in enumerate(self.ctx.active):
            if (address, active_key) == ident:
                chain = [self._label(a, k) for a, k, _, _ in self.ctx.active[index:]] + [self._label(*ident)]
                message = "cycle: " + " → ".join(chain)
                self.ctx.error(file, line, message)
                return Unknown(message), ()
        self.ctx.active.append((self.address, key, file, line))
        trace: list[TraceStep] = []
        try:
            value = compute(trace)
        finally:
            self.ctx.active.pop()
        result = (value, tuple(trace))
        self._memo[key] = result
        return result

    @staticmethod
    def _label(address: str, key: str) -> str:
        return f"{address}.{key}" if address else key

    # ------------------------------------------------------------------ scope protocol

    def lookup(self, name: str, line: int, ev: Evaluator) -> Any:
        if name == "path":
            return {"module": posixpath.relpath(self.config.directory, self.ctx.root_dir), "root": ".", "cwd": "."}
        if name == "terraform":
            return {"workspace": "default"}
        if name in ("each", "count", "self"):
            raise EvalError(f"'{name}' is not available here")
        if name in ("var", "local", "module", "data"):
            raise EvalError(f"'{name}' must be followed by a name")
        raise KeyError(name)

    def resolve_path(self, path: list[str], line: int, ev: Evaluator) -> Any:
        head = path[0]
        if head == "var" and len(path) >= 2:
            value = self.var(path[1], ev)
            rest = path[2:]
        elif head == "local" and len(path) >= 2:
            value = self.local(path[1], ev)
            rest = path[2:]
        elif head == "module" and len(path) >= 2:
            value = self.module_value(path[1])
            rest = path[2:]
        elif head == "data" and len(path) >= 3:
            value = self.resource_value("data", path[1], path[2])
            rest = path[3:]
        elif len(path) >= 2 and head not in _RESERVED:
            if self.config.resource("managed", head, path[1]) is None:
                if "_" in head:
                    raise EvalError(f"reference to undeclared resource {head}.{path[1]}")
                return _NOT_A_PATH
            value = self.resource_value("managed", head, path[1])
            rest = path[2:]
        else:
            return _NOT_A_PATH
        for name in rest:
            value = get_attr(value, name)
        return value

    # ------------------------------------------------------------------ variables, locals, outputs

    def var(self, name: str, ev: Evaluator | None = None) -> Any:
        variable = self.config.variables.get(name)
        if variable is None:
            raise EvalError(f"no variable \"{name}\" is declared in {self.config.directory}")
        value, trace = self._named(f"var.{name}", variable.file, variable.line, lambda t: self._variable_value(variable, t))
        if ev is not None and ev.trace is not None:
            shown = "(sensitive)" if variable.sensitive else render(value)
            ev.note(TraceStep(self.prefix(f"var.{name}"), shown, Origin(variable.file, variable.line)), trace)
        return value

    def _variable_value(self, variable: Variable, trace: list[TraceStep]) -> Any:
        type_spec = parse_type(variable.type_expr, lambda e: self.evaluate(e, _EMPTY_SCOPE, variable.file, variable.line))
        given, origin, what = self._given(variable, trace)
        if variable.sensitive:
            remember(given, self.ctx.secrets)
        if given is _MISSING or (given is None and not variable.nullable):
            if variable.default is None:
                if self.parent is None:
                    return Unknown(
                        f"variable \"{variable.name}\" has no default and no value was given "
                        f"(terraform.tfvars, --var-file, --var or TF_VAR_{variable.name})"
                    )
                return Unknown(f"variable \"{variable.name}\" of {self.address} has no default and the module call does not set it")
            given = self.evaluate(variable.default, _EMPTY_SCOPE, variable.file, variable.line)
            origin, what = Origin(variable.file, variable.line), "default"
        try:
            value = convert(given, type_spec, f"var.{variable.name}")
            if variable.sensitive:
                remember(value, self.ctx.secrets)
        except EvalError as exc:
            self.ctx.error(origin.file or variable.file, origin.line or variable.line, f"var.{variable.name}: {exc}")
            return Unknown(str(exc))
        if what == "default":
            shown = "(sensitive)" if variable.sensitive else render(value)
            trace.append(TraceStep(f"default of {self.prefix('var.' + variable.name)}", shown, origin))
        return value

    def _given(self, variable: Variable, trace: list[TraceStep]) -> tuple[Any, Origin, str]:
        if self.parent is None:
            given = self.root_inputs.get(variable.name)
            if given is None:
                return _MISSING, Origin(), ""
            shown = "(sensitive)" if variable.sensitive else render(given.value)
            trace.append(TraceStep(given.what, shown, given.origin))
            return given.value, given.origin, given.what
        attr = self.call.body.attr(variable.name) if self.call is not None else None
        if attr is None or self.call is None:
            return _MISSING, Origin(), ""
        value = self.parent.evaluate(attr.expr, self.call_scope, self.call.file, attr.line, trace)
        shown = "(sensitive)" if variable.sensitive else render(value)
        trace.append(TraceStep(f"{self.address} input {variable.name}", shown, Origin(self.call.file, attr.line)))
        return value, Origin(self.call.file, attr.line), "module input"

    def local(self, name: str, ev: Evaluator | None = None) -> Any:
        local = self.config.locals.get(name)
        if local is None:
            raise EvalError(f"no local value \"{name}\" is declared in {self.config.directory}")
        value, trace = self._named(
            f"local.{name}", local.file, local.line,
            lambda t: self.evaluate(local.expr, self, local.file, local.line, t),
        )
        if ev is not None and ev.trace is not None:
            ev.note(TraceStep(self.prefix(f"local.{name}"), render(value), Origin(local.file, local.line)), trace)
        return value

    def output(self, name: str, ev: Evaluator | None = None) -> Any:
        output = self.config.outputs.get(name)
        if output is None:
            raise EvalError(f"module {self.address} has no output \"{name}\"")
        value, trace = self._named(
            f"output.{name}", output.file, output.line,
            lambda t: self.evaluate(output.expr, self, output.file, output.line, t),
        )
        if output.sensitive:
            remember(value, self.ctx.secrets)
        if ev is not None and ev.trace is not None:
            shown = "(sensitive)" if output.sensitive else render(value)
            ev.note(TraceStep(self.prefix(f"output.{name}"), shown, Origin(output.file, output.line)), trace)
        return value

    # ------------------------------------------------------------------ resources and data sources

    def expansion(self, block: ResourceBlock | ModuleCall, kind: str) -> list[tuple[Any, dict]] | Unknown:
        """Instance keys of a block with count/for_each, with the names each instance binds."""
        cache_key = (kind, getattr(block, "type", "module"), block.name, block.file, block.line)  # two blocks of one address (an error) expand apart
        if cache_key in self._instances:
            return self._instances[cache_key]
        result: list[tuple[Any, dict]] | Unknown
        if block.count is not None:
            count = self.evaluate(block.count, self, block.file, block.line)
            count = count if isinstance(count, Unknown) else _as_count(count, self, block)
            if isinstance(count, Unknown):
                result = Unknown(f"count is unknown ({count.reason})")
            else:
                result = [(i, {"count": {"index": i}}) for i in range(count)]
        elif block.for_each is not None:
            result = self._for_each(block)
        else:
            result = [(None, {})]
        self._instances[cache_key] = result
        return result

    def _for_each(self, block: ResourceBlock | ModuleCall) -> list[tuple[Any, dict]] | Unknown:
        collection = materialize(self.evaluate(block.for_each, self, block.file, block.line))
        if isinstance(collection, Unknown):
            return Unknown(f"for_each is unknown ({collection.reason})")
        if isinstance(collection, PartialMap):
            return Unknown(f"for_each is unknown ({collection.reason})")
        if isinstance(collection, dict):
            items = sorted(collection.items())
        elif isinstance(collection, list):
            if not isinstance(collection, TfSet) and collection:
                self.ctx.error(block.file, block.line, "for_each needs a map or a set of strings; wrap the list in toset()")
            keys = []
            for item in collection:
                if isinstance(item, Unknown):
                    return Unknown(f"for_each is unknown ({item.reason})")
                if not isinstance(item, str):
                    self.ctx.error(block.file, block.line, "for_each over a set needs strings")
                    return Unknown("for_each over a set of non-strings")
                keys.append(item)
            items = [(k, k) for k in sorted(set(keys))]
        elif collection is None:
            self.ctx.error(block.file, block.line, "for_each is null")
            return Unknown("for_each is null")
        else:
            self.ctx.error(block.file, block.line, "for_each needs a map or a set of strings")
            return Unknown("for_each has the wrong type")
        if len(items) > MAX_INSTANCES:
            self.ctx.error(block.file, block.line, f"for_each has {len(items)} instances, over the {MAX_INSTANCES} sovscan expands; treated as unknown")
            return Unknown(f"for_each has more than {MAX_INSTANCES} instances")
        return [(key, {"each": {"key": key, "value": value}}) for key, value in items]

    def resource_value(self, mode: str, type_: str, name: str) -> Any:
        """The value of ``aws_s3_bucket.b``: an object, a list (count) or a map (for_each)."""
        block = self.config.resource(mode, type_, name)
        if block is None:
            raise EvalError(f"reference to undeclared {'data source' if mode == 'data' else 'resource'} {type_}.{name}")
        expansion = self.expansion(block, mode)
        if isinstance(expansion, Unknown):
            return expansion
        cls = DataObject if mode == "data" else ResourceObject
        objects = [(key, cls(self, block, key, names)) for key, names in expansion]
        if block.count is not None:
            return [obj for _, obj in objects]
        if block.for_each is not None:
            return dict(objects)
        return objects[0][1]

    def resource_objects(self, block: ResourceBlock) -> list[ResourceObject] | Unknown:
        expansion = self.expansion(block, block.mode)
        if isinstance(expansion, Unknown):
            return expansion
        return [ResourceObject(self, block, key, names) for key, names in expansion]

    # ------------------------------------------------------------------ module calls

    def children(self, name: str) -> list[tuple[Any, ModuleInstance]] | None:
        """Instances of a module call (one, marked, when count/for_each is unknown), or None."""
        if name in self._children:
            return self._children[name]
        call = self.config.module_calls[name]
        result: list[tuple[Any, ModuleInstance]] | None = None
        directory, problem = self.ctx.resolve_source(self, call)
        if problem:
            self.ctx.error(call.file, call.line, problem, kind="module")
        elif self.depth >= MAX_MODULE_DEPTH:
            self.ctx.error(call.file, call.line, f"modules nested more than {MAX_MODULE_DEPTH} deep; not followed", kind="module")
        elif directory is not None and self._calls_itself(directory):
            self.ctx.error(call.file, call.line, f"module cycle: module \"{name}\" calls {directory}, which is already being expanded; not followed", kind="module")
        elif directory is not None:
            config = self.ctx.load_module(directory)
            if config is None:
                self.ctx.error(call.file, call.line, f"module \"{name}\": no readable Terraform file in {directory}", kind="module")
            else:
                expansion = self.expansion(call, "module")
                if isinstance(expansion, Unknown):
                    unknown_names = {"count": {"index": expansion}, "each": {"key": expansion, "value": expansion}}
                    result = [(None, self._make_child(call, config, None, unknown_names, expansion))]
                else:
                    result = [(key, self._make_child(call, config, key, names, None)) for key, names in expansion]
        self._children[name] = result
        return result

    def _make_child(self, call: ModuleCall, config: ModuleConfig, key: Any, names: dict, unknown: Unknown | None) -> ModuleInstance:
        address = self.prefix(f"module.{call.name}{_key_text(key)}")
        scope = Bindings(self, names) if names else self
        child = ModuleInstance(self.ctx, config, address, self, call, scope, depth=self.depth + 1)
        child.unknown_instances = unknown
        return child

    def _calls_itself(self, directory: str) -> bool:
        node: ModuleInstance | None = self
        while node is not None:
            if node.config.directory == directory:
                return True
            node = node.parent
        return False

    def module_value(self, name: str) -> Any:
        if name not in self.config.module_calls:
            raise EvalError(f"no module \"{name}\" is called in {self.config.directory}")
        children = self.children(name)
        if children is None:
            return Unknown(f"module \"{name}\" could not be read")
        call = self.config.module_calls[name]
        expansion = self.expansion(call, "module")
        if isinstance(expansion, Unknown):
            return expansion
        objects = [(key, ModuleObject(child)) for key, child in children]
        if call.count is not None:
            return [obj for _, obj in objects]
        if call.for_each is not None:
            return dict(objects)
        return objects[0][1]

    def all_children(self) -> Iterator[ModuleInstance]:
        for name in self.config.module_calls:
            for _, child in self.children(name) or ():
                yield child

    # ------------------------------------------------------------------ providers

    def provider_type(self, local_name: str) -> str:
        source = self.config.required_providers.get(local_name)
        return source.rsplit("/", 1)[-1] if source else local_name

    def provider_for(self, block: ResourceBlock) -> tuple[str, ProviderInstance | None, str | None]:
        """(provider local key, its configuration, why it is missing) for a resource."""
        key = block.provider_ref or block.type.split("_", 1)[0]
        return key, *self.provider(key)

    def provider(self, key: str) -> tuple[ProviderInstance | None, str | None]:
        if key in self._providers:
            return self._providers[key], None if self._providers[key] else self._missing_reason(key)
        found: ProviderInstance | None = None
        block = self.config.providers.get(key)
        if block is not None:
            found = ProviderInstance(self, block)
        elif self.parent is not None and self.call is not None:
            mapping = dict(self.call.providers)
            if mapping:
                if key in mapping:
                    found, _ = self.parent.provider(mapping[key])
            elif "." not in key:
                found, _ = self.parent.provider(key)
        self._providers[key] = found
        return found, None if found else self._missing_reason(key)

    def provider_route(self, key: str) -> list[TraceStep]:
        """How a provider configuration reaches this module: providers maps and inheritance, root first."""
        steps: list[TraceStep] = []
        node: ModuleInstance = self
        while key not in node.config.providers and node.parent is not None and node.call is not None:
            mapping = dict(node.call.providers)
            providers_attr = node.call.body.attr("providers")
            line = providers_attr.line if providers_attr is not None else node.call.line
            if mapping:
                if key not in mapping:
                    break
                steps.append(TraceStep(f"{node.address} providers map: {key}", mapping[key], Origin(node.call.file, line)))
                key = mapping[key]
            elif "." not in key:
                steps.append(TraceStep(f"{node.address} inherits the default provider", key, Origin(node.call.file, node.call.line)))
            else:
                break
            node = node.parent
        return steps[::-1]

    def _missing_reason(self, key: str) -> str:
        if self.call is not None and self.call.providers and key not in dict(self.call.providers):
            return f"provider {key} is not passed to {self.address} (its providers map sets {', '.join(k for k, _ in self.call.providers)})"
        if "." in key:
            return f"provider configuration {key} is not declared"
        return f"no provider \"{key}\" block configures it, so Terraform reads its settings from the environment at run time"


_MISSING = object()


class _EmptyScope:
    files = None

    def lookup(self, name: str, line: int, ev: Evaluator) -> Any:
        raise EvalError(f"'{name}' cannot be referenced here (variable defaults and tfvars are constant)")


_EMPTY_SCOPE = _EmptyScope()
_RESERVED = {"each", "count", "self", "path", "terraform", "var", "local", "module", "data"}


def _as_count(value: Any, module: ModuleInstance, block: Any) -> int | Unknown:
    try:
        number = to_number(value)
    except EvalError as exc:
        module.ctx.error(block.file, block.line, f"count: {exc}")
        return Unknown(str(exc))
    if isinstance(number, Unknown):
        return number
    if number != int(number) or number < 0:
        module.ctx.error(block.file, block.line, "count must be a whole number >= 0")
        return Unknown("count is invalid")
    if number > MAX_INSTANCES:
        module.ctx.error(block.file, block.line, f"count is {int(number)}, over the {MAX_INSTANCES} sovscan expands; treated as unknown")
        return Unknown(f"count exceeds {MAX_INSTANCES}")
    return int(number)


class ResourceObject(Lazy):
    """One instance of a managed resource; attributes are evaluated when read."""

    def __init__(self, module: ModuleInstance, block: ResourceBlock, key: Any, names: dict):
        self.module = module
        self.block = block
        self.key = key
        self.scope = Bindings(module, names) if names else module
        self.unknown_instances: Unknown | None = None  # set when the block's count/for_each is unknown

    @property
    def address(self) -> str:
        return self.module.prefix(self.block.address + _key_text(self.key))

    def attribute(self, path: str, trace: list[TraceStep] | None = None) -> tuple[bool, Any]:
        """(present, value) of an attribute path like ``settings.user_labels``."""
        body = self.block.body
        scope = self.scope
        parts = path.split(".")
        for part in parts[:-1]:
            blocks = body.blocks_of(part)
            if not blocks:
                attr = body.attr(part)
                if attr is None:
                    return False, None
                value = self.module.evaluate(attr.expr, scope, self.block.file, attr.line, trace)
                for rest in parts[parts.index(part) + 1:]:
                    if isinstance(value, list) and len(value) == 1:
                        value = value[0]
                    try:
                        value = get_attr(value, rest)
                    except EvalError:
                        return False, None
                return True, value
            body = blocks[0].body
        attr = body.attr(parts[-1])
        if attr is None:
            return False, None
        return True, self.module.evaluate(attr.expr, scope, self.block.file, attr.line, trace)

    def get(self, name: str) -> Any:
        attr = self.block.body.attr(name)
        if attr is not None:
            key = f"attr:{self.block.address}{_key_text(self.key)}.{name}"
            value, _ = self.module._named(
                key, self.block.file, attr.line,
                lambda t: self.module.evaluate(attr.expr, self.scope, self.block.file, attr.line, t),
            )
            return value
        if self.block.body.blocks_of(name) or any(d.labels[:1] == (name,) for d in self.block.body.blocks_of("dynamic")):
            nested = self.blocks(name)
            return nested if isinstance(nested, Unknown) else [self._block_value(b, scope) for b, scope, _ in nested]
        handler = self.module.ctx.computed_handlers.get(name)
        if handler is not None:
            value = handler(self, name)
            if value is not None:
                return value
        return Unknown(f"{self.address}.{name} is only known after apply")

    def blocks(self, type_: str) -> list[tuple[ast.Body, Any, int]] | Unknown:
        """Nested blocks of a type, static and from ``dynamic`` blocks: (body, scope, line)."""
        return self._nested(self.block.body, self.scope, type_)

    def _nested(self, body: ast.Body, scope: Any, type_: str) -> list[tuple[ast.Body, Any, int]] | Unknown:
        out: list[tuple[ast.Body, Any, int]] = [(b.body, scope, b.line) for b in body.blocks_of(type_)]
        for dynamic in body.blocks_of("dynamic"):
            if not dynamic.labels or dynamic.labels[0] != type_:
                continue
            expanded = self._expand(dynamic, scope)
            if isinstance(expanded, Unknown):
                return expanded
            out += expanded
        return out

    def _expand(self, dynamic: ast.Block, scope: Any) -> list[tuple[ast.Body, Any, int]] | Unknown:
        """The content blocks of one ``dynamic`` block, each with its iterator bound, as Terraform expands them.

        A content is only evaluated for the elements of its for_each: its
        expressions may assume one exists (``var.cors.origin`` under
        ``for_each = var.cors == null ? [] : [""]``).
        """
        type_ = dynamic.labels[0]
        for_each = dynamic.body.attr("for_each")
        iterator = dynamic.body.attr("iterator")
        name = iterator.expr.name if iterator is not None and isinstance(iterator.expr, ast.Name) else type_
        content = dynamic.body.blocks_of("content")
        if for_each is None or not content:
            return []
        collection = self.module.evaluate(for_each.expr, scope, self.block.file, for_each.line)
        pairs = iterate(collection) if not isinstance(collection, Unknown) else collection
        if isinstance(pairs, Unknown):
            return Unknown(f"dynamic \"{type_}\" block: for_each is unknown ({pairs.reason})")
        return [(content[0].body, Bindings(scope, {name: {"key": key, "value": value}}), content[0].line) for key, value in pairs]

    def _block_value(self, body: ast.Body, scope: Any = None) -> dict:
        scope = self.scope if scope is None else scope
        value: dict[str, Any] = {a.name: self.module.evaluate(a.expr, scope, self.block.file, a.line) for a in body.attributes}
        for nested in body.blocks:
            if nested.type == "dynamic":
                if not nested.labels:
                    continue
                expanded = self._expand(nested, scope)
                if isinstance(expanded, Unknown):
                    value[nested.labels[0]] = expanded
                elif not isinstance(value.get(nested.labels[0]), Unknown):
                    value.setdefault(nested.labels[0], []).extend(self._block_value(b, s) for b, s, _ in expanded)
                continue
            if not isinstance(value.get(nested.type), Unknown):
                value.setdefault(nested.type, []).append(self._block_value(nested.body, scope))
        return PartialMap(value, "computed attributes are only known after apply")

    def materialize(self) -> dict:
        return self._block_value(self.block.body)


class DataObject(ResourceObject):
    """A data source: configured arguments are known; what it reads is not, except a few."""

    def get(self, name: str) -> Any:
        if self.block.body.attr(name) is not None:
            return super().get(name)
        handler = self.module.ctx.data_handlers.get(self.block.type)
        if handler is not None:
            value = handler(self, name)
            if value is not None:
                return value
        return Unknown(f"{self.address}.{name} is read from the cloud at apply time")


class ModuleObject(Lazy):
    def __init__(self, module: ModuleInstance):
        self.module = module

    def get(self, name: str) -> Any:
        return self.module.output(name)

    def materialize(self) -> dict:
        return {name: self.module.output(name) for name in self.module.config.outputs}


class ProviderInstance:
    """A provider configuration block, evaluated in the module that declares it."""

    def __init__(self, module: ModuleInstance, block: ProviderBlock):
        self.module = module
        self.block = block
        self.tags: dict[Any, Any] = {}  # provider-wide tags by tag source, worked out once for all its resources (tags.py)

    @property
    def label(self) -> str:
        return self.module.prefix(f"provider {self.block.key}") if self.module.address else f"provider {self.block.key}"

    @property
    def type(self) -> str:
        return self.module.provider_type(self.block.name)

    def attribute(self, path: str, trace: list[TraceStep] | None = None) -> tuple[bool, Any]:
        body = self.block.body
        parts = path.split(".")
        for part in parts[:-1]:
            blocks = body.blocks_of(part)
            if not blocks:
                return False, None
            body = blocks[0].body
        attr = body.attr(parts[-1])
        if attr is None:
            return False, None
        key = f"provider:{self.block.key}:{path}"
        value, sub = self.module._named(
            key, self.block.file, attr.line,
            lambda t: self.module.evaluate(attr.expr, self.module, self.block.file, attr.line, t),
        )
        if trace is not None:
            trace.extend(sub)
            trace.append(TraceStep(f"{self.label} {path}", render(value), Origin(self.block.file, attr.line)))
        return True, value

    def attributes_of_block(self, block_type: str) -> list[tuple[str, Any, int]]:
        """(name, value, line) of every attribute in a nested block (AWS ``endpoints {}``)."""
        out = []
        for block in self.block.body.blocks_of(block_type):
            for attr in block.body.attributes:
                out.append((attr.name, self.module.evaluate(attr.expr, self.module, self.block.file, attr.line), attr.line))
        return out


def as_text(value: Any) -> str | Unknown | None:
    """A scalar attribute as text; None when absent, Unknown when not knowable."""
    if value is None:
        return None
    if isinstance(value, Unknown):
        return value
    try:
        text = to_string(materialize(value))
    except EvalError:
        return None
    return text
