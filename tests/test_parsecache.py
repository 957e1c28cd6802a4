"""The parse cache: a hit gives back exactly the tree and errors a parse gives; anything doubtful is a miss."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import pickle
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.model import ScanError
from scanner.sources.terraform.syntax import ast, parsecache
from scanner.sources.terraform.syntax.files import parse_text
from scanner.sources.terraform.syntax.parsecache import MAGIC, ParseCache, decode, encode
from tests.support import ROOT

MAIN_TF = 'provider "aws" {\n  region = "eu-west-3"\n}\n\nresource "aws_s3_bucket" "payroll" {\n  bucket = "payroll-${var.env}"\n  tags   = { data_classification = "sensitive" }\n}\n'
BROKEN_TF = 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n'


@pytest.fixture
def cache(tmp_path) -> ParseCache:
    opened = ParseCache.open(tmp_path / "cache")
    assert opened is not None
    return opened


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def parse_and_store(cache: ParseCache, path: Path, display: str):
    """What Project.parse_file does on a miss."""
    assert cache.get(path, display) is None
    value = parse_text(path.read_text(encoding="utf-8"), display)
    cache.put(path, value)
    return value


def entries(cache: ParseCache) -> list[Path]:
    return sorted(p for p in cache.directory.glob("??/*") if not p.name.startswith(parsecache.TEMP_PREFIX))


# --------------------------------------------------------------------------- hits and misses


def test_a_hit_returns_the_parsed_tree(tmp_path, cache):
    path = write(tmp_path, "main.tf", MAIN_TF)
    body, errors = parse_and_store(cache, path, "infra/main.tf")

    fresh = ParseCache.open(cache.directory.parent)  # another run
    cached_body, cached_errors = fresh.get(path, "infra/main.tf")
    assert cached_body == body
    assert cached_errors == errors == []
    bucket = cached_body.blocks[1]
    assert (bucket.type, bucket.labels, bucket.line, bucket.end_line) == ("resource", ("aws_s3_bucket", "payroll"), 5, 8)
    assert cached_body.blocks[1].body.attr("bucket").expr == ast.Template(("payroll-", ast.GetAttr(ast.Name("var", 6), "env", 6)), 6)
    assert (fresh.hits, fresh.misses) == (1, 0)


def test_syntax_errors_are_cached_and_carry_the_callers_path(tmp_path, cache):
    path = write(tmp_path, "broken.tf", BROKEN_TF)
    body, errors = parse_and_store(cache, path, "a/broken.tf")
    assert body is None and len(errors) == 1 and errors[0].file == "a/broken.tf"

    # Scanned from another folder, the same file is displayed differently: same entry, its own path.
    cached_body, cached_errors = ParseCache.open(cache.directory.parent).get(path, "repo/a/broken.tf")
    assert cached_body is None
    assert cached_errors == [ScanError("repo/a/broken.tf", errors[0].line, errors[0].message, errors[0].column, kind="syntax")]


def test_identical_files_share_one_entry(tmp_path, cache):
    first = write(tmp_path, "a.tf", MAIN_TF)
    (tmp_path / "b").mkdir()
    second = write(tmp_path / "b", "a.tf", MAIN_TF)
    body, _ = parse_and_store(cache, first, "a.tf")
    assert cache.get(second, "b/a.tf") == (body, [])
    assert len(entries(cache)) == 1


def test_a_changed_file_is_a_miss(tmp_path, cache):
    path = write(tmp_path, "main.tf", MAIN_TF)
    parse_and_store(cache, path, "main.tf")
    path.write_text(MAIN_TF.replace("eu-west-3", "us-east-1"), encoding="utf-8")
    assert cache.get(path, "main.tf") is None


def test_the_parser_is_part_of_the_key(tmp_path, cache):
    """The same text read as .tf and as .tf.json gives different trees: different entries."""
    text = '{"resource": {"aws_s3_bucket": {"b": {"bucket": "x"}}}}\n'
    as_json = write(tmp_path, "main.tf.json", text)
    parse_and_store(cache, as_json, "main.tf.json")
    as_hcl = write(tmp_path, "main.tf", text)
    assert cache.get(as_hcl, "main.tf") is None


def test_a_new_parser_fingerprint_is_a_miss(tmp_path, cache, monkeypatch):
    """A new python-hcl2, lark or sovscan (or an edited hcl.py) never serves an old tree."""
    path = write(tmp_path, "main.tf", MAIN_TF)
    parse_and_store(cache, path, "main.tf")
    monkeypatch.setattr(parsecache, "_parser_fingerprint", lambda: b"another parser")
    assert ParseCache.open(cache.directory.parent).get(path, "main.tf") is None


def test_the_fingerprint_covers_the_parser_sources():
    fingerprint = parsecache._parser_fingerprint()
    assert fingerprint == parsecache._parser_fingerprint()
    assert len(fingerprint) == 32


def test_a_file_changed_during_its_parse_is_not_stored(tmp_path, cache):
    path = write(tmp_path, "main.tf", MAIN_TF)
    assert cache.get(path, "main.tf") is None
    value = parse_text(MAIN_TF, "main.tf")
    path.write_text(MAIN_TF + "\n# edited while sovscan parsed it\n", encoding="utf-8")
    cache.put(path, value)
    assert entries(cache) == []


def test_unreadable_and_oversized_files_are_never_cached(tmp_path, cache, monkeypatch):
    missing = tmp_path / "gone.tf"
    assert cache.get(missing, "gone.tf") is None
    cache.put(missing, (None, [ScanError("gone.tf", None, "cannot read the file")]))
    monkeypatch.setattr(parsecache, "MAX_SOURCE_BYTES", 10)
    big = write(tmp_path, "big.tf", MAIN_TF)
    assert cache.get(big, "big.tf") is None
    cache.put(big, parse_text(MAIN_TF, "big.tf"))
    assert entries(cache) == []


def test_a_named_pipe_is_a_miss_at_once(tmp_path, cache):
    """A FIFO called main.tf must not block the cache's read (files.read_text reports it)."""
    fifo = tmp_path / "pipe.tf"
    os.mkfifo(fifo)
    started = time.monotonic()
    assert cache.get(fifo, "pipe.tf") is None
    cache.put(fifo, (None, []))
    assert time.monotonic() - started < 2
    assert entries(cache) == []


