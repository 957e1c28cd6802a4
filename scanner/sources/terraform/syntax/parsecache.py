"""A content-hash cache of parsed Terraform files: a re-scan of unchanged files skips parsing.

Parsing is most of a cold scan (python-hcl2's lark parser reads about
0.15 MB of HCL per second); loading a parsed file back is some 30 times
faster. ``Project.parse_file`` asks ``get(path, display)`` before parsing
and hands the result to ``put(path, value)`` after.

**Key.** A SHA-256 over the file's bytes, the parser that reads it (HCL, or
JSON for ``.tf.json``) and a *parser fingerprint*: the cache format,
sovscan's and Python's versions, lark's version, python-hcl2's version file,
grammar and post-lexer, and the source of sovscan's Terraform package. So a
new python-hcl2, or an edit of ``hcl.py`` in a development checkout, never
serves an old tree. The display path is not in the key: errors are stored
without it and stamped with the caller's display path on the way out, so a
file scanned from another folder, or two identical files, share one entry.

**Safety.** An entry is ``MAGIC + BLAKE2b(payload) + payload``; a truncated,
garbled or foreign entry fails the check and is a miss, never a crash and
never a wrong tree. The payload is a pickle, which is acceptable only because
the cache directory is the user's own (``scanner.support.cache``: their platform
cache folder, or ``SOVSCAN_CACHE_DIR``); even so, unpickling only resolves
the node classes of ``ast`` (the "restricting globals" recipe of
https://docs.python.org/3/library/pickle.html#restricting-globals), so a
planted entry cannot name any other callable. Entries are written to a
temporary file in the same folder and moved into place with ``os.replace``
(atomic on POSIX and Windows), so concurrent scans only ever read whole
entries. A file that changes while it is being parsed is not stored.

**Size.** Entries live in 256 shard folders. Hits refresh an entry's mtime
(at most once a day); when the cache grows past ``max_bytes`` the oldest
entries are deleted down to 80 % of it. The sweep runs at the first write of
a process if none ran in the last hour, and again after each eighth of
``max_bytes`` written, so a warm scan with nothing to write never lists the
folder.
"""

from __future__ import annotations

import copyreg
import dataclasses
import functools
import hashlib
import importlib.util
import io
import os
import pickle
import stat
import sys
import time
from pathlib import Path
from typing import Any

from scanner.model import ScanError
from scanner.sources.terraform.syntax import ast
from scanner.support.cache import write_atomically

FORMAT = b"sovscan-parse-cache-1"
MAGIC = b"SVPC\x01\x00\r\n"  # the \r\n catches a text-mode rewrite of the file
DIGEST_SIZE = 32
SUBDIR = "parsed-v1"
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
MAX_SOURCE_BYTES = 4 * 1024 * 1024  # files.MAX_FILE_BYTES: larger files are refused, never cached
TOUCH_AFTER_SECONDS = 24 * 3600
SWEEP_INTERVAL_SECONDS = 3600
STALE_TEMP_SECONDS = 3600
SWEEP_TARGET = 0.8
TEMP_PREFIX = ".tmp-"
SWEEP_MARKER = "last-sweep"

Value = tuple["ast.Body | None", list[ScanError]]

# The only globals an entry may name: the frozen node classes of the syntax tree.
_NODE_CLASSES = {name: cls for name, cls in vars(ast).items() if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == ast.__name__}


def _reducer(cls: type):
    names = tuple(f.name for f in dataclasses.fields(cls))
    return lambda node: (cls, tuple(getattr(node, name) for name in names))


# Pickle each node as cls(*fields): smaller than the default slots state and
# about 40 % faster to load. A per-pickler dispatch table, so no global
# copyreg registration happens on import.
_DISPATCH = {**copyreg.dispatch_table, **{cls: _reducer(cls) for cls in _NODE_CLASSES.values()}}


