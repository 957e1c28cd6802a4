"""PyYAML's side of ``yamlload``: the loader that keeps lines and refuses duplicate keys and alias bombs.

Kept apart so that importing ``yamlload`` (its error and line-keeping types,
which cached policies are made of) does not import PyYAML: a scan whose
policies come from the cache never parses YAML.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from scanner.support.yamltypes import MAX_ALIASES, MAX_EXPANDED_NODES, LineDict, LineList, YamlError

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


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


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    try:
        return yaml.SafeLoader.construct_yaml_int(loader, node)
    except ValueError:  # Python refuses to convert more than 4300 digits
        raise YamlError(loader.file, node.start_mark.line + 1, "a number too long to read") from None


def _construct_str(loader: _Loader, node: yaml.ScalarNode) -> str:
    # "\ud800" is no character: it could not be written to a report.
    return _LONE_SURROGATE.sub("\ufffd", loader.construct_scalar(node))


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
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:str", _construct_str)


def _expanded_sizes(root: yaml.Node, file: str) -> dict[int, int]:
    """Nodes under each node as if every alias were copied in (what a consumer walks), capped.

    Iterative, so a deeply nested document costs no recursion here; an alias
    to one of its own ancestors would expand forever and is refused.
    """
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_pushed = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if children_pushed:
            sizes[id(node)] = min(1 + sum(sizes[id(c)] for c in children), MAX_EXPANDED_NODES + 1)
            in_progress.discard(id(node))
            continue
        in_progress.add(id(node))
        stack.append((node, True))
        for child in children:
            if id(child) in in_progress:
                raise YamlError(file, child.start_mark.line + 1, "an alias refers to a value that contains it; refusing a recursive document")
            if id(child) not in sizes:
                stack.append((child, False))
    return sizes


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _bomb_line(root: yaml.Node, sizes: dict[int, int]) -> int:
    """The line of the smallest node that alone expands past the limit: where the bomb is."""
    node = root
    while True:
        bigger = [c for c in _children(node) if sizes.get(id(c), 0) > MAX_EXPANDED_NODES]
        if not bigger:
            return node.start_mark.line + 1
        node = bigger[0]


def parse_yaml_text(text: str, file: str) -> Any:
    """Parse one YAML document; raise YamlError with file and line on any problem (``yamlload.load_yaml_text``)."""
    loader = None
    try:
        loader = _Loader(text, file)
        node = loader.get_single_node()
        if node is None:
            return None
        sizes = _expanded_sizes(node, file)
        if sizes[id(node)] > MAX_EXPANDED_NODES:
            raise YamlError(file, _bomb_line(node, sizes), f"this value expands to more than {MAX_EXPANDED_NODES} nodes through aliases; refusing a possible alias bomb")
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        if "\\t" in problem or "'\\t'" in problem:
            problem += " (YAML forbids tabs for indentation)"
        raise YamlError(file, line, problem) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1 if isinstance(exc.position, int) else None
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        raise YamlError(file, line, f"the control character U+{code:04X} is not allowed in YAML") from None
    except yaml.YAMLError as exc:
        raise YamlError(file, None, str(exc).splitlines()[0]) from None
    except RecursionError:
        line = loader.get_mark().line + 1 if loader is not None else None
        raise YamlError(file, line, "the document is nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()
