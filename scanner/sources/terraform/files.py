"""Find and read Terraform files under a root, defensively.

The walk skips hidden folders (``.terraform``, ``.git``…), never follows a
symlink out of the scanned root or round a loop, and turns every unreadable,
binary, oversized or badly encoded file into one error line; the rest of the
scan goes on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from scanner.model import ScanError
from scanner.sources.terraform import ast
from scanner.sources.terraform.hcl import HclSyntaxError, parse_body
from scanner.sources.terraform.tfjson import parse_tf_json

MAX_FILE_BYTES = 4 * 1024 * 1024
CONFIG_SUFFIXES = (".tf", ".tf.json")
VARS_SUFFIXES = (".tfvars", ".tfvars.json")


@dataclass
class Discovered:
    module_dirs: dict[str, list[Path]] = field(default_factory=dict)  # "." or "a/b" -> config files
    tfvars: dict[str, list[Path]] = field(default_factory=dict)
    errors: list[ScanError] = field(default_factory=list)


def relative(root: Path, path: Path) -> str:
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        rel = path.as_posix()
    return rel or "."


def _inside(root_real: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(root_real)
        return True
    except (ValueError, OSError, RuntimeError):
        return False


def discover(root: Path, prefix: str = "") -> Discovered:
    """Every folder holding .tf/.tf.json files, and the .tfvars beside them.

    Folder keys are relative to ``root``; error paths carry ``prefix``.
    """
    found = Discovered()

    def shown(path: Path) -> str:
        return prefix + relative(root, path)

    root_real = root.resolve()
    seen_dirs: set[Path] = set()
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            real = directory.resolve()
        except (OSError, RuntimeError):
            found.errors.append(ScanError(shown(directory), None, "symlink loop; not followed"))
            continue
        if real in seen_dirs:
            if directory.is_symlink():
                found.errors.append(ScanError(shown(directory), None, "symlink loop; not followed"))
            continue
        seen_dirs.add(real)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            found.errors.append(ScanError(shown(directory), None, f"cannot list the folder: {exc.strerror or exc}"))
            continue
        config: list[Path] = []
        tfvars: list[Path] = []
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith("."):
                continue  # .terraform, .git, editors' folders: never scanned
            if entry.is_symlink() and not _inside(root_real, path):
                found.errors.append(ScanError(shown(path), None, "symlink leads outside the scanned root; not followed"))
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                stack.append(path)
            elif entry.name.endswith(CONFIG_SUFFIXES):
                config.append(path)
            elif entry.name.endswith(VARS_SUFFIXES):
                tfvars.append(path)
        rel = relative(root, directory)
        if config:
            found.module_dirs[rel] = config
        if tfvars:
            found.tfvars[rel] = tfvars
    return found


def read_text(path: Path, display: str) -> str | ScanError:
    """A file's text, or one error saying why it cannot be used."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return ScanError(display, None, f"file is {size / 1_048_576:.1f} MB, over the {MAX_FILE_BYTES // 1_048_576} MB limit for one Terraform file; skipped")
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return ScanError(display, None, f"cannot read the file: {exc.strerror or exc}")
    if b"\x00" in data[:8192]:
        return ScanError(display, None, "binary file (NUL bytes); not Terraform text; skipped")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return ScanError(display, line, f"not UTF-8 text (byte 0x{data[exc.start]:02x}); Terraform requires UTF-8; skipped")
    return text


def parse_text(text: str, display: str) -> tuple[ast.Body | None, list[ScanError]]:
    try:
        if display.endswith(".json"):
            body = parse_tf_json(text)
        else:
            body = parse_body(text)
    except HclSyntaxError as exc:
        return None, [ScanError(display, exc.line, exc.message, exc.column)]
    return body, [ScanError(display, line, reason) for line, reason in _invalid_expressions(body)]


def _invalid_expressions(body: ast.Body) -> list[tuple[int, str]]:
    found = [(a.line, a.expr.reason) for a in body.attributes if isinstance(a.expr, ast.Invalid)]
    for block in body.blocks:
        found.extend(_invalid_expressions(block.body))
    return found
