"""The compiled HCL parser kept in sovscan's cache: found wherever the folder is, rebuilt when damaged, same trees as a fresh compile."""

from __future__ import annotations

import shutil

import lark
import pytest

from scanner.sources.terraform.syntax import hcl

SOURCE = 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n  tags = merge(local.tags,\n    { a = 1 })\n  n = (1\n    + 2)\n}\n'


@pytest.fixture
def compiled(tmp_path, monkeypatch):
    """A cache folder holding a freshly compiled parser."""
    folder = tmp_path / "first"
    monkeypatch.setenv("SOVSCAN_CACHE_DIR", str(folder))
    hcl._parser.__wrapped__()
    (saved,) = folder.glob("hcl2-grammar-*.lark")
    return saved


def no_compiling(monkeypatch):
    """From here on, compiling the grammar fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("the grammar was compiled again")

    monkeypatch.setattr(hcl, "Lark", type("NoCompile", (), {"__new__": refuse, "load": lark.Lark.load, "open": refuse}))


def test_a_cache_folder_restored_elsewhere_still_has_the_parser(compiled, tmp_path, monkeypatch):
    """CI caches come back in another build folder: the file name hashes the grammar, not the path."""
    moved = tmp_path / "elsewhere"
    shutil.copytree(compiled.parent, moved)
    monkeypatch.setenv("SOVSCAN_CACHE_DIR", str(moved))
    no_compiling(monkeypatch)
    assert hcl._parser.__wrapped__().parse(SOURCE) == hcl._parser().parse(SOURCE)


@pytest.mark.parametrize("damage", ["truncated", "not a pickle"])
def test_a_damaged_parser_file_is_compiled_again(compiled, damage):
    data = compiled.read_bytes()
    compiled.write_bytes(data[: len(data) // 2] if damage == "truncated" else b"hello")
    parser = hcl._parser.__wrapped__()
    assert parser.parse(SOURCE) == hcl._parser().parse(SOURCE)
    with compiled.open("rb") as handle:  # written again, whole
        assert lark.Lark.load(handle).parse(SOURCE) == parser.parse(SOURCE)


def test_the_file_name_changes_with_the_grammar():
    assert hcl.grammar_file(b"a") != hcl.grammar_file(b"b")


def test_lines_come_from_tokens_without_position_propagation():
    """Each block and attribute keeps its first token's line (the parser keeps no positions on nodes)."""
    body = hcl.parse_body("\n\n" + SOURCE)
    block = body.blocks[0]
    assert block.line == 3
    assert [(a.name, a.line) for a in block.body.attributes] == [("bucket", 4), ("tags", 5), ("n", 7)]
