"""Reading region and tags out of recorded attribute values (plan ``values``, state ``attributes``).

The same provider knowledge as for HCL (``policies/terraform.yml``) applied
to plain JSON values instead of expressions.
"""

from __future__ import annotations

from typing import Any

from scanner.model import Origin, Tag, TraceStep, Unknown
from scanner.sources.terraform.extract.spec import ProviderSpec


def provider_type_from_name(provider_name: str, resource_type: str) -> str:
    """registry.terraform.io/hashicorp/aws → aws; provider["…/aws"].alias → aws."""
    text = provider_name or ""
    if text.startswith("provider["):
        text = text[len("provider[") :].split("]", 1)[0].strip('"')
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
    return Unknown("no region attribute in the recorded values")


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
