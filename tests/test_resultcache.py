"""sovscan's cache of computed results (validated catalog, vocabulary, pack, Terraform spec): a hit only for the same inputs, never a wrong or unsafe value."""

from __future__ import annotations

import hashlib
import pickle
import shutil
from pathlib import Path

import pytest

from scanner.evaluate.rules import RULE_OPTIONS
from scanner.policy.pack import load_pack
from scanner.policy.paths import policies_dir
from scanner.policy.vocabulary import load_vocabulary
from scanner.support import cache, resultcache


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SOVSCAN_CACHE_DIR", str(folder))
    return folder


class Builds:
    """A build function that counts its calls."""

    def __init__(self, value):
        self.value = value
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return self.value


def test_a_value_is_built_once_then_read_back(cache_dir, tmp_path):
    source = tmp_path / "data.yml"
    source.write_text("a: 1\n")
    build = Builds({"a": 1})
    assert resultcache.cached("test", [source], build, lambda v: isinstance(v, dict)) == {"a": 1}
    assert resultcache.cached("test", [source], build, lambda v: isinstance(v, dict)) == {"a": 1}
    assert build.calls == 1


@pytest.mark.parametrize("change", ["input bytes", "extra key"])
def test_a_changed_input_is_built_again(cache_dir, tmp_path, change):
    source = tmp_path / "data.yml"
    source.write_text("a: 1\n")
    build = Builds({"a": 1})
    resultcache.cached("test", [source], build, lambda v: True, extra="x")
    if change == "input bytes":
        source.write_text("a: 2\n")
    extra = "y" if change == "extra key" else "x"
    resultcache.cached("test", [source], build, lambda v: True, extra=extra)
    assert build.calls == 2


def test_a_damaged_entry_is_a_miss(cache_dir, tmp_path):
    source = tmp_path / "data.yml"
    source.write_text("a: 1\n")
    build = Builds({"a": 1})
    resultcache.cached("test", [source], build, lambda v: True)
    (entry,) = cache_dir.glob("test-*.pickle")
    entry.write_bytes(entry.read_bytes()[:-3])
    assert resultcache.cached("test", [source], build, lambda v: True) == {"a": 1}
    assert build.calls == 2


def test_an_entry_naming_a_foreign_callable_is_refused_even_with_a_valid_checksum(cache_dir, tmp_path):
    """Unpickling may only build sovscan's own classes: a planted entry cannot run code."""

    class Planted:
        def __reduce__(self):
            return (shutil.rmtree, (str(tmp_path / "victim"),))

    (tmp_path / "victim").mkdir()
    key = resultcache.fingerprint([])
    payload = pickle.dumps(Planted())
    cache_dir.mkdir(exist_ok=True)
    (cache_dir / f"test-{key}.pickle").write_bytes(hashlib.blake2b(payload, digest_size=32).digest() + payload)
    assert resultcache.load("test", key) is None
    assert (tmp_path / "victim").is_dir()


def test_no_cache_builds_every_time_and_writes_nothing(cache_dir, tmp_path):
    source = tmp_path / "data.yml"
    source.write_text("a: 1\n")
    build = Builds({"a": 1})
    with cache.disabled():
        resultcache.cached("test", [source], build, lambda v: True)
        resultcache.cached("test", [source], build, lambda v: True)
    assert build.calls == 2
    assert not list(cache_dir.glob("test-*"))


def test_prune_keeps_the_most_recent_entries(cache_dir):
    for number in range(5):
        resultcache.store("test", f"k{number}", number)
    resultcache.touch("test", "k0")  # used last
    resultcache.prune("test", 2)
    assert sorted(p.name for p in cache_dir.glob("test-*.pickle")) == ["test-k0.pickle", "test-k4.pickle"]


def test_an_edited_pack_is_read_again(cache_dir, tmp_path):
    pack_file = tmp_path / "fr-state.yml"
    shutil.copy(policies_dir() / "packs" / "fr-state.yml", pack_file)
    vocabulary = load_vocabulary()
    before, _ = load_pack(pack_file, vocabulary, kinds=RULE_OPTIONS)
    pack_file.write_text(pack_file.read_text().replace("severity: high", "severity: critical", 1))
    after, _ = load_pack(pack_file, vocabulary, kinds=RULE_OPTIONS)
    assert [r.severity.name for r in before.rules] != [r.severity.name for r in after.rules]
    assert len(list(cache_dir.glob("pack-*.pickle"))) == 2


def test_an_edited_vocabulary_is_read_again(cache_dir, tmp_path):
    path = tmp_path / "vocabulary.yml"
    shutil.copy(policies_dir() / "vocabulary.yml", path)
    assert "tenant" not in load_vocabulary(path).workload_keys
    path.write_text(path.read_text().replace("workload_keys: [workload,", "workload_keys: [tenant, workload,", 1))
    assert "tenant" in load_vocabulary(path).workload_keys
