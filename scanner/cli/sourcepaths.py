"""From the paths a report shows back to files on disk, and on to paths relative to the repository root.

Sources show a file relative to the working directory when the scanned
folder is inside it, else relative to the scanned folder
(``scanner.sources.display_prefix``). CI platforms want paths relative to
the repository root: GitHub code scanning reads SARIF URIs as relative to
the root of the repository, GitLab code quality reads ``location.path`` the
same way. Only the CLI touches the disk; reporters get the resulting
mapping as plain data.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path


def repository_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding ``.git`` (a folder, or a file for worktrees)."""
    directory = start if start.is_dir() else start.parent
    directory = directory.resolve()
    for folder in (directory, *directory.parents):
        if (folder / ".git").exists():
            return folder
    return None


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


@dataclass(frozen=True)
class SourcePaths:
    """Where the files a report names are, for one scan's inputs."""

    bases: tuple[Path, ...]  # folders a shown path may be relative to: the working directory first
    repo_root: Path  # the repository root, or the working directory outside any repository
    _relative: dict[str, str] = field(default_factory=dict, compare=False, repr=False)  # repo_relative's answers: a scan asks twice

    @classmethod
    def for_inputs(cls, inputs: Sequence[Path], cwd: Path | None = None) -> SourcePaths:
        cwd = (cwd or Path.cwd()).resolve()
        bases = [cwd]
        for item in inputs:
            folder = item if item.is_dir() else item.parent
            folder = folder.resolve()
            if not _inside(folder, cwd) and folder not in bases:
                bases.append(folder)  # sources show paths inside it relative to it
        first = inputs[0] if inputs else cwd
        root = repository_root(first if first.exists() else cwd) or cwd
        return cls(tuple(bases), root)

    def file(self, shown: str) -> Path | None:
        """The file or folder on disk behind a shown path, or None when it cannot be found."""
        if not shown:
            shown = "."
        candidate = Path(shown)
        if candidate.is_absolute():
            return candidate if candidate.exists() else None
        for base in self.bases:
            path = base / candidate
            if path.exists():
                return path
        return None

    def repo_relative(self, shown: str) -> str:
        """The shown path relative to the repository root (POSIX, no ``./``); unchanged when outside it."""
        path = self.file(shown)
        if path is None:
            return shown
        resolved = path.resolve()
        if not _inside(resolved, self.repo_root):
            return shown
        relative = os.path.relpath(resolved, self.repo_root)
        return Path(relative).as_posix()

    def mapping(self, shown_paths: Iterable[str]) -> dict[str, str]:
        mapped = {}
        for shown in sorted(set(shown_paths)):
            if shown not in self._relative:
                self._relative[shown] = self.repo_relative(shown)
            mapped[shown] = self._relative[shown]
        return mapped
