"""``sovscan pre-commit FILE...``: scan the root modules that the changed files belong to.

pre-commit passes the changed ``.tf``, ``.tf.json`` and ``.tfvars`` files.
A file scanned alone loses its variables, its tfvars and the provider
configuration its module inherits from the caller (where a module's
resources live is decided by the root module); the whole repository is slow
and reports what the commit did not touch. So:

- a changed file in a root module's folder → that root module;
- a changed file in a module folder → every root module calling that module,
  directly or through other local modules;
- a changed tfvars file → the root module of its folder.

Each selected root is scanned whole, with its variables, tfvars and
providers. Run from the repository root, as pre-commit does. Options and
exit codes are those of ``sovscan scan``.
"""

from __future__ import annotations

import os
import posixpath
import sys
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import click

from scanner.cli.scan import VariablesInOrder, incomplete_option, input_options, output_options, run, settings_from

TFVARS_SUFFIXES = (".tfvars", ".tfvars.json")


@dataclass(frozen=True)
class Selection:
    roots: tuple[str, ...]  # root module folders, relative to the repository
    folders: frozenset[str]  # every module folder those roots read
    unused: tuple[str, ...]  # changed files no root module reads


def module_folders(project: Any, root: str) -> set[str]:
    """The folders a root module reads: itself and every local module it calls, transitively."""
    seen: set[str] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        if folder in seen:
            continue
        seen.add(folder)
        stack += [target for target in project.local_calls(folder) if target in project.discovered.module_dirs]
    return seen


def select_roots(project: Any, changed: Iterable[str]) -> Selection:
    """The root modules to scan for changed files given relative to the project folder (POSIX)."""
    reach = {root: module_folders(project, root) for root in project.root_modules()}
    selected: set[str] = set()
    unused: list[str] = []
    for path in changed:
        folder = posixpath.dirname(path) or "."
        if path.endswith(TFVARS_SUFFIXES):
            hits = {root for root in reach if root == folder}
        else:
            hits = {root for root, folders in reach.items() if folder in folders}
        if hits:
            selected |= hits
        else:
            unused.append(path)
    roots = tuple(sorted(selected))
    folders = frozenset(f for root in roots for f in reach[root])
    return Selection(roots, folders, tuple(unused))


def _relative(path: Path) -> str | None:
    """A changed file relative to the working directory, or None when outside it or in a hidden folder."""
    relative = Path(os.path.relpath(path.resolve(), Path.cwd().resolve())).as_posix()
    if relative.startswith("../") or relative == "..":
        return None
    if any(part.startswith(".") for part in relative.split("/")[:-1]):
        return None  # .terraform/, .git/…: Terraform discovery never reads them
    return relative


@click.command("pre-commit", cls=VariablesInOrder)
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@output_options
@incomplete_option
@input_options
def precommit(files: tuple[Path, ...], **options: Any) -> None:
    """Scan the root modules that the changed Terraform files belong to (for the pre-commit hook)."""
    from scanner.cli.scan import _parse_cache, caching
    from scanner.sources.terraform.module.boundary import find_boundary
    from scanner.sources.terraform.module.project import Project

    settings = replace(settings_from(options), report_stale=False)  # other roots' exceptions are not stale
    changed = [r for r in (_relative(f) for f in files) if r is not None]
    with caching(settings.no_cache):
        project = Project(Path("."), _parse_cache(), boundary=find_boundary(Path("."), settings.repo_root))
        selection = select_roots(project, changed)
    if not selection.roots:
        click.echo("sovscan: no root module reads the changed files; nothing to scan", err=True)
        sys.exit(0)
    click.echo(f"sovscan: scanning root module{'s' if len(selection.roots) > 1 else ''} {', '.join(selection.roots)}", err=True)
    sys.exit(run([Path(".")], settings, _collect_roots(selection, project)))


def _collect_roots(selection: Selection, project: Any):
    """Scan the selected root modules of the repository already read, keeping the problems of their files."""

    def collector(variables, parse_cache):
        from scanner.sources import SourceResult
        from scanner.sources.terraform.extract.collect import scan_folder

        result = scan_folder(Path("."), variables, parse_cache, only_roots=selection.roots, project=project)
        errors = [e for e in result.errors if e.file is None or (posixpath.dirname(e.file) or ".") in selection.folders]
        return SourceResult(result.resources, errors, 1 if result.roots else 0, read_outside=result.read_outside)

    return collector