class _NodesOnly(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module == ast.__name__ and name in _NODE_CLASSES:
            return _NODE_CLASSES[name]
        raise pickle.UnpicklingError(f"parse cache entry names {module}.{name}, which is not a syntax-tree node")


def encode(value: Value, display: str) -> bytes:
    """The payload of a parse result; errors about ``display`` are stored without the path."""
    body, errors = value
    stored = tuple((None if e.file == display else e.file, e.line, e.message, e.column) for e in errors)
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.dispatch_table = _DISPATCH
    pickler.dump((body, stored))
    return buffer.getvalue()


def decode(payload: bytes, display: str) -> Value:
    """A parse result from its payload; ValueError when it is not one."""
    try:
        body, stored = _NodesOnly(io.BytesIO(payload)).load()
    except Exception as exc:  # any unpickling failure is a bad entry
        raise ValueError(f"undecodable entry: {type(exc).__name__}") from None
    if body is not None and not isinstance(body, ast.Body):
        raise ValueError("entry holds no syntax tree")
    try:
        errors = [ScanError(display if file is None else file, line, message, column, kind="syntax") for file, line, message, column in stored]
    except (TypeError, ValueError):
        raise ValueError("entry holds malformed errors") from None
    if not all(isinstance(e.message, str) for e in errors):
        raise ValueError("entry holds malformed errors")
    return body, errors


@functools.cache
def _parser_fingerprint() -> bytes:
    """What the shape of a parsed tree depends on, besides the file itself (computed once a process)."""
    digest = hashlib.sha256(FORMAT)
    import lark

    from scanner import __version__

    for part in (__version__, lark.__version__, sys.version.split()[0], sys.implementation.name):
        digest.update(b"\0" + part.encode())
    spec = importlib.util.find_spec("hcl2")
    hcl2_dir = Path(next(iter(spec.submodule_search_locations))) if spec and spec.submodule_search_locations else None
    sources = [hcl2_dir / name for name in ("version.py", "hcl2.lark", "postlexer.py")] if hcl2_dir else []
    sources += sorted(Path(ast.__file__).parent.glob("*.py"))
    for path in sources:
        digest.update(b"\0" + path.name.encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<unreadable>")
    return digest.digest()


def read_source(path: Path, limit: int | None = None) -> bytes | None:
    """A regular file's bytes, or None: unreadable, too large, or not a regular file.

    Opened without blocking and checked with fstat, so a named pipe or a
    device called main.tf is refused at once (``files.read_text`` reports it)
    instead of hanging the scan.
    """
    limit = MAX_SOURCE_BYTES if limit is None else limit
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            data = handle.read(limit + 1)
        except OSError:
            return None
    return data if len(data) <= limit else None


class ParseCache:
    """Parsed files by content hash, in one folder of the user's cache directory."""

    def __init__(self, directory: Path, max_bytes: int = DEFAULT_MAX_BYTES):
        self.directory = directory
        self.max_bytes = max_bytes
        self._fingerprint: bytes | None = None
        self._pending: dict[Path, tuple[str, str]] = {}  # path -> (key, display) seen by get(), for put()
        self._written_since_sweep = 0
        self._swept = False
        self._writable = True
        self._shards: set[str] = set()  # shard folders known to exist: one mkdir each per run
        self.hits = 0
        self.misses = 0

    @classmethod
    def open(cls, directory: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> ParseCache | None:
        """The cache under ``directory``, or None when it cannot be created."""
        folder = Path(directory) / SUBDIR
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None
        if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
            return None
        return cls(folder, max_bytes)

    # ------------------------------------------------------------------ keys

    def key(self, data: bytes, display: str) -> str:
        if self._fingerprint is None:
            self._fingerprint = _parser_fingerprint()
        digest = hashlib.sha256(self._fingerprint)
        digest.update(b"json" if display.endswith(".json") else b"hcl")  # files.parse_text picks the parser by name
        digest.update(data)
        return digest.hexdigest()

    def _entry(self, key: str) -> Path:
        return self.directory / key[:2] / key[2:]

    # ------------------------------------------------------------------ reading

    def get(self, path: Path, display: str) -> Value | None:
        """The parse result of ``path`` as it is now, or None (a miss)."""
        data = read_source(path)
        if data is None:
            self._pending.pop(path, None)
            return None  # unreadable or too large: the caller reports it, nothing is cached
        key = self.key(data, display)
        self._pending[path] = (key, display)
        entry = self._entry(key)
        try:
            with open(entry, "rb") as handle:
                blob = handle.read()
                age = time.time() - os.fstat(handle.fileno()).st_mtime
        except OSError:
            self.misses += 1
            return None
        payload = _verified(blob)
        try:
            value = decode(payload, display) if payload is not None else None
        except ValueError:
            value = None
        if value is None:
            self.misses += 1
            return None
        self.hits += 1
        if age > TOUCH_AFTER_SECONDS:  # mark it used, for eviction; at most once a day so hits stay read-only
            try:
                os.utime(entry)
            except OSError:
                pass
        return value

    def key_read(self, path: Path) -> str | None:
        """The key ``get`` computed for ``path`` on a miss (what its bytes are), so a caller need not read it again."""
        pending = self._pending.get(path)
        return pending[0] if pending else None

    # ------------------------------------------------------------------ writing

    def put(self, path: Path, value: Value) -> None:
        """Store the parse result of ``path``, unless the file changed since ``get`` read it."""
        pending = self._pending.pop(path, None)
        if not self._writable:
            return
        data = read_source(path)
        if data is None:
            return
        display = pending[1] if pending else _display_of(value, path)
        key = self.key(data, display)
        if pending is not None and key != pending[0]:
            return  # the file changed while it was parsed: the tree may be of either version
        try:
            payload = encode(value, display)
        except (pickle.PicklingError, RecursionError, TypeError, AttributeError):
            return  # a tree too deep to pickle is simply parsed again next time
        self._write(key, MAGIC + hashlib.blake2b(payload, digest_size=DIGEST_SIZE).digest() + payload)

    def _write(self, key: str, blob: bytes) -> None:
        entry = self._entry(key)
        try:
            if key[:2] not in self._shards:
                entry.parent.mkdir(exist_ok=True)
                self._shards.add(key[:2])
        except OSError:
            self._writable = False
            return
        if not write_atomically(entry, blob, prefix=TEMP_PREFIX):
            self._writable = False  # a full disk or a read-only cache: stop trying for this run
            return
        self._written_since_sweep += len(blob)
        if not self._swept or self._written_since_sweep >= self.max_bytes // 8:
            self._maybe_sweep(force=self._swept)

    # ------------------------------------------------------------------ eviction

    def _maybe_sweep(self, force: bool) -> None:
        self._swept = True
        self._written_since_sweep = 0
        marker = self.directory / SWEEP_MARKER
        try:
            recent = time.time() - marker.stat().st_mtime < SWEEP_INTERVAL_SECONDS
        except OSError:
            recent = False
        if recent and not force:
            return
        try:
            marker.touch()
        except OSError:
            pass
        self.sweep()

    def sweep(self) -> int:
        """Delete stale temporary files, then the oldest entries while over ``max_bytes``; bytes freed."""
        now = time.time()
        entries: list[tuple[float, int, str]] = []
        total = freed = 0
        try:
            shards = [s.path for s in os.scandir(self.directory) if s.is_dir(follow_symlinks=False) and len(s.name) == 2]
        except OSError:
            return 0
        for shard in shards:
            try:
                items = list(os.scandir(shard))
            except OSError:
                continue
            for item in items:
                try:
                    info = item.stat(follow_symlinks=False)
                except OSError:
                    continue
                if item.name.startswith(TEMP_PREFIX):
                    if now - info.st_mtime > STALE_TEMP_SECONDS:  # left by a killed run; a live writer is younger
                        freed += _unlink(item.path, info.st_size)
                    continue
                entries.append((info.st_mtime, info.st_size, item.path))
                total += info.st_size
        if total <= self.max_bytes:
            return freed
        target = int(self.max_bytes * SWEEP_TARGET)
        for _, size, file in sorted(entries):
            if total <= target:
                break
            removed = _unlink(file, size)
            total -= size
            freed += removed
        return freed


def _display_of(value: Value, path: Path) -> str:
    """For a put() without get(): the errors of a parse result name the file as displayed."""
    _, errors = value
    return errors[0].file if errors and errors[0].file else str(path)


def _unlink(path: str, size: int) -> int:
    try:
        os.unlink(path)
        return size
    except OSError:
        return 0  # already gone (another run swept it)


def _verified(blob: bytes) -> bytes | None:
    """The payload of an entry whose magic and checksum hold, else None."""
    head = len(MAGIC) + DIGEST_SIZE
    if len(blob) < head or not blob.startswith(MAGIC):
        return None
    payload = blob[head:]
    if hashlib.blake2b(payload, digest_size=DIGEST_SIZE).digest() != blob[len(MAGIC):head]:
        return None
    return payload
