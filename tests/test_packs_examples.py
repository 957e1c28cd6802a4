"""Every rule's documented examples are real: its example_pass does not raise the rule and its
example_fail does, when scanned by the real pipeline with the rule's pack.

Each example is written to its own folder as main.tf, with a versions.tf naming the providers it
uses (so it is valid Terraform on its own) and, when it starts with "# .sovscan.yml:", the
configuration written in its leading comment lines.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from scanner.evaluate.rules import RULE_OPTIONS
from scanner.policy.pack import available_packs, load_pack, pack_path
from scanner.policy.vocabulary import load_vocabulary
from scanner.sources.terraform.extract.spec import load_terraform_spec
from tests.support import scan_document

CONFIG_HEADER = "# .sovscan.yml:"


def _rules() -> list:
    vocabulary = load_vocabulary()
    cases = []
    for name in available_packs():
        pack, _ = load_pack(pack_path(name), vocabulary, kinds=RULE_OPTIONS)
        cases += [pytest.param(name, rule, id=f"{name}:{rule.id}") for rule in pack.rules]
    return cases


def split_example(text: str) -> tuple[str | None, str]:
    """(the .sovscan.yml its leading comment holds, or None; the Terraform) of an example."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != CONFIG_HEADER:
        return None, text
    config = []
    for line in lines[1:]:
        if not line.startswith("#"):
            break
        config.append(line[1:])
    return textwrap.dedent("\n".join(config)) + "\n", text


def write_example(folder: Path, text: str) -> Path | None:
    config, terraform = split_example(text)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "main.tf").write_text(terraform, encoding="utf-8")
    spec = load_terraform_spec()
    used = sorted(set(re.findall(r'^provider "([a-z0-9-]+)"', terraform, re.M)) | {t.split("_")[0] for t in re.findall(r'^resource "([a-z0-9_]+)"', terraform, re.M)})
    required = "\n".join(f'    {name} = {{ source = "{spec.providers[name].sources[0]}" }}' for name in used)
    (folder / "versions.tf").write_text(f"terraform {{\n  required_providers {{\n{required}\n  }}\n}}\n", encoding="utf-8")
    if config is None:
        return None
    path = folder / ".sovscan.yml"
    path.write_text(config, encoding="utf-8")
    return path


def resources_of(text: str) -> list[tuple[str, int]]:
    return [(f"{m.group(1)}.{m.group(2)}", n) for n, line in enumerate(text.splitlines(), 1) if (m := re.match(r'resource "(\S+)" "(\S+)"', line))]


def _scan(tmp_path: Path, pack: str, text: str) -> dict:
    config = write_example(tmp_path, text)
    doc = scan_document(tmp_path, pack=pack, config=config)
    assert doc["policy"]["pack"] == pack
    assert doc["errors"] == [], f"the example is not valid on its own: {doc['errors']}"
    return doc


def _raised(doc: dict, rule_id: str) -> list[tuple[str, str, int]]:
    return sorted((f["rule"], f["address"], f["origin"]["line"]) for f in doc["findings"] if f["rule"] == rule_id)


def _left_unverified(doc: dict, rule_id: str) -> list[str]:
    return [f["address"] for f in doc["findings"] for item in f["evidence"].get("unverified", []) if item["rule"] == rule_id]


@pytest.mark.parametrize(("pack", "rule"), _rules())
def test_example_pass_passes(tmp_path, pack, rule):
    doc = _scan(tmp_path, pack, rule.example_pass)
    assert _raised(doc, rule.id) == []
    assert _left_unverified(doc, rule.id) == [], "the passing example must pass, not be unverifiable"


@pytest.mark.parametrize(("pack", "rule"), _rules())
def test_example_fail_fails(tmp_path, pack, rule):
    doc = _scan(tmp_path, pack, rule.example_fail)
    _, terraform = split_example(rule.example_fail)
    expected = sorted((rule.id, address, line) for address, line in resources_of(terraform))
    assert expected, "a failing example needs a resource"
    assert _raised(doc, rule.id) == expected
