"""Terraform plan JSON (``terraform show -json plan.out``): resources with their planned values.

A plan knows what static analysis cannot: values computed from data
sources, the final tags (``tags_all`` with the AWS provider's default tags).
Where a planned value is unknown, the provider configuration in
``configuration`` and the plan's ``variables`` are used; what remains unknown
stays unknown. When the plan sits beside its ``.tf`` files, each resource
points back to its file and line.

Format: https://developer.hashicorp.com/terraform/internals/json-format
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scanner.model import Origin, Resource, ScanError, TraceStep, Unknown
from scanner.sources import SourceResult
from scanner.sources.plan_state.attributes import provider_type_from_name, read_region, read_tags, recorded_placement
from scanner.sources.plan_state.jsonfile import key_line, read_json
from scanner.sources.plan_state.origins import ConfigOrigins
from scanner.sources.terraform.extract.spec import ProviderSpec, TerraformSpec, load_terraform_spec

# 0.1 (Terraform 0.12, 0.13), 0.2 (0.14, 0.15) and 1.x (1.0 on) share what sovscan reads: planned
# values, the configuration's provider_config and the resources' provider_config_key.
SUPPORTED_VERSIONS = ("0.1", "0.2")
SUPPORTED_MAJOR = "1"


def read_plan(path: Path, display: str) -> SourceResult:
    result = SourceResult()
    document, text, problem = read_json(path, display, "plan JSON")
    if problem is not None:
        result.errors.append(problem)
        return result
    if not isinstance(document, dict):
        result.errors.append(ScanError(display, None, "a plan JSON must hold an object"))
        return result
    version = str(document.get("format_version", ""))
    if not (version.startswith(SUPPORTED_MAJOR + ".") or version in SUPPORTED_VERSIONS):
        where = key_line(text, "format_version")
        result.errors.append(ScanError(display, where, f"plan format_version {version or 'missing'} is not supported (expected 0.1, 0.2 or 1.x, from terraform show -json)"))
        return result
    planned = _dict(document.get("planned_values")).get("root_module")
    if not isinstance(planned, dict):
        result.errors.append(ScanError(display, None, "the plan has no planned_values.root_module (was it made with terraform show -json?)"))
        return result
    spec = load_terraform_spec()
    configuration = _dict(document.get("configuration"))
    providers = _dict(configuration.get("provider_config"))
    config_resources = dict(_config_resources(_dict(configuration.get("root_module")), ""))
    variables = {k: _dict(v).get("value") for k, v in _dict(document.get("variables")).items()}
    origins = ConfigOrigins.beside(path)
    root = display.rsplit("/", 1)[0] if "/" in display else "."
    for item in _planned_resources(planned):
        if item.get("mode") != "managed":
            continue
        resource = _resource(item, config_resources, providers, variables, spec, origins, display, root)
        if resource is not None:
            result.resources.append(resource)
    result.errors.extend(origins.errors)
    result.scanned = 1
    return result


def _dict(value: Any) -> dict:
    """JSON from outside: anything that should be an object but is not counts as empty."""
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _planned_resources(module: dict, depth: int = 0) -> Iterator[dict]:
    for item in _list(module.get("resources")):
        if isinstance(item, dict):
            yield item
    for child in _list(module.get("child_modules")):
        if isinstance(child, dict) and depth < 64:
            yield from _planned_resources(child, depth + 1)


def _config_resources(module: dict, prefix: str, depth: int = 0) -> Iterator[tuple[str, dict]]:
    """Configuration resources keyed by their module path and address (no instance keys)."""
    for item in _list(module.get("resources")):
        if isinstance(item, dict) and isinstance(item.get("address"), str):
            yield f"{prefix}{item['address']}", item
    for name, call in _dict(module.get("module_calls")).items():
        if isinstance(call, dict) and depth < 64:
            yield from _config_resources(_dict(call.get("module")), f"{prefix}module.{name}.", depth + 1)


def config_address(address: str) -> str:
    """module.a["x"].aws_s3_bucket.b[0] → module.a.aws_s3_bucket.b"""
    out, depth, buffer = [], 0, []
    for char in address:
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif depth == 0:
            buffer.append(char)
    out.append("".join(buffer))
    return "".join(out)


def _resource(item: dict, config_resources: dict, providers: dict, variables: dict, spec: TerraformSpec, origins: ConfigOrigins, display: str, root: str) -> Resource | None:
    address = item.get("address")
    type_ = item.get("type")
    if not isinstance(address, str) or not isinstance(type_, str):
        return None
    provider_type = provider_type_from_name(str(item.get("provider_name", "")), type_)
    if provider_type in spec.non_hosting:
        return None
    provider_spec = spec.for_type(provider_type)
    values = _dict(item.get("values"))
    config = config_resources.get(config_address(address), {})
    provider_config = provider_config_for(providers, str(config.get("provider_config_key", "")), module_names(address)) if config else {}
    trace: list[TraceStep] = []
    if provider_spec is None:
        region: str | Unknown = Unknown(f"sovscan does not know where resources of the provider '{provider_type}' live")
        hints: dict = {}
    else:
        region = read_region(values, provider_spec, trace, f"{address} (planned value)")
        if isinstance(region, Unknown):
            from_provider = _provider_region(provider_config, provider_spec, variables, trace)
            if from_provider is not None:
                region = from_provider
        hints = _hints(provider_config, provider_spec, variables)
    tags, complete = read_tags(values, provider_spec, Origin(display), prefer_all=True)
    origin = origins.origin(config_address(address)) or Origin(display)
    zone, copies = recorded_placement(values, provider_spec, region, provider_type, origin)
    return Resource(
        address=address,
        type=type_,
        provider=provider_type,
        region=region,
        origin=origin,
        tags=tags,
        tags_complete=complete,
        hints=hints,
        trace=tuple(trace),
        holds_data=not spec.holds_no_data(type_),
        root=root,
        zone=zone,
        copies=copies,
    )


def module_names(address: str) -> list[str]:
    """module.a["x"].module.b.aws_s3_bucket.c → ["a", "b"]"""
    parts = config_address(address).split(".")
    names, i = [], 0
    while i + 1 < len(parts) and parts[i] == "module":
        names.append(parts[i + 1])
        i += 2
    return names


def _configures(entry: dict) -> bool:
    """An entry that is a provider block, not one standing for the configuration a module inherits."""
    return "expressions" in entry or "module_address" not in entry


def provider_config_for(providers: dict, key: str, modules: list[str]) -> dict:
    """The provider_config entry a resource uses, following inheritance up to the module that configures it.

    ``provider_config_key`` is ``aws``, ``aws.west`` (a configuration passed
    down by a providers map), or for a module's own provider ``child:aws``
    (its entry keyed ``module.child:aws``). An entry holding only a
    ``module_address`` stands for a configuration the module inherits, and a
    module may have no entry at all: Terraform then uses its parent's
    configuration of the same name, so the nearest enclosing module that
    configures it (the root at last) gives the region.
    """
    if not key:
        return {}
    entry = _dict(providers.get(key)) or _dict(providers.get(f"module.{key}"))
    if entry and _configures(entry):
        return entry
    local = key.rsplit(":", 1)[-1]
    for depth in range(len(modules) - 1, -1, -1):
        if depth == 0:
            candidates = [local]
        else:
            path = "module." + ".module.".join(modules[:depth])
            candidates = [f"{path}:{local}", f"module.{modules[depth - 1]}:{local}", f"{modules[depth - 1]}:{local}"]
        for candidate in candidates:
            found = _dict(providers.get(candidate))
            if found and _configures(found):
                return found
    return entry


def _expression_value(expression: Any, variables: dict) -> tuple[Any, str | None]:
    """A provider argument's value: a constant, or a single var.x reference the plan gives."""
    if not isinstance(expression, dict):
        return None, None
    if "constant_value" in expression:
        return expression["constant_value"], "constant"
    references = _list(expression.get("references"))
    variable_refs = [r for r in references if isinstance(r, str) and r.startswith("var.")]
    if len(references) >= 1 and variable_refs and len(set(variable_refs)) == 1:
        name = variable_refs[0][4:]
        if name in variables and all(r == variable_refs[0] for r in references):
            return variables[name], variable_refs[0]
    if references:
        return Unknown(f"the provider argument depends on {', '.join(references)}, which the plan does not resolve"), None
    return None, None


def _provider_region(provider_config: dict, spec: ProviderSpec, variables: dict, trace: list[TraceStep]) -> str | Unknown | None:
    expressions = _dict(provider_config.get("expressions"))
    for name in spec.region_provider:
        value, how = _expression_value(expressions.get(name), variables)
        if isinstance(value, Unknown):
            return value
        if isinstance(value, str) and value:
            key = provider_config.get("name", "provider") + (f".{provider_config['alias']}" if provider_config.get("alias") else "")
            trace.append(TraceStep(f"provider {key} {name} in the plan's configuration" + (f" ({how})" if how and how != "constant" else ""), value))
            return spec.normalized(value)
    if not provider_config:
        return Unknown("the plan does not record this resource's provider configuration")
    return Unknown(spec.missing_region)


def _hints(provider_config: dict, spec: ProviderSpec, variables: dict) -> dict:
    expressions = _dict(provider_config.get("expressions"))
    hints = {}
    for name, attribute in spec.hints:
        value, _ = _expression_value(expressions.get(attribute), variables)
        if isinstance(value, (str, Unknown)) and value != "":
            hints[name] = value
    return hints
