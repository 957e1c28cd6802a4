"""The values YAML loading produces and its limits: line-keeping mappings and lists, one error type.

Apart from the loader so that cached policies (made of these types) can be read
back without importing PyYAML, and so that the PyYAML side (``yamlparse``)
and the public entry point (``yamlload``) both import them without a cycle.
"""

from __future__ import annotations

MAX_ALIASES = 200
MAX_EXPANDED_NODES = 200_000
MAX_YAML_BYTES = 8 * 1024 * 1024


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
