"""Values of a root module's variables, with Terraform's precedence.

Later sources win (https://developer.hashicorp.com/terraform/language/values/variables):
a variable's default < ``TF_VAR_name`` < ``terraform.tfvars`` <
``terraform.tfvars.json`` < ``*.auto.tfvars(.json)`` in name order <
``--var-file`` and ``--var name=value`` in the order given on the command
line, as Terraform applies ``-var-file`` and ``-var`` (the later wins). A value given on the command line for a variable of a
complex type is read as an HCL expression, a primitive one as a plain string.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.model import Origin, ScanError, Unknown
from scanner.sources.terraform.lang.evaluator import Budget, Evaluator
from scanner.sources.terraform.lang.types import parse_type
from scanner.sources.terraform.lang.values import EvalError
from scanner.sources.terraform.module.config import ModuleConfig
from scanner.sources.terraform.module.instances import _EMPTY_SCOPE, RootInput
from scanner.sources.terraform.syntax import ast
from scanner.sources.terraform.syntax.files import read_text
from scanner.sources.terraform.syntax.hcl import HclSyntaxError, parse_body, parse_expression
from scanner.support.jsonload import loads


class VarSyntaxError(ValueError):
    """A --var that is not name=value: a usage error, exit code 2."""


@dataclass(frozen=True)
class VariableOptions:
    var_files: tuple[Path, ...] = ()
    vars: tuple[str, ...] = ()
    environment: Mapping[str, str] = field(default_factory=dict)
    order: tuple[tuple[str, str], ...] = ()  # ("var-file", path) / ("var", NAME=VALUE) in command-line order

    def command_line(self) -> tuple[tuple[str, str], ...]:
        """Every --var-file and --var in the order they apply; without a recorded order, the files first."""
        if self.order:
            return self.order
        return tuple(("var-file", str(p)) for p in self.var_files) + tuple(("var", v) for v in self.vars)


def parse_var_option(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name or not name.replace("_", "a").replace("-", "a").isalnum():
        raise VarSyntaxError(f"--var {text!r}: expected NAME=VALUE")
    return name, value


def _constant(expr: ast.Expr, file: str, errors: list[ScanError]) -> Any:
    try:
        return Evaluator(Budget(200_000)).eval(expr, _EMPTY_SCOPE)
    except EvalError as exc:
        errors.append(ScanError(file, getattr(expr, "line", None), str(exc), kind="evaluation"))
        return Unknown(str(exc))
    except RecursionError:
        errors.append(ScanError(file, getattr(expr, "line", None), "value nested too deeply", kind="evaluation"))
        return Unknown("value nested too deeply")


def _read_tfvars(path: Path, display: str, errors: list[ScanError], parse: Any = None) -> dict[str, tuple[Any, int | None]]:
    """A tfvars file's values; ``parse(path, display)`` reads HCL ones through the parse cache."""
    if parse is not None and not display.endswith(".json"):
        body, problems = parse(path, display)
        if body is None:
            errors.extend(problems)
            return {}
        return _tfvars_values(body, display, errors)
    text = read_text(path, display)
    if isinstance(text, ScanError):
        errors.append(text)
        return {}
    if display.endswith(".json"):
        try:
            data = loads(text)
        except ValueError as exc:
            errors.append(ScanError(display, getattr(exc, "lineno", None), f"invalid JSON: {getattr(exc, 'msg', exc)}", kind="syntax"))
            return {}
        if not isinstance(data, dict):
            errors.append(ScanError(display, 1, "a .tfvars.json file must hold a JSON object", kind="syntax"))
            return {}
        lines = _json_key_lines(text, data)
        return {k: (v, lines.get(k)) for k, v in data.items()}
    try:
        body = parse_body(text)
    except HclSyntaxError as exc:
        errors.append(ScanError(display, exc.line, exc.message, exc.column, kind="syntax"))
        return {}
    return _tfvars_values(body, display, errors)


