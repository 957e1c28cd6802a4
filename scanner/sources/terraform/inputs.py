"""Values of a root module's variables, with Terraform's precedence.

Later sources win (https://developer.hashicorp.com/terraform/language/values/variables):
``TF_VAR_name`` < ``terraform.tfvars`` < ``terraform.tfvars.json`` <
``*.auto.tfvars(.json)`` in name order < ``--var-file`` in the given order <
``--var name=value``. A value given on the command line for a variable of a
complex type is read as an HCL expression, a primitive one as a plain string.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from scanner.model import Origin, ScanError, Unknown
from scanner.sources.terraform import ast
from scanner.sources.terraform.config import ModuleConfig
from scanner.sources.terraform.evaluator import Budget, Evaluator
from scanner.sources.terraform.files import read_text
from scanner.sources.terraform.hcl import HclSyntaxError, parse_body, parse_expression
from scanner.sources.terraform.instances import RootInput, _EMPTY_SCOPE
from scanner.sources.terraform.types import parse_type
from scanner.sources.terraform.values import EvalError


class VarSyntaxError(ValueError):
    """A --var that is not name=value: a usage error, exit code 2."""


@dataclass(frozen=True)
class VariableOptions:
    var_files: tuple[Path, ...] = ()
    vars: tuple[str, ...] = ()
    environment: Mapping[str, str] = field(default_factory=dict)


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
        errors.append(ScanError(file, getattr(expr, "line", None), str(exc)))
        return Unknown(str(exc))
    except RecursionError:
        errors.append(ScanError(file, getattr(expr, "line", None), "value nested too deeply"))
        return Unknown("value nested too deeply")


def _read_tfvars(path: Path, display: str, errors: list[ScanError]) -> dict[str, tuple[Any, int | None]]:
    text = read_text(path, display)
    if isinstance(text, ScanError):
        errors.append(text)
        return {}
    if display.endswith(".json"):
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            errors.append(ScanError(display, getattr(exc, "lineno", None), f"invalid JSON: {getattr(exc, 'msg', exc)}"))
            return {}
        if not isinstance(data, dict):
            errors.append(ScanError(display, 1, "a .tfvars.json file must hold a JSON object"))
            return {}
        lines = _json_key_lines(text, data)
        return {k: (v, lines.get(k)) for k, v in data.items()}
    try:
        body = parse_body(text)
    except HclSyntaxError as exc:
        errors.append(ScanError(display, exc.line, exc.message, exc.column))
        return {}
    for block in body.blocks:
        errors.append(ScanError(display, block.line, f"a .tfvars file holds only name = value lines, not a '{block.type}' block"))
    return {a.name: (_constant(a.expr, display, errors), a.line) for a in body.attributes}


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
        errors.append(ScanError(where, None, f"value of {name} is not a valid expression: {exc.message}"))
        return Unknown(f"{where} is not a valid expression")


def root_inputs(
    root: Path,
    module_dir: str,
    tfvars_files: list[Path],
    config: ModuleConfig,
    options: VariableOptions,
    display: Any,
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
        shown = display(path)
        for name, (value, line) in _read_tfvars(path, shown, errors).items():
            if name in config.variables:
                inputs[name] = RootInput(value, Origin(shown, line), f"{name} in {shown}")

    for path in options.var_files:
        shown = str(path)
        if not path.is_file():
            errors.append(ScanError(shown, None, "--var-file: no such file"))
            continue
        for name, (value, line) in _read_tfvars(path, shown, errors).items():
            if name in config.variables:
                inputs[name] = RootInput(value, Origin(shown, line), f"{name} in --var-file {shown}")

    for text in options.vars:
        name, raw = parse_var_option(text)
        if name not in config.variables:
            continue  # the variable belongs to another root module of the scan
        inputs[name] = RootInput(_cli_value(config, name, raw, f"--var {name}", errors), Origin("--var"), f"--var {name}")
    return inputs, errors