def test_a_tree_too_deep_to_pickle_is_skipped(tmp_path, cache):
    path = write(tmp_path, "main.tf", MAIN_TF)
    assert cache.get(path, "main.tf") is None
    expr: ast.Expr = ast.Literal(1, 1)
    for _ in range(200_000):
        expr = ast.TupleExpr((expr,), 1)
    cache.put(path, (ast.Body((ast.Attribute("x", expr, 1),), ()), []))
    assert entries(cache) == []


# --------------------------------------------------------------------------- corruption


def stored_entry(tmp_path, cache) -> tuple[Path, Path]:
    path = write(tmp_path, "main.tf", MAIN_TF)
    parse_and_store(cache, path, "main.tf")
    [entry] = entries(cache)
    return path, entry


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda blob: b"", id="empty"),
        pytest.param(lambda blob: blob[: len(blob) // 2], id="truncated"),
        pytest.param(lambda blob: blob[:-1] + bytes([blob[-1] ^ 1]), id="one-bit-flipped"),
        pytest.param(lambda blob: os.urandom(len(blob)), id="garbage"),
        pytest.param(lambda blob: blob.replace(b"\r\n", b"\n", 1), id="text-mode-rewrite"),
        pytest.param(lambda blob: MAGIC, id="header-only"),
    ],
)
def test_a_damaged_entry_is_a_miss_and_is_replaced(tmp_path, cache, damage):
    path, entry = stored_entry(tmp_path, cache)
    good = entry.read_bytes()
    entry.write_bytes(damage(good))

    assert cache.get(path, "main.tf") is None
    cache.put(path, parse_text(MAIN_TF, "main.tf"))  # the parse that follows a miss rewrites the entry
    assert entry.read_bytes() == good


@pytest.mark.parametrize(
    "content",
    [("not a body", ()), (ast.EMPTY_BODY, 42), (ast.EMPTY_BODY, ((None, 1),)), (ast.EMPTY_BODY, ((None, 1, 2, 3),)), "just a string"],
    ids=["no-body", "errors-not-a-list", "short-error", "message-not-text", "not-a-pair"],
)
def test_a_checksummed_entry_of_the_wrong_shape_is_a_miss(tmp_path, cache, content):
    path, entry = stored_entry(tmp_path, cache)
    payload = pickle.dumps(content, protocol=5)
    entry.write_bytes(MAGIC + hashlib.blake2b(payload, digest_size=32).digest() + payload)
    assert cache.get(path, "main.tf") is None


