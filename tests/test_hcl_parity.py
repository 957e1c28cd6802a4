"""sovscan's HCL parser against python-hcl2's own API, on every Terraform fixture.

sovscan builds its parser from python-hcl2's grammar and post-lexer (private
files, held by the ``<9`` pin) without lark's position propagation, for speed
(``scanner/sources/terraform/syntax/hcl.py``). This test makes an upgrade of
python-hcl2 that changes the grammar fail loudly: wherever ``hcl2.loads``
parses a file, both parsers must see the same blocks, labels and attribute
names, at every depth.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hcl2
import pytest

from scanner.sources.terraform.syntax import ast
from scanner.sources.terraform.syntax.hcl import parse_body

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(p for p in (ROOT / "fixtures").rglob("*.tf") if "hostile" not in p.parts)


def _unquote(label: str) -> str:
    return label[1:-1] if len(label) >= 2 and label[0] == label[-1] == '"' else label


def _from_hcl2(body: dict[str, Any]) -> tuple:
    """(attribute names, blocks) of python-hcl2's dict form: a block is a list of dicts marked __is_block__."""
    attributes, blocks = [], []
    for key, value in body.items():
        if key.startswith("__"):
            continue
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value) and _is_block_list(value):
            for item in value:
                blocks.extend(_labelled(key, (), item))
        else:
            attributes.append(key)
    return tuple(sorted(attributes)), tuple(sorted(blocks))


def _is_block_list(items: list[dict]) -> bool:
    def marked(item: dict) -> bool:
        return item.get("__is_block__") is True or any(isinstance(v, dict) and marked(v) for k, v in item.items() if k.startswith('"'))

    return all(marked(item) for item in items)


def _labelled(kind: str, labels: tuple[str, ...], item: dict) -> list[tuple]:
    if item.get("__is_block__") is True:
        return [(kind, labels, _from_hcl2(item))]
    found = []
    for label, inner in item.items():
        if isinstance(inner, dict):
            found.extend(_labelled(kind, (*labels, _unquote(label)), inner))
    return found


def _from_sovscan(body: ast.Body) -> tuple:
    attributes = tuple(sorted(a.name for a in body.attributes))
    blocks = tuple(sorted((b.type, b.labels, _from_sovscan(b.body)) for b in body.blocks))
    return attributes, blocks


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_both_parsers_see_the_same_structure(path: Path):
    text = path.read_text(encoding="utf-8")
    try:
        reference = hcl2.loads(text)
    except Exception:  # noqa: BLE001 - a file python-hcl2 rejects has no reference to compare with
        pytest.skip("python-hcl2 rejects this file")
    assert _from_sovscan(parse_body(text)) == _from_hcl2(reference)


def test_the_fixtures_cover_blocks_at_several_depths():
    """The comparison above means something only if the fixtures nest blocks (dynamic, lifecycle, provider endpoints)."""
    depths = set()

    def walk(body: ast.Body, depth: int) -> None:
        for block in body.blocks:
            depths.add(depth)
            walk(block.body, depth + 1)

    for path in FILES:
        walk(parse_body(path.read_text(encoding="utf-8")), 0)
    assert {0, 1, 2} <= depths
