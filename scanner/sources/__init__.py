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
    uncalled: list[str] = field(default_factory=list)  # module folders nothing calls, not judged as root modules
    read_outside: dict[str, Path] = field(default_factory=dict)  # shown path -> folder or file read outside the scanned folder

    def extend(self, other: SourceResult) -> None:
        self.resources += other.resources
        self.errors += other.errors
        self.scanned += other.scanned
        self.uncalled += other.uncalled
        self.read_outside.update(other.read_outside)


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


def collect(path: Path, variables: VariableOptions, parse_cache=None, repo_root: Path | None = None) -> SourceResult:
    """Read one input: a Terraform folder (or file), a plan, a state, an export.

    ``repo_root`` (``--repo-root``) overrides the repository found above the
    input, which local module sources may not leave (``module/boundary.py``).
    """
    from scanner.sources.terraform.extract.collect import scan_folder
    from scanner.sources.terraform.module.boundary import find_boundary

    result = SourceResult()
    if not path.exists():
        result.errors.append(ScanError(str(path), None, "no such file or folder"))
        return result
    if path.is_dir():
        folder = scan_folder(path, variables, parse_cache, prefix=display_prefix(path), boundary=find_boundary(path, repo_root))
        result.resources.extend(folder.resources)
        result.errors.extend(folder.errors)
        result.uncalled.extend(folder.uncalled)
        result.read_outside.update(folder.read_outside)
        if folder.roots:
            result.scanned += 1
        elif not folder.found_files:
            states = _state_files(path)
            if states:  # a folder of state files (terraform.tfstate kept beside nothing else)
                for state in states:
                    result.extend(collect(state, variables, parse_cache, repo_root))
                return result
            result.errors.append(ScanError(str(path), None, "no Terraform files (.tf, .tf.json) or state files (.tfstate) found here"))
        return result
    if path.name.endswith((".tf", ".tf.json")):
        return collect(path.parent, variables, parse_cache, repo_root)
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


def _state_files(folder: Path) -> list[Path]:
    """``*.tfstate`` files directly in a folder (not backups: they hold an older state of the same resources)."""
    try:
        return sorted(p for p in folder.iterdir() if p.name.endswith(".tfstate") and p.is_file())
    except OSError:
        return []