def test_a_planted_entry_cannot_call_anything(tmp_path, cache):
    """Unpickling resolves syntax-tree classes only: a payload naming os.system runs nothing."""
    path, entry = stored_entry(tmp_path, cache)
    witness = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {witness}",))

    payload = pickle.dumps((Exploit(), ()), protocol=5)
    entry.write_bytes(MAGIC + hashlib.blake2b(payload, digest_size=32).digest() + payload)
    assert cache.get(path, "main.tf") is None
    assert not witness.exists()


def test_decode_refuses_foreign_classes():
    payload = pickle.dumps((ScanError("x", 1, "y"), ()), protocol=5)
    with pytest.raises(ValueError, match="undecodable"):
        decode(payload, "main.tf")


ALL_NODES_TF = """locals {
  a = [for k, v in var.m : "${k}=${v}" if v != null]
  b = { for k, v in var.m : k => v... }
  c = var.x ? -1 : 2.5
  d = aws_s3_bucket.b[*].id
  e = var.list[0].name
  f = provider::aws::arn_parse("arn")
  g = "%{ if var.on }on%{ else }off%{ endif } %{ for s in var.l }${s}%{ endfor }"
  h = <<-EOT
    hello ${var.name}
  EOT
  i = !true && (1 + 2 * 3 >= 4)
}
"""


def test_every_kind_of_node_survives_the_round_trip():
    body, errors = parse_text(ALL_NODES_TF, "all.tf")
    assert errors == []
    kinds = {type(a.expr).__name__ for a in body.blocks[0].body.attributes}
    assert kinds == {"ForExpr", "Conditional", "Splat", "GetAttr", "Call", "Template", "BinaryOp"}
    assert decode(encode((body, errors), "all.tf"), "all.tf") == (body, [])


# --------------------------------------------------------------------------- concurrency


def _hammer(directory: str, files: list[str], rounds: int, failures, counts) -> None:
    """One scan process: get, and on a miss parse and put, over and over."""
    expected_of = {name: parse_text(Path(name).read_text(encoding="utf-8"), Path(name).name) for name in files}
    for _ in range(rounds):
        cache = ParseCache.open(Path(directory))
        for name, expected in expected_of.items():
            path = Path(name)
            got = cache.get(path, path.name)
            if got is None:
                cache.put(path, expected)
            elif got != expected:
                failures.put(f"{path.name}: a hit returned another tree")
        counts.put((cache.hits, cache.misses))


def test_concurrent_runs_only_ever_read_whole_entries(tmp_path):
    """Two processes read and rewrite the same entries at once: every hit is exact, no temp file is left."""
    files = []
    for i in range(6):
        files.append(str(write(tmp_path, f"f{i}.tf", MAIN_TF.replace("payroll", f"bucket{i}") * (i + 1))))
    directory = tmp_path / "cache"
    context = multiprocessing.get_context("fork")
    failures, counts = context.Queue(), context.Queue()
    workers = [context.Process(target=_hammer, args=(str(directory), files, 100, failures, counts)) for _ in range(2)]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 30
    while any(w.is_alive() for w in workers) and time.monotonic() < deadline:
        for entry in (directory / parsecache.SUBDIR).glob("??/*"):
            if not entry.name.startswith(parsecache.TEMP_PREFIX):
                try:
                    entry.unlink()  # force misses, so writes race with reads
                except FileNotFoundError:
                    pass
        time.sleep(0.002)
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    problems = []
    while not failures.empty():
        problems.append(failures.get())
    assert problems == []
    hits = misses = 0
    while not counts.empty():
        h, m = counts.get()
        hits, misses = hits + h, misses + m
    assert hits > 100 and misses > 100  # reads really raced with deletions and rewrites
    assert list((directory / parsecache.SUBDIR).glob(f"??/{parsecache.TEMP_PREFIX}*")) == []


# --------------------------------------------------------------------------- size bound


def fill(tmp_path, cache, count: int) -> list[Path]:
    made = []
    for i in range(count):
        path = write(tmp_path, f"f{i}.tf", MAIN_TF.replace("payroll", f"bucket{i}"))
        parse_and_store(cache, path, path.name)
        made.append(path)
    return made


def test_eviction_deletes_the_oldest_entries_first(tmp_path, cache):
    paths = fill(tmp_path, cache, 10)
    now = time.time()
    by_age = []
    for age, path in enumerate(paths):  # f0 is the newest, f9 the oldest
        key = cache.key(path.read_bytes(), path.name)
        entry = cache._entry(key)
        os.utime(entry, (now - age * 100, now - age * 100))
        by_age.append(entry)
    size = by_age[0].stat().st_size
    cache.max_bytes = size * 5

    cache.sweep()

    kept = [entry.exists() for entry in by_age]
    assert kept == [True] * 4 + [False] * 6  # down to 80 % of five entries
    assert cache.get(paths[0], paths[0].name) is not None
    assert cache.get(paths[9], paths[9].name) is None


