"""sovscan's cache directory (compiled grammar, parsed files), or None when unusable.

``SOVSCAN_CACHE_DIR`` overrides the platform default; ``--no-cache`` sets it
to an empty string, which disables every cache.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_disabled = False


def disable() -> None:
    global _disabled
    _disabled = True


@contextmanager
def disabled(off: bool = True) -> Iterator[None]:
    """Caching off for one scan (``--no-cache``), restored afterwards."""
    global _disabled
    previous = _disabled
    _disabled = previous or off
    try:
        yield
    finally:
        _disabled = previous


def cache_dir() -> Path | None:
    """Where parsed files are cached, or None under --no-cache."""
    if _disabled:
        return None
    return _directory()


def grammar_dir() -> Path | None:
    """Where the compiled HCL grammar is kept: sovscan's own artefact, kept even under --no-cache."""
    return _directory()


def _directory() -> Path | None:
    configured = os.environ.get("SOVSCAN_CACHE_DIR")
    if configured == "":
        return None
    if configured:
        path = Path(configured)
    else:
        from platformdirs import user_cache_dir

        path = Path(user_cache_dir("sovscan", appauthor=False))
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path if os.access(path, os.W_OK) else None


def write_atomically(path: Path, data: bytes, prefix: str) -> bool:
    """Write through a temporary file (named ``prefix``…) and a rename: a reader sees the whole file or none.

    False when it cannot be written (a full disk, a read-only folder): a cache
    entry that is not written only costs the next run its work.
    """
    import tempfile  # only when writing: a run served from the cache does not need it

    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=prefix)
    except OSError:
        return False
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
        return True
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        return False

