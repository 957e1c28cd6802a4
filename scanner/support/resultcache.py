"""A cache of results sovscan computes the same way on every run (the validated trust catalog).

Entries live in sovscan's cache directory, keyed by a hash of everything
that went into them (the data files and the code that reads them), so an
edited catalog or a new sovscan never serves a stale result. Pickle is
acceptable only because the directory is the user's own; still, an entry
may only name sovscan's own classes and compiled patterns, carries a
checksum, and is written atomically, so a damaged or foreign file is a miss.
"""

from __future__ import annotations

import io
import os
import pickle
import sys
from pathlib import Path

from scanner import __version__
from scanner.support.cache import cache_dir, write_atomically

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time: a replayed scan does without its cost
    from collections.abc import Callable, Iterable
    from typing import Any, TypeVar

    T = TypeVar("T")

try:  # hashlib loads OpenSSL (2 ms of a 60 ms replayed scan) for a hash CPython builds in
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python without it
    from hashlib import blake2b

_FORMAT = b"sovscan-result-1"
_CHECKSUM_BYTES = 32
_SAFE_BUILTINS = {"set", "frozenset", "tuple", "list", "dict", "bytes", "str", "int", "float", "bool"}


def fingerprint(paths: Iterable[Path], extra: str = "") -> str:
    """A key over sovscan's version, Python's, the bytes of the given files and ``extra``."""
    import hashlib

    digest = hashlib.sha256(_FORMAT + __version__.encode() + sys.version.encode() + extra.encode("utf-8", "surrogateescape"))
    for path in sorted(paths):
        digest.update(str(path.name).encode())
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<missing>")
    return digest.hexdigest()


def cached(kind: str, inputs: Iterable[Path], build: Callable[[], T], accept: Callable[[Any], bool], extra: str = "") -> T:
    """``build()``, or its value from an earlier run over the same input files (``accept`` checks what was read back)."""
    key = fingerprint(inputs, extra)
    value = load(kind, key)
    if value is not None and accept(value):
        return value
    value = build()
    store(kind, key, value)
    return value


class _OwnClassesOnly(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module.startswith("scanner.") or (module == "re" and name == "_compile") or (module == "copyreg" and name == "_reconstructor"):
            return super().find_class(module, name)
        if module == "builtins" and name in _SAFE_BUILTINS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in sovscan's cache")


def _path(kind: str, key: str) -> Path | None:
    directory = cache_dir()
    return directory / f"{kind}-{key}.pickle" if directory is not None else None


def load(kind: str, key: str) -> Any | None:
    path = _path(kind, key)
    if path is None:
        return None
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    checksum, payload = blob[:_CHECKSUM_BYTES], blob[_CHECKSUM_BYTES:]
    if blake2b(payload, digest_size=_CHECKSUM_BYTES).digest() != checksum:
        return None
    try:
        return _OwnClassesOnly(io.BytesIO(payload)).load()
    except Exception:  # any damage is a miss, never a crash
        return None


def store(kind: str, key: str, value: Any) -> None:
    path = _path(kind, key)
    if path is None:
        return
    try:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, RecursionError, AttributeError):
        return
    write_atomically(path, blake2b(payload, digest_size=_CHECKSUM_BYTES).digest() + payload, prefix=f".{kind}-")


def touch(kind: str, key: str) -> None:
    """Mark an entry as just used, so ``prune`` keeps it."""
    path = _path(kind, key)
    if path is not None:
        try:
            os.utime(path)
        except OSError:
            pass


def prune(kind: str, keep: int) -> None:
    """Delete all but the ``keep`` most recently used entries of ``kind`` (a race with another run only loses a hit)."""
    directory = cache_dir()
    if directory is None:
        return
    entries = []
    try:
        for item in os.scandir(directory):
            if item.name.startswith(f"{kind}-") and item.name.endswith(".pickle"):
                entries.append((item.stat().st_mtime_ns, item.path))
    except OSError:
        return
    for _, stale in sorted(entries, reverse=True)[keep:]:
        try:
            os.unlink(stale)
        except OSError:
            pass
