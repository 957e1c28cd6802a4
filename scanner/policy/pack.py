"""Policy packs: which requirements apply to which level of data, and why.

A pack is YAML in ``policies/packs/``. Each rule names a rule kind (a module
in ``scanner/rules``), the levels it applies to, its severity and options,
and carries its own documentation: what it checks, why, its legal
references, a passing and a failing example.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from scanner.model import Severity
from scanner.policy.paths import display_path, policies_dir
from scanner.policy.schema import INVALID, Field, ListOf, MapOf, Obj, Problems, Str, Where
from scanner.policy.vocabulary import Vocabulary
from scanner.yamlload import YamlError, load_yaml_file

SEVERITIES = ("info", "low", "medium", "high", "critical")


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    levels: frozenset[str]
    severity: Severity
    options: Mapping[str, Any]
    on_unknown: str | None
    references: tuple[str, ...]  # full texts
    sources: tuple[str, ...]
    summary: str
    why: str
    example_pass: str
    example_fail: str
    enabled: bool = True


@dataclass(frozen=True)
class Pack:
    id: str
    version: str
    title: str
    description: str
    rules: tuple[Rule, ...]
    file: str

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


_RULE = Obj(
    {
        "id": Field(Str(pattern=r"[a-z][a-z0-9-]*", expected="a kebab-case rule id"), required=True),
        "kind": Field(Str(), required=True),
        "levels": Field(ListOf(Str()), default=list),
        "severity": Field(Str(SEVERITIES), required=True),
        "options": Field(MapOf(Str()), default=dict),
        "on_unknown": Field(Str()),
        "references": Field(ListOf(Str()), default=list),
        "sources": Field(ListOf(Str()), default=list),
        "summary": Field(Str(), required=True),
        "why": Field(Str(), required=True),
        "example_pass": Field(Str(), required=True),
        "example_fail": Field(Str(), required=True),
    },
    what="rule",
)

_PACK = Obj(
    {
        "id": Field(Str(pattern=r"[a-z][a-z0-9-]*"), required=True),
        "version": Field(Str(), required=True),
        "title": Field(Str(), required=True),
        "description": Field(Str(), required=True),
        "references": Field(MapOf(Str()), default=dict),
        "rules": Field(ListOf(_RULE, unique_key=lambda r: r["id"], what="rule id"), required=True),
    },
    what="pack",
)


def available_packs() -> list[str]:
    return sorted(p.stem for p in (policies_dir() / "packs").glob("*.yml"))


def pack_path(name: str) -> Path | None:
    path = policies_dir() / "packs" / f"{name}.yml"
    return path if path.is_file() else None


def load_pack(path: Path, vocabulary: Vocabulary) -> tuple[Pack | None, list[tuple[str, int | None, str]]]:
    """Load and check a pack; rules with problems are dropped and reported."""
    from scanner.rules import KINDS  # the registry of rule kinds

    display = display_path(path)
    problems = Problems(file=display)
    try:
        raw = load_yaml_file(path, display)
    except YamlError as exc:
        return None, [(exc.file, exc.line, exc.message)]
    checked = _PACK.check(raw, Where("", 1), problems)
    if checked is INVALID:
        return None, problems.items
    level_ids = {level.id for level in vocabulary.levels}
    raw_rules = raw.get("rules", []) if isinstance(raw, dict) else []
    references = checked["references"]
    rules: list[Rule] = []
    for index, item in enumerate(checked["rules"]):
        line = raw_rules.line_of(index) if hasattr(raw_rules, "line_of") else None
        rule = _rule(item, line, KINDS, level_ids, references, problems)
        if rule is not None:
            rules.append(rule)
    ids = {r.id: r for r in rules}
    for index, rule in enumerate(rules):
        if rule.on_unknown and (rule.on_unknown not in ids or ids[rule.on_unknown].kind != "unverified"):
            problems.add(None, f"rule '{rule.id}': on_unknown names '{rule.on_unknown}', which is not a rule of kind 'unverified' in this pack")
    pack = Pack(checked["id"], checked["version"], checked["title"], checked["description"], tuple(rules), display)
    return pack, problems.items


def _rule(item: dict, line: int | None, kinds: dict, level_ids: set[str], references: dict, problems: Problems) -> Rule | None:
    rule_id = item["id"]
    kind = kinds.get(item["kind"])
    if kind is None:
        problems.add(line, f"rule '{rule_id}': unknown kind '{item['kind']}'; expected one of: {', '.join(sorted(kinds))}")
        return None
    unknown_levels = [l for l in item["levels"] if l not in level_ids]
    if unknown_levels:
        problems.add(line, f"rule '{rule_id}': unknown level(s) {', '.join(unknown_levels)}; expected levels of policies/vocabulary.yml: {', '.join(sorted(level_ids))}")
        return None
    options = kind.OPTIONS.check(item["options"], Where(f"rules[{rule_id}].options", line), problems)
    if options is INVALID:
        return None
    options = {k: v for k, v in options.items() if k != "_line"}
    missing_refs = [r for r in item["references"] if r not in references]
    if missing_refs:
        problems.add(line, f"rule '{rule_id}': reference(s) {', '.join(missing_refs)} are not defined in the pack's references")
        return None
    return Rule(
        id=rule_id,
        kind=item["kind"],
        levels=frozenset(item["levels"]),
        severity=Severity.parse(item["severity"]),
        options=options,
        on_unknown=item["on_unknown"],
        references=tuple(references[r] for r in item["references"]),
        sources=tuple(item["sources"]),
        summary=item["summary"],
        why=" ".join(item["why"].split()),
        example_pass=item["example_pass"],
        example_fail=item["example_fail"],
    )
