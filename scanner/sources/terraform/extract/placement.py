"""Where a resource instance lives: its region, and hints of who operates the place.

Per provider, ``policies/terraform.yml`` names the resource attributes tried
first and the provider attributes used otherwise. The chain of values that
produced the region is kept as a trace.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlparse

from scanner.model import Origin, TraceStep, Unknown
from scanner.sources.terraform.extract.spec import ProviderSpec
from scanner.sources.terraform.module.instances import ProviderInstance, ResourceObject, as_text


def region_text(value, spec: ProviderSpec) -> str | Unknown | None:
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
                trace.append(TraceStep(f"{obj.address} {path}", str(region), Origin(obj.block.file, line)))
                return region
    if inherit is not None:
        inherited = inherit(obj, trace)
        if inherited is not None:
            return inherited
    default = spec.default_region(obj.block.type)
    if default is not None:
        trace.append(TraceStep(f"{obj.block.type} without a location: the provider's default", default, Origin(obj.block.file, obj.block.line)))
        return default
    return provider_region(spec, provider, missing, trace)


def provider_region(spec: ProviderSpec, provider: ProviderInstance | None, missing: str | None, trace: list[TraceStep]) -> str | Unknown:
    if provider is None:
        return Unknown(f"{missing}; {spec.missing_region}" if missing else spec.missing_region)
    for path in spec.region_provider:
        present, value = provider.attribute(path, trace)
        if present and value is not None:
            region = region_text(value, spec)
            if region is not None:
                return region
    return Unknown(spec.missing_region)


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
