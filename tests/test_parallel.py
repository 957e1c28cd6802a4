"""Parallel parsing gives, file for file and in order, what a serial parse gives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scanner.model import ScanError
from scanner.sources.terraform.syntax import parallel
from scanner.sources.terraform.syntax.parallel import parse_files, parse_one, preparse
from scanner.sources.terraform.syntax.parsecache import ParseCache

GOOD = 'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "b{i}-${{var.env}}"\n  tags   = {{ data_classification = "personal" }}\n}}\n'


@pytest.fixture
def files(tmp_path) -> list[tuple[Path, str]]:
    """Twelve files: good ones, a syntax error, a binary file, a missing one and a .tf.json."""
    made = []
    for i in range(8):
        path = tmp_path / f"m{i}" / "main.tf"
        path.parent.mkdir()
        path.write_text(GOOD.format(i=i) * (i + 1), encoding="utf-8")
        made.append(path)
    broken = tmp_path / "broken.tf"
    broken.write_text('resource "aws_s3_bucket" "x" {\n  bucket = \n}\n', encoding="utf-8")
    binary = tmp_path / "binary.tf"
    binary.write_bytes(b"\x00\x01\x02")
    as_json = tmp_path / "main.tf.json"
    as_json.write_text('{"resource": {"aws_s3_bucket": {"j": {"bucket": "j"}}}}\n', encoding="utf-8")
    made[4:4] = [broken, binary, tmp_path / "missing.tf", as_json]
    return [(p, p.relative_to(tmp_path).as_posix()) for p in made]


@pytest.fixture
def always_parallel(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 0)


def serial(files):
    return [parse_one(path, display) for path, display in files]


def test_results_match_a_serial_parse_in_input_order(files, always_parallel):
    results = parse_files(files, workers=2)
    assert results == serial(files)
    by_display = dict(zip((d for _, d in files), results, strict=True))
    assert by_display["broken.tf"][0] is None and by_display["broken.tf"][1][0].line == 2
    assert by_display["binary.tf"] == ScanError("binary.tf", None, "binary file (NUL bytes); not Terraform text; skipped", kind="unreadable")
    assert isinstance(by_display["missing.tf"], ScanError) and by_display["missing.tf"].message.startswith("cannot read the file")
    assert by_display["main.tf.json"][0].blocks[0].labels == ("aws_s3_bucket", "j")
    assert [r[0].blocks[0].labels[1] for r in results if isinstance(r, tuple) and r[0] and r[0].blocks and r[0].blocks[0].labels[0] == "aws_s3_bucket" and r[0].blocks[0].labels[1].startswith("b")] == [f"b{i}" for i in range(8)]


_PARSE_CHUNK = parallel._parse_chunk


def _parse_chunk_with_pid(chunk):
    """A worker's chunk, tagged with the worker's process id (module level: the pool pickles it by name)."""
    return [("pid", os.getpid())] + _PARSE_CHUNK(chunk)


def _die(chunk):
    os._exit(3)


def test_the_workers_really_run_in_other_processes(files, always_parallel, monkeypatch):
    seen = []
    real_pool = parallel.ProcessPoolExecutor

    class Spy(real_pool):
        def map(self, fn, *iterables, **kwargs):
            for chunk in super().map(fn, *iterables, **kwargs):
                seen.append(chunk[0][1])
                yield chunk[1:]

    monkeypatch.setattr(parallel, "_parse_chunk", _parse_chunk_with_pid)
    monkeypatch.setattr(parallel, "ProcessPoolExecutor", Spy)
    assert parse_files(files, workers=2) == serial(files)
    assert len(seen) == len(parallel._chunks(files, 2 * parallel.CHUNKS_PER_WORKER))
    assert os.getpid() not in seen


def test_small_inputs_and_one_core_parse_serially(files, monkeypatch):
    def no_pool(*args, **kwargs):
        raise AssertionError("forked for a small input")

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", no_pool)
    assert parse_files(files, workers=2) == serial(files)  # under MIN_PARALLEL_BYTES
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 0)
    assert parse_files(files, workers=1) == serial(files)
    assert parse_files([], workers=2) == []


def test_a_dead_worker_falls_back_to_a_serial_parse(files, always_parallel, monkeypatch):
    monkeypatch.setattr(parallel, "_parse_chunk", _die)
    assert parse_files(files, workers=2) == serial(files)


def test_a_file_a_worker_cannot_handle_is_parsed_by_the_parent(files, always_parallel, monkeypatch):
    parent = os.getpid()
    original = parallel.parse_one

    def flaky(path, display):
        if os.getpid() != parent and display == "m2/main.tf":
            raise MemoryError("worker out of memory")
        return original(path, display)

    monkeypatch.setattr(parallel, "parse_one", flaky)
    assert parse_files(files, workers=2) == serial(files)


def test_chunks_are_contiguous_and_cover_every_file(files):
    chunks = parallel._chunks(files, 5)
    assert [item for chunk in chunks for item in chunk] == files
    assert 1 < len(chunks) <= 5 and all(chunks)


def test_preparse_reads_the_cache_then_fills_it(files, always_parallel, tmp_path):
    cache = ParseCache.open(tmp_path / "cache")
    first = preparse(files, cache, workers=2)
    assert list(first) == [path for path, _ in files]
    assert [first[path] for path, _ in files] == serial(files)
    assert (cache.hits, cache.misses) == (0, 11)  # a missing file is not even looked up

    again = ParseCache.open(tmp_path / "cache")
    second = preparse(files, again, workers=2)
    assert second == first
    assert (again.hits, again.misses) == (10, 1)  # the binary file's error is never cached


def test_files_with_the_same_bytes_are_parsed_once_and_keep_their_own_path(tmp_path, monkeypatch):
    text = 'variable "env" {\n  type = string\n}\n\nresource "x" "y" {\n  a = \n}\n'  # line 6 is wrong
    files = []
    for env in ("dev", "prod", "test"):
        path = tmp_path / env / "variables.tf"
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
        files.append((path, f"live/{env}/variables.tf"))
    parsed = []
    original = parallel.parse_files

    def counting(pending, workers=None):
        parsed.extend(display for _, display in pending)
        return original(pending, workers)

    monkeypatch.setattr(parallel, "parse_files", counting)
    results = preparse(files)
    assert parsed == ["live/dev/variables.tf"]
    assert [results[path] for path, _ in files] == serial(files)
    assert [results[path][1][0].file for path, _ in files] == ["live/dev/variables.tf", "live/prod/variables.tf", "live/test/variables.tf"]


def test_a_named_pipe_does_not_block_the_preparse(tmp_path):
    fifo = tmp_path / "pipe.tf"
    os.mkfifo(fifo)
    [result] = preparse([(fifo, "pipe.tf")]).values()
    assert result == parse_one(fifo, "pipe.tf")
    assert isinstance(result, ScanError) and result.file == "pipe.tf"
