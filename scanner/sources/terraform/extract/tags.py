"""The tags or labels a resource instance will carry, with where each was set.

Provider-wide tags (AWS ``default_tags``, Google ``default_labels``) come
first and the resource's own override them, as the providers merge them.
When a tag map is only partly known, the result says so: a classification
could hide in the unknown part, so it must not read as "unclassified".
"""

from __future__ import annotations

from typing import Any

from scanner.model import Origin, Tag, Unknown
from scanner.sources.terraform.extract.spec import ProviderSpec, TagSource
from scanner.sources.terraform.lang.values import PartialMap, materialize
from scanner.sources.terraform.module.instances import ProviderInstance, ResourceObject, as_text

DEFAULT_SOURCES = (TagSource(map="tags"), TagSource(map="labels"))


def collect_tags(obj: ResourceObject, spec: ProviderSpec | None, provider: ProviderInstance | None) -> tuple[tuple[Tag, ...], bool | Unknown]:
    tags: dict[str, Tag] = {}
    complete: bool | Unknown = True
    if spec is not None and provider is not None:
        for source in spec.provider_tags:
            complete = _merge(tags, _provider_map(provider, source), complete)
    for source in (spec.tags if spec is not None else DEFAULT_SOURCES):
        if source.blocks:
            found = _from_blocks(obj, source)
        elif source.list:
            found = _from_list(obj, source)
        else:
            found = _from_map(obj, source)
        complete = _merge(tags, found, complete)
    return tuple(tags.values()), complete


def _merge(tags: dict[str, Tag], found: tuple[list[Tag], Unknown | None], complete: bool | Unknown) -> bool | Unknown:
    items, unknown = found
    for tag in items:
        tags[tag.key] = tag
    if unknown is not None and complete is True:
        return unknown
    return complete


def _map_tags(value: Any, origin: Origin, via: str) -> tuple[list[Tag], Unknown | None]:
    value = materialize(value)
    if value is None:
        return [], None
    if isinstance(value, Unknown):
        return [], value
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, dict):
        return [], None
    tags = []
    for key, raw in value.items():
        text = as_text(raw)
        tags.append(Tag(str(key), text if text is not None else "", origin, via))
    return tags, (Unknown(value.reason) if isinstance(value, PartialMap) else None)


def _provider_map(provider: ProviderInstance, source: TagSource) -> tuple[list[Tag], Unknown | None]:
    """The provider-wide tags of one source (AWS ``default_tags``), the same for every resource of the provider."""
    if source not in provider.tags:
        provider.tags[source] = _read_provider_map(provider, source)
    return provider.tags[source]


def _read_provider_map(provider: ProviderInstance, source: TagSource) -> tuple[list[Tag], Unknown | None]:
    path = f"{source.block}.{source.map}" if source.block else (source.map or "")
    present, value = provider.attribute(path)
    if not present:
        return [], None
    line = provider.block.line
    if source.block:
        for block in provider.block.body.blocks_of(source.block):
            attr = block.body.attr(source.map or "tags")
            line = attr.line if attr is not None else block.line
    return _map_tags(value, Origin(provider.block.file, line), source.block or source.map or "provider")


def _from_map(obj: ResourceObject, source: TagSource) -> tuple[list[Tag], Unknown | None]:
    present, value = obj.attribute(source.map or "tags")
    if not present:
        return [], None
    attr_line = _line_of(obj, source.map or "tags")
    return _map_tags(value, Origin(obj.block.file, attr_line), source.map or "tags")


def _from_blocks(obj: ResourceObject, source: TagSource) -> tuple[list[Tag], Unknown | None]:
    blocks = obj.blocks(source.blocks or "tags")
    if isinstance(blocks, Unknown):
        return [], blocks
    tags = []
    unknown = None
    for body, scope, line in blocks:
        key_attr, value_attr = body.attr(source.key), body.attr(source.value)
        if key_attr is None:
            continue
        key = as_text(obj.module.evaluate(key_attr.expr, scope, obj.block.file, key_attr.line))
        value = as_text(obj.module.evaluate(value_attr.expr, scope, obj.block.file, value_attr.line)) if value_attr else ""
        if isinstance(key, Unknown):
            unknown = key
            continue
        if key is not None:
            tags.append(Tag(key, value if value is not None else "", Origin(obj.block.file, line), f"{source.blocks} block"))
    return tags, unknown


def _from_list(obj: ResourceObject, source: TagSource) -> tuple[list[Tag], Unknown | None]:
    present, value = obj.attribute(source.list or "tags")
    if not present:
        return [], None
    value = materialize(value)
    if isinstance(value, Unknown):
        return [], value
    origin = Origin(obj.block.file, _line_of(obj, source.list or "tags"))
    if isinstance(value, dict):  # some resources of list-tagging providers take a map (scaleway_object_bucket)
        return _map_tags(value, origin, source.list or "tags")
    if not isinstance(value, list):
        return [], None
    tags = []
    unknown = None
    for item in value:
        if isinstance(item, dict) and "key" in item:  # NumSpot: tags = [{key = "k", value = "v"}]
            key, tag_value = as_text(item.get("key")), as_text(item.get("value"))
            if isinstance(key, str):
                tags.append(Tag(key, tag_value if isinstance(tag_value, str) else "", origin, "tags list"))
            continue
        text = as_text(item)
        if isinstance(text, Unknown):
            unknown = text
            continue
        if not text:
            continue
        for separator in ("=", ":"):
            if separator in text:
                key, _, tag_value = text.partition(separator)
                tags.append(Tag(key.strip(), tag_value.strip(), origin, "tags list"))
                break
        else:
            tags.append(Tag(text.strip(), "", origin, "tags list"))
    return tags, unknown


def _line_of(obj: ResourceObject, path: str) -> int:
    attr = obj.block.body.attr(path.split(".")[0])
    if attr is not None:
        return attr.line
    blocks = obj.block.body.blocks_of(path.split(".")[0])
    return blocks[0].line if blocks else obj.block.line
