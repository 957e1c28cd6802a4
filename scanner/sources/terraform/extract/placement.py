"""Where a resource instance lives: its region (or regions), its zone, and hints of who operates the place.

Per provider, ``policies/terraform.yml`` names the resource attributes tried
first and the provider attributes used otherwise (per resource type where a
provider has several blocks: Outscale's ``api {}`` and ``oks {}``). The chain
of values that produced the region is kept as a trace. A resource may span
a list of regions (OVHcloud ``regions = ["GRA1", "BHS1"]``): it is placed in
each (``listed_regions``). A zone only known at apply time but known to lie
in a region (``ZoneInRegion``) gives that region and an unknown zone; any
other unknown zone gives an unknown region, never the provider's.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlparse

from scanner.model import Origin, TraceStep, Unknown
from scanner.sources.terraform.extract.spec import ProviderSpec
from scanner.sources.terraform.lang.values import ZoneInRegion, iterate
from scanner.sources.terraform.module.instances import ProviderInstance, ResourceObject, as_text


def region_text(value, spec: ProviderSpec) -> str | Unknown | None:
    if isinstance(value, ZoneInRegion):
        return spec.normalized(value.region)
    text = as_text(value)
    if text is None or isinstance(text, Unknown):
        return text
    text = spec.normalized(text.strip())
    if spec.zone_to_region is not None:
        m = spec.zone_to_region.fullmatch(text)
        if m:
            return m.group("region")
    return text


def resource_region(
    obj: ResourceObject,
    spec: ProviderSpec,
    provider: ProviderInstance | None,
    missing: str | None,
    trace: list[TraceStep],
    inherit: Callable[[ResourceObject, list[TraceStep]], str | Unknown | None] | None = None,
) -> str | Unknown:
    """The region of a resource instance.

    In order: its own attributes; the parent resource it names (a container
    lives in its storage account); the provider's default for its type;
    its provider configuration.
    """
    for path in spec.region_resource:
        present, value = obj.attribute(path, trace)
        if present and value is not None:
            region = region_text(value, spec)
            if region is not None:
                attr = obj.block.body.attr(path.split(".")[0])
                line = attr.line if attr is not None else obj.block.line
                what = f"{obj.address} {path}" + (" (a zone of the region read at apply time)" if isinstance(value, ZoneInRegion) else "")
                trace.append(TraceStep(what, str(region), Origin(obj.block.file, line)))
                return region
    listed = listed_regions(obj, spec)
    if listed is not None:
        regions, path, line = listed
        if isinstance(regions, Unknown) or regions:
            first = regions if isinstance(regions, Unknown) else regions[0]
            trace.append(TraceStep(f"{obj.address} {path}", str(first) if isinstance(regions, Unknown) else ", ".join(regions), Origin(obj.block.file, line)))
            return first
    if inherit is not None:
        inherited = inherit(obj, trace)
        if inherited is not None:
            return inherited
    default = spec.default_region(obj.block.type)
    if default is not None:
        trace.append(TraceStep(f"{obj.block.type} without a location: the provider's default", default, Origin(obj.block.file, obj.block.line)))
        return default
    return provider_region(spec, provider, missing, trace, obj.block.type)


def provider_region(spec: ProviderSpec, provider: ProviderInstance | None, missing: str | None, trace: list[TraceStep], resource_type: str | None = None) -> str | Unknown:
    if provider is None:
        return Unknown(f"{missing}; {spec.missing_region}" if missing else spec.missing_region)
    for path in spec.provider_paths(resource_type):
        present, value = provider.attribute(path, trace)
        if present and value is not None:
            region = region_text(value, spec)
            if region is not None:
                return region
    return Unknown(spec.missing_region)


def listed_regions(obj: ResourceObject, spec: ProviderSpec) -> tuple[list[str] | Unknown, str, int] | None:
    """The regions of a list attribute (OVHcloud ``regions``), with its path and line; None when none is set.

    An empty list is returned as such (the caller falls back to what else
    places the resource); an unknown list or element makes the whole Unknown.
    """
    for path in spec.region_lists:
        present, value = obj.attribute(path)
        if not present or value is None:
            continue
        attr = obj.block.body.attr(path.split(".")[0])
        line = attr.line if attr is not None else obj.block.line
        if isinstance(value, Unknown):
            return Unknown(f"the {path} list is unknown ({value.reason})"), path, line
        pairs = iterate(value)
        if isinstance(pairs, Unknown):
            return Unknown(f"the {path} list is unknown ({pairs.reason})"), path, line
        regions: list[str] = []
        for _, item in pairs:
            region = region_text(item, spec)
            if region is None or isinstance(region, Unknown):
                reason = region.reason if isinstance(region, Unknown) else "an element is null"
                return Unknown(f"a region of {path} is unknown ({reason})"), path, line
            if region not in regions:
                regions.append(region)
        return regions, path, line
    return None


def resource_zone(obj: ResourceObject, spec: ProviderSpec) -> str | Unknown | None:
    """The zone a zonal resource names (``zone``, ``availability_zone``…), Unknown when it cannot be known, None when it names none."""
    for path in spec.zone_resource:
        present, value = obj.attribute(path)
        if not present or value is None:
            continue
        if isinstance(value, Unknown):
            return Unknown(value.reason)
        text = as_text(value)
        if text is None:
            return None
        return text if isinstance(text, Unknown) else spec.normalized(text.strip())
    return None


def hints(obj: ResourceObject, spec: ProviderSpec, provider: ProviderInstance | None) -> dict[str, str | Unknown]:
    """Provider settings that change who operates the place (universe domain, endpoints)."""
    found: dict[str, str | Unknown] = {}
    if provider is None:
        return found
    for name, attribute in spec.hints:
        present, value = provider.attribute(attribute)
        if present and value is not None:
            text = as_text(value)
            if text is not None:
                found[name] = _host(text) if name.endswith("_url") else text
    if spec.endpoint_block:
        wanted = spec.endpoint_keys(obj.block.type)
        for key, value, _line in provider.attributes_of_block(spec.endpoint_block):
            if key in wanted:
                text = as_text(value)
                if text is not None:
                    found["endpoint"] = _host(text)
    return found


def _host(url: str | Unknown) -> str | Unknown:
    if isinstance(url, Unknown):
        return url
    parsed = urlparse(url if "://" in url else f"https://{url}")
    return (parsed.hostname or url).lower()