def test_a_hit_marks_an_old_entry_as_used(tmp_path, cache):
    [path] = fill(tmp_path, cache, 1)
    [entry] = entries(cache)
    long_ago = time.time() - 10 * 24 * 3600
    os.utime(entry, (long_ago, long_ago))
    assert cache.get(path, path.name) is not None
    assert entry.stat().st_mtime > long_ago + 9 * 24 * 3600


def test_sweep_removes_stale_temp_files_only(tmp_path, cache):
    fill(tmp_path, cache, 1)
    shard = entries(cache)[0].parent
    stale = shard / f"{parsecache.TEMP_PREFIX}stale"
    live = shard / f"{parsecache.TEMP_PREFIX}live"
    stale.write_bytes(b"x")
    live.write_bytes(b"x")
    old = time.time() - 2 * parsecache.STALE_TEMP_SECONDS
    os.utime(stale, (old, old))
    cache.sweep()
    assert not stale.exists()
    assert live.exists()  # another run may be writing it now
    assert len(entries(cache)) == 1


def test_writes_trigger_a_sweep_when_the_cache_is_over_its_bound(tmp_path):
    cache = ParseCache.open(tmp_path / "cache", max_bytes=1)  # every entry is over the bound
    fill(tmp_path, cache, 3)
    assert len(entries(cache)) <= 1


def test_open_returns_none_when_the_folder_cannot_be_made(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    assert ParseCache.open(blocker) is None


def test_a_failed_write_stops_writing_for_the_run(tmp_path, cache):
    """A full disk or a read-only cache slows nothing down: the run stops trying."""
    path = write(tmp_path, "main.tf", MAIN_TF)
    assert cache.get(path, "main.tf") is None
    key = cache.key(path.read_bytes(), "main.tf")
    cache._entry(key).parent.write_text("a file where the shard folder should be", encoding="utf-8")
    cache.put(path, parse_text(MAIN_TF, "main.tf"))
    assert cache._writable is False
    other = write(tmp_path, "other.tf", MAIN_TF.replace("payroll", "other"))
    assert cache.get(other, "other.tf") is None
    cache.put(other, parse_text(other.read_text(encoding="utf-8"), "other.tf"))
    assert entries(cache) == []


# --------------------------------------------------------------------------- through the command line


def run_scan(*args: str):
    from scanner.cli.app import cli

    return CliRunner().invoke(cli, ["scan", *args], catch_exceptions=False)


@pytest.fixture
def cache_enabled(monkeypatch):
    """An in-process --no-cache elsewhere in the session turns caching off for the process (scanner.support.cache.disable)."""
    monkeypatch.setattr("scanner.support.cache._disabled", False)


def test_a_warm_scan_parses_nothing_and_reports_the_same(tmp_path, monkeypatch, cache_enabled):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("SOVSCAN_CACHE_DIR", str(tmp_path / "user-cache"))
    cold = run_scan("fixtures/demo", "--format", "json")
    cache = ParseCache.open(tmp_path / "user-cache")
    for source in sorted((ROOT / "fixtures/demo").glob("*.tf")):
        assert cache._entry(cache.key(source.read_bytes(), source.name)).is_file(), f"{source.name} was not cached"

    def no_parsing(*args, **kwargs):
        raise AssertionError("a warm scan parsed a .tf file")

    for module in ("module.project", "syntax.parallel"):  # Project.parse_file, and the pre-parse when it is wired in
        monkeypatch.setattr(f"scanner.sources.terraform.{module}.parse_text", no_parsing, raising=False)
    warm = run_scan("fixtures/demo", "--format", "json")
    assert warm.exit_code == cold.exit_code == 1
    assert json.loads(warm.stdout) == json.loads(cold.stdout)


def test_no_cache_reads_and_writes_nothing(tmp_path, monkeypatch, cache_enabled):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("SOVSCAN_CACHE_DIR", str(tmp_path / "user-cache"))
    result = run_scan("fixtures/demo", "--no-cache", "--format", "json")
    assert result.exit_code == 1
    assert not (tmp_path / "user-cache" / parsecache.SUBDIR).exists()
