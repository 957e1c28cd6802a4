"""Reading region and tags out of recorded attribute values (plan ``values``, state ``attributes``).

The same provider knowledge as for HCL (``policies/terraform.yml``) applied
to plain JSON values instead of expressions.
"""

from __future__ import annotations

import re
from typing import Any

from scanner.model import LISTED_REGION, DataCopy, Origin, Tag, TraceStep, Unknown
from scanner.sources.terraform.extract.spec import ProviderSpec

_PROVIDER_SOURCE = re.compile(r'provider\["([^"]+)"\]')  # provider["registry.terraform.io/hashicorp/aws"], Terraform 0.13+
_PROVIDER_LEGACY = re.compile(r"(?:^|\.)provider\.([A-Za-z0-9_-]+)")  # provider.aws, module.x.provider.aws.west, Terraform 0.12


def provider_type_from_name(provider_name: str, resource_type: str) -> str:
    """The provider type of a plan's ``provider_name`` or a state's ``provider``, in every Terraform's spelling.

    registry.terraform.io/hashicorp/aws → aws; provider["…/aws"].alias and
    module.x.provider["…/aws"] → aws; Terraform 0.12's provider.aws,
    provider.aws.west and module.x.provider.aws → aws.
    """
    text = provider_name or ""
    match = _PROVIDER_SOURCE.search(text)
    if match:
        return match.group(1).rsplit("/", 1)[-1]
    match = _PROVIDER_LEGACY.search(text)
    if match:
        return match.group(1)
    if "/" in text:
        return text.rsplit("/", 1)[-1]
    return text or resource_type.split("_", 1)[0]


def _path(values: dict, path: str) -> Any:
    current: Any = values
    for part in path.split("."):
        if isinstance(current, list):
            if not current:
                return None
            current = current[0] if not part.isdigit() else (current[int(part)] if int(part) < len(current) else None)
            if part.isdigit():
                continue
        if not isinstance(current, dict):
            return None
        current = current.get(part)
    if isinstance(current, list) and len(current) == 1 and not isinstance(current[0], (dict, list)):
        return current[0]
    return current


def read_region(values: dict, spec: ProviderSpec, trace: list[TraceStep], where: str) -> str | Unknown:
    for path in spec.region_resource:
        value = _path(values, path)
        if isinstance(value, str) and value:
            region = spec.normalized(value.strip())
            if spec.zone_to_region is not None:
                m = spec.zone_to_region.fullmatch(region)
                if m:
                    region = m.group("region")
            trace.append(TraceStep(f"{where} {path}", region))
            return region
    listed = read_listed_regions(values, spec)
    if listed:
        trace.append(TraceStep(f"{where} {spec.region_lists[0]}", ", ".join(listed)))
        return listed[0]
    return Unknown("no region attribute in the recorded values")


def read_listed_regions(values: dict, spec: ProviderSpec) -> list[str]:
    """The regions of a list attribute (OVHcloud ``regions``) in the recorded values, in order, once each."""
    for path in spec.region_lists:
        current: Any = values
        for part in path.split("."):
            current = current.get(part) if isinstance(current, dict) else None
        if isinstance(current, list) and current and all(isinstance(r, str) and r for r in current):
            return list(dict.fromkeys(spec.normalized(r.strip()) for r in current))
    return []


def recorded_placement(values: dict, spec: ProviderSpec | None, region: Any, provider_type: str, origin: Origin) -> tuple[str | None, tuple[DataCopy, ...]]:
    """The zone, and the other regions of a resource recorded in several (each a place it is judged in)."""
    if spec is None:
        return None, ()
    listed = read_listed_regions(values, spec)
    copies = tuple(DataCopy(LISTED_REGION, provider_type, r, {}, origin) for r in listed if r != region) if region in listed else ()
    return read_zone(values, spec), copies


def read_zone(values: dict, spec: ProviderSpec) -> str | None:
    """The zone a zonal resource records (``zone``, ``availability_zone``…), or None."""
    for path in spec.zone_resource:
        value = _path(values, path)
        if isinstance(value, str) and value:
            return spec.normalized(value.strip())
    return None


def read_tags(values: dict, spec: ProviderSpec | None, origin: Origin, prefer_all: bool = False) -> tuple[tuple[Tag, ...], bool | Unknown]:
    tags: dict[str, Tag] = {}
    candidates: list[tuple[str, str]] = []
    if prefer_all and isinstance(values.get("tags_all"), dict):
        candidates.append(("map", "tags_all"))
    sources = spec.tags if spec is not None else ()
    for source in sources:
        if source.map:
            candidates.append(("map", source.map))
        elif source.list:
            candidates.append(("list", source.list))
        elif source.blocks:
            candidates.append(("blocks", f"{source.blocks}|{source.key}|{source.value}"))
    if not sources:
        candidates += [("map", "tags"), ("map", "labels")]
    for kind, where in candidates:
        if kind == "map":
            value = _path(values, where)
            if isinstance(value, dict):
                for key, raw in value.items():
                    if key not in tags:
                        tags[key] = Tag(str(key), "" if raw is None else str(raw), origin, "recorded " + where)
        elif kind == "list":
            value = _path(values, where)
            if isinstance(value, dict):
                for key, raw in value.items():
                    tags.setdefault(key, Tag(str(key), "" if raw is None else str(raw), origin, "recorded " + where))
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, str) and item:
                        key, sep, tag_value = item.partition("=") if "=" in item else item.partition(":")
                        tags.setdefault(key.strip(), Tag(key.strip(), tag_value.strip(), origin, "recorded " + where))
        else:
            block, key_name, value_name = where.split("|")
            for item in values.get(block) or []:
                if isinstance(item, dict) and isinstance(item.get(key_name), str):
                    tags.setdefault(item[key_name], Tag(item[key_name], str(item.get(value_name) or ""), origin, "recorded " + block))
    return tuple(tags.values()), True
