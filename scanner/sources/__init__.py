"""Sources turn an input into Resource records, and say what they could not read.

One explicit registry: ``collect`` looks at what a path is (a folder, a
Terraform file, a plan or state JSON, an inventory export) and hands it to
the source that reads it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from scanner.model import Resource, ScanError
from scanner.sources.terraform.module.inputs import VariableOptions


@dataclass
class SourceResult:
    resources: list[Resource] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    scanned: int = 0  # how many inputs could be read at all


def display_prefix(path: Path) -> str:
    """Report paths relative to the working directory when the input is inside it."""
    try:
        rel = Path(os.path.relpath(path.resolve(), Path.cwd().resolve()))
    except ValueError:
        return ""
    if rel.parts and rel.parts[0] == "..":
        return ""
    text = rel.as_posix()
    return "" if text == "." else text + "/"


def collect(path: Path, variables: VariableOptions, parse_cache=None) -> SourceResult:
    from scanner.sources.terraform.extract.collect import scan_folder

    result = SourceResult()
    if not path.exists():
        result.errors.append(ScanError(str(path), None, "no such file or folder"))
        return result
    if path.is_dir():
        folder = scan_folder(path, variables, parse_cache, prefix=display_prefix(path))
        result.resources.extend(folder.resources)
        result.errors.extend(folder.errors)
        if folder.roots:
            result.scanned += 1
        elif not folder.found_files:
            result.errors.append(ScanError(str(path), None, "no Terraform files (.tf, .tf.json) found here"))
        return result
    if path.name.endswith((".tf", ".tf.json")):
        return collect(path.parent, variables, parse_cache)
    from scanner.sources.detect import detect, reader_for

    display = display_prefix(path.parent) + path.name
    kind, problem, position = detect(path)
    if kind is None:
        line, column = position or (None, None)
        result.errors.append(ScanError(display, line, problem or "unsupported input", column))
        return result
    reader = reader_for(kind)
    if reader is None:
        result.errors.append(ScanError(display, None, f"{kind} input is not supported by this version of sovscan"))
        return result
    return reader(path, display)
