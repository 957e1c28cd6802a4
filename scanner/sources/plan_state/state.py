"""Terraform state (format version 4, or ``terraform show -json`` of a state): what exists.

The state records every attribute of every instance, so the region is read
from the recorded values (``region``, ``location``, an ARN's region field).
The provider's own settings are not in the state: what the values do not say
stays unknown. Only region and tags are read; no other value (the state
holds secrets) ever reaches a report.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scanner.model import Origin, Resource, ScanError, TraceStep, Unknown
from scanner.sources import SourceResult
from scanner.sources.plan_state.attributes import provider_type_from_name, read_region, read_tags, recorded_placement
from scanner.sources.plan_state.jsonfile import key_line, read_json
from scanner.sources.plan_state.origins import ConfigOrigins
from scanner.sources.plan_state.plan import config_address
from scanner.sources.terraform.extract.spec import load_terraform_spec

_ARN = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:(?P<region>[a-z0-9-]*):")


def read_state(path: Path, display: str) -> SourceResult:
    result = SourceResult()
    document, text, problem = read_json(path, display, "state file")
    if problem is not None:
        result.errors.append(problem)
        return result
    if not isinstance(document, dict):
        result.errors.append(ScanError(display, None, "a state file must hold a JSON object"))
        return result
    if "values" in document and "format_version" in document:
        items = list(_shown_state(document))
    elif document.get("version") == 4:
        items = list(_raw_state(document))
    else:
        version = document.get("version", "missing")
        result.errors.append(ScanError(display, key_line(text, "version"), f"state version {version} is not supported (expected format version 4, Terraform ≥ 0.12)"))
        return result
    spec = load_terraform_spec()
    origins = ConfigOrigins.beside(path)
    root = display.rsplit("/", 1)[0] if "/" in display else "."
    for address, type_, provider_name, values in items:
        provider_type = provider_type_from_name(provider_name, type_)
        if provider_type in spec.non_hosting:
            continue
        provider_spec = spec.for_type(provider_type)
        trace: list[TraceStep] = []
        if provider_spec is None:
            region: str | Unknown = Unknown(f"sovscan does not know where resources of the provider '{provider_type}' live")
        else:
            region = read_region(values, provider_spec, trace, f"{address} (recorded)")
            if isinstance(region, Unknown):
                region = _arn_region(values, trace, address) or Unknown("the state records no region for this resource, and the provider's settings are not in the state")
        tags, complete = read_tags(values, provider_spec, Origin(display), prefer_all=True)
        origin = origins.origin(config_address(address)) or Origin(display)
        zone, copies = recorded_placement(values, provider_spec, region, provider_type, origin)
        result.resources.append(
            Resource(
                address=address,
                type=type_,
                provider=provider_type,
                region=region,
                origin=origin,
                zone=zone,
                copies=copies,
                tags=tags,
                tags_complete=complete,
                trace=tuple(trace),
                holds_data=not spec.holds_no_data(type_),
                root=root,
            )
        )
    result.scanned = 1
    return result


def _arn_region(values: dict, trace: list[TraceStep], address: str) -> str | None:
    arn = values.get("arn")
    if isinstance(arn, str):
        m = _ARN.match(arn)
        if m and m.group("region"):
            trace.append(TraceStep(f"{address} ARN region", m.group("region")))
            return m.group("region")
    return None


def _key_text(key: Any) -> str:
    if key is None:
        return ""
    if isinstance(key, int):
        return f"[{key}]"
    return '["' + str(key) + '"]'


def _raw_state(document: dict) -> Iterator[tuple[str, str, str, dict]]:
    resources = document.get("resources")
    for resource in resources if isinstance(resources, list) else []:
        if not isinstance(resource, dict) or resource.get("mode") != "managed":
            continue
        module = resource.get("module")
        base = f"{resource.get('type')}.{resource.get('name')}"
        prefix = f"{module}." if module else ""
        instances = resource.get("instances")
        for instance in instances if isinstance(instances, list) else []:
            if not isinstance(instance, dict):
                continue
            attributes = instance["attributes"] if isinstance(instance.get("attributes"), dict) else {}
            yield prefix + base + _key_text(instance.get("index_key")), str(resource.get("type")), str(resource.get("provider", "")), attributes


def _shown_state(document: dict) -> Iterator[tuple[str, str, str, dict]]:
    def walk(module: Any, depth: int) -> Iterator[tuple[str, str, str, dict]]:
        if not isinstance(module, dict) or depth > 64:
            return
        items = module.get("resources")
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and item.get("mode") == "managed":
                values = item["values"] if isinstance(item.get("values"), dict) else {}
                yield str(item.get("address")), str(item.get("type")), str(item.get("provider_name", "")), values
        children = module.get("child_modules")
        for child in children if isinstance(children, list) else []:
            yield from walk(child, depth + 1)

    values = document.get("values")
    yield from walk(values.get("root_module") if isinstance(values, dict) else None, 0)
