"""How far a scan may read: the repository that holds the scanned folder.

Terraform follows a local module source (``../../modules/db``) wherever it
leads. sovscan follows it anywhere inside the repository of the scanned
folder, so ``cd envs/prod && sovscan scan .`` reads the modules the
environment calls, and refuses (and names) a source that leaves it: the
repository is what a CI job checked out, and everything outside it is the
runner's, not the code under review. The repository is, in order:

1. ``--repo-root DIR``;
2. the nearest folder at or above the scanned one holding ``.git`` (a folder,
   or a file in a git worktree or submodule);
3. else the nearest one holding ``.sovscan.yml`` (a checkout without its
   ``.git``, an unpacked archive).

With none of them, relative module sources are followed as Terraform does.
``.git`` and ``.sovscan.yml`` are only looked for (``lstat``), never opened here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CONFIG_NAMES = (".sovscan.yml", ".sovscan.yaml")


@dataclass(frozen=True)
class Boundary:
    """The folder module sources and file() may not leave (resolved), or None, and what marked it."""

    folder: Path | None
    marker: str  # "--repo-root", ".git", ".sovscan.yml", or "" when there is no repository

    def contains(self, path: Path) -> bool:
        """Whether ``path`` (resolved, symlinks included) is inside the boundary; always true without one."""
        if self.folder is None:
            return True
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError):
            return False
        return resolved == self.folder or self.folder in resolved.parents

    def describe(self) -> str:
        """The boundary in words, for messages: never an absolute path."""
        if self.marker == "--repo-root":
            return "the repository given by --repo-root"
        if self.marker == ".git":
            return "the repository (the nearest folder holding .git)"
        if self.marker:
            return f"the repository (the nearest folder holding {self.marker})"
        return "no repository"


NO_BOUNDARY = Boundary(None, "")


def find_boundary(start: Path, repo_root: Path | None = None) -> Boundary:
    """The repository holding ``start`` (a folder or a file), by the rules of this module's docstring."""
    if repo_root is not None:
        return Boundary(repo_root.resolve(), "--repo-root")
    try:
        folder = (start if start.is_dir() else start.parent).resolve()
    except (OSError, RuntimeError):
        return NO_BOUNDARY
    chain = (folder, *folder.parents)
    for directory in chain:
        if os.path.lexists(directory / ".git"):
            return Boundary(directory, ".git")
    for directory in chain:
        for name in CONFIG_NAMES:
            if os.path.lexists(directory / name):
                return Boundary(directory, name)
    return NO_BOUNDARY
