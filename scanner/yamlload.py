"""Safe YAML loading that remembers lines and refuses what PyYAML lets through.

PyYAML's SafeLoader never constructs arbitrary objects, but it silently keeps
the last of two duplicate keys and expands alias bombs. Policies and user
configuration are judged on every key, so both are errors here, and every
mapping remembers the line of each key for one-sentence error messages.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

MAX_ALIASES = 200
MAX_EXPANDED_NODES = 200_000


class YamlError(Exception):
    def __init__(self, file: str, line: int | None, message: str):
        super().__init__(f"{file}:{line}: {message}" if line else f"{file}: {message}")
        self.file = file
        self.line = line
        self.message = message


class LineDict(dict):
    """A mapping that knows the line of itself and of each key (1-based)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    line: int = 0
    item_lines: list

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _Loader(yaml.SafeLoader):
    def __init__(self, stream, file: str):
        super().__init__(stream)
        self.file = file
        self.alias_count = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.alias_count += 1
            if self.alias_count > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise YamlError(self.file, mark.line + 1, f"more than {MAX_ALIASES} YAML aliases; refusing a possible alias bomb")
        return super().compose_node(parent, index)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise YamlError(loader.file, key_node.start_mark.line + 1, "a mapping key must be a plain value") from None
        if key in result:
            raise YamlError(
                loader.file,
                key_node.start_mark.line + 1,
                f"duplicate key '{key}' (first at line {result.key_lines[key]})",
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_timestamp_as_text(loader: _Loader, node: yaml.ScalarNode) -> str:
    # Dates stay ISO strings: the validator checks them and the JSON output keeps them.
    return loader.construct_scalar(node)


# YAML 1.2 booleans only: under YAML 1.1 the country code NO (Norway) would load as false.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp_as_text)


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """Count nodes as if every alias were copied in: what a consumer would walk."""
    known = memo.get(id(node))
    if known is not None:
        return known
    memo[id(node)] = 1  # guards recursive aliases
    size = 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            size += _expanded_size(key, memo) + _expanded_size(value, memo)
            if size > MAX_EXPANDED_NODES:
                break
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            size += _expanded_size(child, memo)
            if size > MAX_EXPANDED_NODES:
                break
    memo[id(node)] = size
    return size


def load_yaml_text(text: str, file: str) -> Any:
    """Parse one YAML document; raise YamlError with file and line on any problem."""
    loader = _Loader(text, file)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, {}) > MAX_EXPANDED_NODES:
            raise YamlError(file, node.start_mark.line + 1, "the document expands to too many nodes through aliases; refusing a possible alias bomb")
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        if "\\t" in problem or "'\\t'" in problem:
            problem += " (YAML forbids tabs for indentation)"
        raise YamlError(file, line, problem) from None
    except yaml.YAMLError as exc:
        raise YamlError(file, None, str(exc).splitlines()[0]) from None
    except RecursionError:
        raise YamlError(file, None, "the document is nested too deeply") from None
    finally:
        loader.dispose()


def load_yaml_file(path: Path, display: str | None = None) -> Any:
    display = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError(display, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise YamlError(display, None, f"cannot read: {exc.strerror or exc}") from None
    return load_yaml_text(text, display)