def _tfvars_values(body: ast.Body, display: str, errors: list[ScanError]) -> dict[str, tuple[Any, int | None]]:
    for block in body.blocks:
        errors.append(ScanError(display, block.line, f"a .tfvars file holds only name = value lines, not a '{block.type}' block", kind="syntax"))
    return {a.name: (_constant(a.expr, display, errors), a.line) for a in body.attributes}


def _apply_tfvars(path: Path, shown: str, label: str, config: ModuleConfig, inputs: dict[str, RootInput], errors: list[ScanError], parse: Any = None) -> None:
    before = len(errors)
    values = _read_tfvars(path, shown, errors, parse)
    if not values and len(errors) > before and errors[-1].file == shown:
        _unreadable(shown, config, inputs)  # a file that cannot be read may set any variable
        return
    for name, (value, line) in values.items():
        if name in config.variables:
            inputs[name] = RootInput(value, Origin(shown, line), f"{name} in {label}{shown}")


def _unreadable(shown: str, config: ModuleConfig, inputs: dict[str, RootInput]) -> None:
    """After a variable file that cannot be read, no earlier value can be trusted: any may be overridden."""
    reason = f"{shown} could not be read, and it may set this variable"
    for name in config.variables:
        inputs[name] = RootInput(Unknown(reason), Origin(shown), f"{name} in {shown} (unreadable)")


def _json_key_lines(text: str, data: dict) -> dict[str, int]:
    lines: dict[str, int] = {}
    for key in data:
        needle = json.dumps(key)
        index = text.find(needle)
        if index >= 0:
            lines[key] = text.count("\n", 0, index) + 1
    return lines


def _complex(config: ModuleConfig, name: str) -> bool:
    variable = config.variables.get(name)
    if variable is None:
        return False
    return not parse_type(variable.type_expr).is_primitive and variable.type_expr is not None


def _cli_value(config: ModuleConfig, name: str, raw: str, where: str, errors: list[ScanError]) -> Any:
    if not _complex(config, name):
        return raw
    try:
        return _constant(parse_expression(raw), where, errors)
    except HclSyntaxError as exc:
        errors.append(ScanError(where, None, f"value of {name} is not a valid expression: {exc.message}", kind="syntax"))
        return Unknown(f"{where} is not a valid expression")


def root_inputs(
    root: Path,
    module_dir: str,
    tfvars_files: list[Path],
    config: ModuleConfig,
    options: VariableOptions,
    display: Any,
    parse: Any = None,
) -> tuple[dict[str, RootInput], list[ScanError]]:
    """Root variable values and the errors met reading them."""
    errors: list[ScanError] = []
    inputs: dict[str, RootInput] = {}

    for key, raw in sorted(options.environment.items()):
        if key.startswith("TF_VAR_") and key[7:] in config.variables:
            name = key[7:]
            inputs[name] = RootInput(_cli_value(config, name, raw, f"environment {key}", errors), Origin(f"environment {key}"), f"{key} (environment)")

    by_name = {p.name: p for p in tfvars_files}
    ordered = [by_name[n] for n in ("terraform.tfvars", "terraform.tfvars.json") if n in by_name]
    ordered += sorted((p for p in tfvars_files if p.name.endswith((".auto.tfvars", ".auto.tfvars.json"))), key=lambda p: p.name)
    for path in ordered:
        _apply_tfvars(path, display(path), "", config, inputs, errors, parse)

    for kind, given in options.command_line():
        if kind == "var-file":
            path = Path(given)
            if not path.is_file():
                errors.append(ScanError(given, None, "--var-file: no such file"))
                _unreadable(given, config, inputs)
                continue
            _apply_tfvars(path, given, "--var-file ", config, inputs, errors)
            continue
        name, raw = parse_var_option(given)
        if name not in config.variables:
            continue  # the variable belongs to another root module of the scan
        inputs[name] = RootInput(_cli_value(config, name, raw, f"--var {name}", errors), Origin("--var"), f"--var {name}")
    return inputs, errors
