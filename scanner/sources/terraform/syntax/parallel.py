"""Parse many Terraform files across cores, with the results in input order.

Parsing is pure-Python CPU work (lark's LALR parser), so threads cannot help
(the GIL) and processes do. The parent builds the grammar, then forks the
workers, so they share it instead of each loading it again. Files are cut
into contiguous chunks of about equal size, several per worker so a slow
chunk does not leave a core idle; each worker reads and parses its chunks
exactly as ``Project.parse_file`` would (``read_text`` then ``parse_text``)
and sends the trees back in the parse cache's compact encoding.

The output is the same as a serial parse, file for file: the results come
back in input order, and if the pool cannot start or a worker dies, the
parent parses serially. Small inputs, a single core and platforms without
``fork`` parse serially too: a fork costs more than it saves below about a
second of parsing.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path
from typing import Any

from scanner.model import ScanError
from scanner.sources.terraform.syntax import ast
from scanner.sources.terraform.syntax.files import parse_text, read_text
from scanner.sources.terraform.syntax.parsecache import decode, encode, read_source

# python-hcl2's parser reads about 0.15 MB/s on one core: below this, forking does not pay.
MIN_PARALLEL_BYTES = 256 * 1024
CHUNKS_PER_WORKER = 4

Parsed = tuple[ast.Body | None, list[ScanError]]


def available_cores() -> int:
    """Cores this process may run on (a container's CPU set, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def parse_one(path: Path, display: str) -> Parsed | ScanError:
    """One file, as ``Project.parse_file`` parses it without a cache."""
    text = read_text(path, display)
    if isinstance(text, ScanError):
        return text
    return parse_text(text, display)


def parse_files(files: Sequence[tuple[Path, str]], workers: int | None = None) -> list[Parsed | ScanError]:
    """Parse ``(path, display)`` pairs; results in input order, the same as ``parse_one`` on each."""
    files = list(files)
    workers = min(workers or available_cores(), len(files))
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods() or _total_bytes(files) < MIN_PARALLEL_BYTES:
        return [parse_one(path, display) for path, display in files]
    from scanner.sources.terraform.syntax.hcl import _parser

    _parser()  # built (or loaded from its cache) once, before the fork: the workers inherit it
    chunks = _chunks(files, workers * CHUNKS_PER_WORKER)
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            encoded = list(pool.map(_parse_chunk, chunks))
    except (BrokenProcessPool, OSError):
        return [parse_one(path, display) for path, display in files]
    results: list[Parsed | ScanError] = []
    for chunk, chunk_results in zip(chunks, encoded, strict=True):
        for (path, display), (kind, data) in zip(chunk, chunk_results, strict=True):
            if kind == "parsed":
                results.append(decode(data, display))
            elif kind == "unreadable":
                results.append(data)
            else:  # the worker could not parse or encode it: do it here, as a serial run would
                results.append(parse_one(path, display))
    return results


def _parse_chunk(chunk: list[tuple[Path, str]]) -> list[tuple[str, Any]]:
    """Runs in a worker: each file's result, encoded for the trip back."""
    out: list[tuple[str, Any]] = []
    for path, display in chunk:
        try:
            result = parse_one(path, display)
            if isinstance(result, ScanError):
                out.append(("unreadable", result))
            else:
                out.append(("parsed", encode(result, display)))
        except Exception:  # noqa: BLE001 - re-done in the parent, which reports it the usual way
            out.append(("retry", None))
    return out


def _total_bytes(files: Sequence[tuple[Path, str]]) -> int:
    total = 0
    for path, _ in files:
        try:
            total += path.stat().st_size
        except OSError:
            pass
    return total


def _chunks(files: list[tuple[Path, str]], count: int) -> list[list[tuple[Path, str]]]:
    """Contiguous runs of files of about equal total size (so results stay in order)."""
    sizes = []
    for path, _ in files:
        try:
            sizes.append(path.stat().st_size + 256)  # a file costs something even when small
        except OSError:
            sizes.append(256)
    target = sum(sizes) / count
    chunks: list[list[tuple[Path, str]]] = [[]]
    filled = 0.0
    for item, size in zip(files, sizes, strict=True):
        if filled >= target and len(chunks) < count:
            chunks.append([])
            filled = 0.0
        chunks[-1].append(item)
        filled += size
    return chunks


def preparse(files: Sequence[tuple[Path, str]], cache: Any = None, workers: int | None = None) -> dict[Path, Parsed | ScanError]:
    """Every file's parse result: from the parse cache where it has them, the rest parsed across cores.

    What ``Project`` keeps and hands out from ``parse_file``. Files with the
    same bytes (the ``variables.tf`` copied into every environment) are parsed
    once, as the cache would serve them in a serial scan, and each gets the
    result with its own path in its errors. Fresh results are stored in the
    cache as ``parse_file`` would store them.
    """
    found: dict[Path, Parsed | ScanError] = {}
    groups: dict[Any, list[tuple[Path, str]]] = {}
    for path, display in files:
        cached = cache.get(path, display) if cache is not None else None
        if cached is not None:
            found[path] = cached
        else:
            known = cache.key_read(path) if cache is not None else None  # the hash get() just took of its bytes
            groups.setdefault(("key", known) if known else _content_key(path, display), []).append((path, display))
    firsts = [members[0] for members in groups.values()]
    for members, result in zip(groups.values(), parse_files(firsts, workers), strict=True):
        first_path, first_display = members[0]
        if cache is not None and not isinstance(result, ScanError):
            cache.put(first_path, result)
        for path, display in members:
            found[path] = _restamped(result, first_display, display)
    return {path: found[path] for path, _ in files}


def _content_key(path: Path, display: str) -> Any:
    """Same bytes read by the same parser (HCL or JSON, by name): same key. An unreadable file is its own key."""
    data = read_source(path)
    if data is None:
        return ("unreadable", path)  # parse_one reports why, file by file
    return (display.endswith(".json"), hashlib.sha256(data).digest())


def _restamped(result: Parsed | ScanError, old: str, new: str) -> Parsed | ScanError:
    """A result for another file of the same content: its errors name that file (the tree is shared, it is frozen)."""
    if old == new:
        return result
    if isinstance(result, ScanError):
        return replace(result, file=new) if result.file == old else result
    body, errors = result
    return body, [replace(e, file=new) if e.file == old else e for e in errors]
