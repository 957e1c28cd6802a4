"""Safe YAML loading that remembers lines and refuses what PyYAML lets through.

PyYAML's SafeLoader never constructs arbitrary objects, but it silently keeps
the last of two duplicate keys and expands alias bombs. Policies and user
configuration are judged on every key, so both are errors here, and every
mapping remembers the line of each key for one-sentence error messages.

Every problem, whatever PyYAML raises for it (a tab, a control character, a
number too long to convert, nesting too deep for the composer), becomes one
``YamlError`` naming the file and, whenever it can be known, the line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scanner.support.yamltypes import MAX_ALIASES, MAX_EXPANDED_NODES, MAX_YAML_BYTES, LineDict, LineList, YamlError

__all__ = ["MAX_ALIASES", "MAX_EXPANDED_NODES", "MAX_YAML_BYTES", "LineDict", "LineList", "YamlError", "load_yaml_file", "load_yaml_text"]


def load_yaml_text(text: str, file: str) -> Any:
    """Parse one YAML document; raise YamlError with file and line on any problem."""
    from scanner.support.yamlparse import parse_yaml_text  # PyYAML is imported only when YAML is read

    return parse_yaml_text(text, file)


def load_yaml_file(path: Path, display: str | None = None) -> Any:
    display = display or str(path)
    if path.exists() and not path.is_file():  # a FIFO would block the read below
        raise YamlError(display, None, "not a regular file")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_YAML_BYTES + 1)
    except OSError as exc:
        raise YamlError(display, None, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_YAML_BYTES:
        raise YamlError(display, None, f"file is over the {MAX_YAML_BYTES // 1_048_576} MB limit for a YAML file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise YamlError(display, line, f"not UTF-8 text (byte 0x{data[exc.start]:02x})") from None
    return load_yaml_text(text, display)
