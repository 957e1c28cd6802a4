"""The two wildcard dialects sovscan accepts, each named once.

- **Names** (resource addresses and types, in waivers, attestations, offer
  assignments and the policy data): ``*`` is any run of characters, ``?`` one
  character, everything else literal. ``[`` is literal because addresses carry
  indexes (``aws_s3_bucket.b["a"]``, ``module.x[0]``); fnmatch would read it
  as a character class.
- **Paths** (waiver ``path:``, skip paths): gitignore patterns relative to the
  repository root, through pathspec as yamllint does for ``ignore:``. A
  pattern with a ``/`` in it is anchored; ``name/`` matches a folder at any
  depth; a folder pattern covers everything under it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

TYPE_CHECKING = False
if TYPE_CHECKING:
    import pathspec


@lru_cache(maxsize=4096)
def _name_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.DOTALL)


def name_matches(name: str, pattern: str) -> bool:
    """Whether ``name`` (an address, a resource type) matches ``pattern`` (``*``, ``?``, the rest literal)."""
    return _name_pattern(pattern).fullmatch(name) is not None


def any_name_matches(name: str, patterns: Iterable[str]) -> bool:
    return any(name_matches(name, pattern) for pattern in patterns)


def path_spec(patterns: Iterable[str]) -> pathspec.GitIgnoreSpec:
    """A gitignore-style spec of ``patterns`` (relative to the repository root)."""
    import pathspec  # only when a path pattern is given

    return pathspec.GitIgnoreSpec.from_lines(list(patterns))


@lru_cache(maxsize=1024)
def _one_path_spec(pattern: str) -> pathspec.GitIgnoreSpec:
    return path_spec([pattern])


def path_matches(path: str, pattern: str) -> bool:
    """Whether the repository path ``path`` (a file or folder, ``/``-separated) matches one gitignore pattern."""
    return _one_path_spec(pattern).match_file(path)
