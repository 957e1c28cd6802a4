"""What sovscan knows of each Terraform provider, loaded from ``policies/terraform.yml``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from scanner.policy.paths import display_path, policies_dir
from scanner.support.patterns import any_name_matches
from scanner.support.schema import INVALID, Field, ListOf, MapOf, Obj, Problems, Regex, Str, Where
from scanner.support.yamlload import load_yaml_file


@dataclass(frozen=True)
class TagSource:
    map: str | None = None  # attribute path holding a map
    blocks: str | None = None  # block type with key/value attributes
    key: str = "key"
    value: str = "value"
    list: str | None = None  # attribute holding "key=value" strings
    block: str | None = None  # provider block holding the map (default_tags)


@dataclass(frozen=True)
class ProviderSpec:
    type: str
    sources: tuple[str, ...]
    region_resource: tuple[str, ...]
    region_provider: tuple[str, ...]
    zone_to_region: re.Pattern | None
    normalize: str | None
    missing_region: str
    hints: tuple[tuple[str, str], ...]
    tags: tuple[TagSource, ...]
    provider_tags: tuple[TagSource, ...]
    endpoint_block: str | None
    endpoint_services: tuple[tuple[str, tuple[str, ...]], ...]
    inherit_from: tuple[str, ...] = ()
    resource_defaults: tuple[tuple[str, str], ...] = ()
    region_lists: tuple[str, ...] = ()  # attributes holding a list of regions: the resource is in every one
    region_provider_by_type: tuple[tuple[str, tuple[str, ...]], ...] = ()  # type prefix -> provider attributes
    zone_resource: tuple[str, ...] = ()  # attributes naming the zone inside the region

    def default_region(self, resource_type: str) -> str | None:
        return dict(self.resource_defaults).get(resource_type)

    def provider_paths(self, resource_type: str | None) -> tuple[str, ...]:
        """The provider attributes that give a resource of this type its region (OKS has its own block)."""
        for prefix, paths in self.region_provider_by_type:
            if resource_type is not None and resource_type.startswith(prefix):
                return paths
        return self.region_provider

    def normalized(self, region: str) -> str:
        if self.normalize == "lower":
            return region.lower()
        if self.normalize == "lower_nospace":
            return region.lower().replace(" ", "")
        if self.normalize == "upper":
            return region.upper()
        return region

    def endpoint_keys(self, resource_type: str) -> tuple[str, ...]:
        for prefix, keys in self.endpoint_services:
            if resource_type.startswith(prefix):
                return keys
        return ()


@dataclass(frozen=True)
class TerraformSpec:
    providers: dict[str, ProviderSpec]
    non_hosting: frozenset[str]
    no_data_types: tuple[str, ...]

    def for_type(self, provider_type: str) -> ProviderSpec | None:
        return self.providers.get(provider_type)

    def holds_no_data(self, resource_type: str) -> bool:
        return _matches_any(resource_type, self.no_data_types)


@cache
def _matches_any(resource_type: str, patterns: tuple[str, ...]) -> bool:
    return any_name_matches(resource_type, patterns)


_TAG = Obj(
    {
        "map": Field(Str()),
        "blocks": Field(Str()),
        "key": Field(Str(), default="key"),
        "value": Field(Str(), default="value"),
        "list": Field(Str()),
        "block": Field(Str()),
    },
    build=lambda d: TagSource(d["map"], d["blocks"], d["key"], d["value"], d["list"], d["block"]),
    what="tag source",
)

_PROVIDER = Obj(
    {
        "sources": Field(ListOf(Str()), required=True),
        "same_as": Field(Str()),
        "region": Field(
            Obj(
                {
                    "resource": Field(ListOf(Str()), default=list),
                    "provider": Field(ListOf(Str()), default=list),
                    "lists": Field(ListOf(Str()), default=list),
                    "provider_by_type": Field(MapOf(ListOf(Str())), default=dict),
                },
                what="region",
            )
        ),
        "zone": Field(ListOf(Str()), default=list),
        "zone_to_region": Field(Regex()),
        "normalize": Field(Str(("lower", "lower_nospace", "upper"))),
        "missing_region": Field(Str()),
        "hints": Field(MapOf(Str()), default=dict),
        "tags": Field(ListOf(_TAG), default=list),
        "provider_tags": Field(ListOf(_TAG), default=list),
        "endpoints": Field(Obj({"block": Field(Str(), required=True), "services": Field(MapOf(ListOf(Str())), required=True)}, what="endpoints")),
        "inherit_from": Field(ListOf(Str()), default=list),
        "resource_defaults": Field(MapOf(Str()), default=dict),
    },
    what="terraform provider",
)

_DOCUMENT = Obj(
    {
        "providers": Field(MapOf(_PROVIDER), required=True),
        "non_hosting": Field(ListOf(Str()), default=list),
        "no_data_types": Field(ListOf(Str()), default=list),
    },
    what="terraform.yml",
)


def _build(type_: str, raw: dict, all_raw: dict) -> ProviderSpec:
    base = all_raw[raw["same_as"]] if raw.get("same_as") in all_raw else raw
    region = base.get("region") or {"resource": [], "provider": []}
    endpoints = base.get("endpoints")
    return ProviderSpec(
        type=type_,
        sources=tuple(raw["sources"]),
        region_resource=tuple(region["resource"]),
        region_provider=tuple(region["provider"]),
        zone_to_region=re.compile(base["zone_to_region"]) if base.get("zone_to_region") else None,
        normalize=base.get("normalize"),
        missing_region=base.get("missing_region") or f"sovscan cannot tell where {type_} resources live",
        hints=tuple((base.get("hints") or {}).items()),
        tags=tuple(base.get("tags") or ()),
        provider_tags=tuple(base.get("provider_tags") or ()),
        endpoint_block=endpoints["block"] if endpoints else None,
        endpoint_services=tuple((k, tuple(v)) for k, v in (endpoints["services"] if endpoints else {}).items()),
        inherit_from=tuple(base.get("inherit_from") or ()),
        resource_defaults=tuple((base.get("resource_defaults") or {}).items()),
        region_lists=tuple(region.get("lists") or ()),
        region_provider_by_type=tuple((k, tuple(v)) for k, v in (region.get("provider_by_type") or {}).items()),
        zone_resource=tuple(base.get("zone") or ()),
    )


@cache
def load_terraform_spec(path: Path | None = None) -> TerraformSpec:
    """``policies/terraform.yml``, validated once and then read back from sovscan's cache while it and this code are unchanged."""
    from scanner.support import resultcache

    path = path or policies_dir() / "terraform.yml"
    support = Path(__file__).parents[3] / "support"
    inputs = [path, Path(__file__), support / "schema.py", *sorted(support.glob("yaml*.py"))]
    return resultcache.cached("terraform-spec", inputs, lambda: _read_spec(path), lambda v: isinstance(v, TerraformSpec), extra=str(path))


def _read_spec(path: Path) -> TerraformSpec:
    problems = Problems(file=display_path(path))
    raw = load_yaml_file(path, problems.file)
    checked = _DOCUMENT.check(raw, Where("", 1), problems)
    if checked is INVALID or problems.items:
        first = problems.items[0]
        raise ValueError(f"{first[0]}:{first[1]}: {first[2]}")
    providers = {t: _build(t, r, checked["providers"]) for t, r in checked["providers"].items()}
    return TerraformSpec(providers, frozenset(checked["non_hosting"]), tuple(checked["no_data_types"]))
