"""Policy packs: which requirements apply to which level of data, and why.

A pack is YAML in ``policies/packs/``. Each rule names a rule kind (a module
in ``scanner/rules``), the levels it applies to, its severity and options,
and carries its own documentation: what it checks, why, its legal
references, a passing and a failing example. Everything is checked at load:
a problem is one sentence naming file, line, key and what was expected, and
the rule that carries it is dropped so the rest of the pack still works.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.model import Rule, Severity
from scanner.policy.paths import display_path, policies_dir
from scanner.policy.vocabulary import Vocabulary
from scanner.support.schema import INVALID, AnyMapping, Field, ListOf, MapOf, Obj, Problems, Str, Where
from scanner.support.yamlload import LineDict, YamlError, load_yaml_file

SEVERITIES = ("info", "low", "medium", "high", "critical")
SOURCE_ID = r"S\d{2,3}|U\d{2,3}"


@dataclass(frozen=True)
class Pack:
    id: str
    version: str
    title: str
    description: str
    rules: tuple[Rule, ...]
    file: str
    references: Mapping[str, str] = field(default_factory=dict)  # short id -> full text

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


_RULE = Obj(
    {
        "id": Field(Str(pattern=r"[a-z][a-z0-9-]*", expected="a kebab-case rule id"), required=True),
        "kind": Field(Str(), required=True),
        "levels": Field(ListOf(Str()), default=list),
        "severity": Field(Str(SEVERITIES), required=True),
        "options": Field(AnyMapping(), default=dict),  # checked against the kind's OPTIONS
        "on_unknown": Field(Str()),
        "references": Field(ListOf(Str()), default=list),
        "sources": Field(ListOf(Str(pattern=SOURCE_ID, expected="a source id such as S12 (see policies/catalog/sources.yml)")), default=list),
        "summary": Field(Str(), required=True),
        "why": Field(Str(), required=True),
        "example_pass": Field(Str(), required=True),
        "example_fail": Field(Str(), required=True),
    },
    what="rule",
)

_PACK = Obj(
    {
        "id": Field(Str(pattern=r"[a-z][a-z0-9-]*", expected="a kebab-case pack id"), required=True),
        "version": Field(Str(pattern=r"\d{4}\.\d{1,2}(\.\d+)?", expected="a version written YYYY.MM such as 2026.11"), required=True),
        "title": Field(Str(), required=True),
        "description": Field(Str(), required=True),
        "references": Field(MapOf(Str()), default=dict),
        "rules": Field(ListOf(AnyMapping()), required=True),  # each rule is checked on its own by load_pack
    },
    what="pack",
)


def available_packs() -> list[str]:
    return sorted(p.stem for p in (policies_dir() / "packs").glob("*.yml"))


def pack_path(name: str) -> Path | None:
    if name not in available_packs():
        return None
    return policies_dir() / "packs" / f"{name}.yml"


def _support_code(package: Path) -> list[Path]:
    """The generic code every validated policy file depends on (the YAML reader and the schema checker)."""
    support = package / "support"
    return [support / "schema.py", *sorted(support.glob("yaml*.py"))]


def load_pack(
    path: Path, vocabulary: Vocabulary, source_ids: Collection[str] | None = None, *, kinds: Mapping[str, Obj]
) -> tuple[Pack | None, list[tuple[str, int | None, str]]]:
    """Load and check a pack; rules with problems are dropped and reported.

    ``source_ids`` are the catalog's sources (policies/catalog/sources.yml):
    when given, a rule citing another id is a problem. ``kinds`` maps each
    rule kind to the schema of its options (``scanner.evaluate.rules.RULE_OPTIONS``). The result is read
    back from sovscan's cache (``resultcache``) while the pack, the
    vocabulary, the source ids and the code that checks them are unchanged.
    """
    from scanner.support import resultcache

    package = Path(__file__).parent.parent
    rules = package / "evaluate" / "rules"
    inputs = [path, Path(__file__), *_support_code(package), *package.joinpath("model").glob("*.py"), *sorted(rules.glob("*.py"))]
    words = (vocabulary.levels, sorted(vocabulary.synonyms.items()), sorted(vocabulary.classification_keys), vocabulary.workload_keys)
    extra = repr((str(path), words, sorted(source_ids) if source_ids is not None else None, sorted(kinds)))  # sorted: a set's order varies by run
    return resultcache.cached(
        "pack", inputs, lambda: _read_pack(path, vocabulary, source_ids, kinds), lambda v: isinstance(v, tuple) and len(v) == 2, extra=extra
    )


def _read_pack(
    path: Path, vocabulary: Vocabulary, source_ids: Collection[str] | None, kinds: Mapping[str, Obj]
) -> tuple[Pack | None, list[tuple[str, int | None, str]]]:
    display = display_path(path)
    problems = Problems(file=display)
    try:
        raw = load_yaml_file(path, display)
    except YamlError as exc:
        return None, [(exc.file, exc.line, exc.message)]
    checked = _PACK.check(raw, Where("", getattr(raw, "line", 1)), problems)
    if checked is INVALID:
        return None, problems.items
    if checked["id"] != path.stem:
        problems.add(raw.line_of("id"), f"key 'id' is '{checked['id']}'; expected '{path.stem}', the name of the pack's file")
    level_ids = {level.id for level in vocabulary.levels}
    raw_rules = raw["rules"]
    references = checked["references"]
    rules: list[Rule] = []
    seen: dict[str, int | None] = {}
    for index, item in enumerate(raw_rules):
        where = Where(f"rules[{index}]", raw_rules.line_of(index) if hasattr(raw_rules, "line_of") else None)
        checked_rule = _RULE.check(item, where, problems)
        if checked_rule is INVALID:
            continue
        if checked_rule["id"] in seen:
            problems.add(_line(item, "id", where.line), f"key '{where.path}.id' is '{checked_rule['id']}', already the id of the rule at line {seen[checked_rule['id']]}; expected each rule id once")
            continue
        seen[checked_rule["id"]] = where.line
        rule = _rule(checked_rule, item, where, kinds, level_ids, references, source_ids, problems)
        if rule is not None:
            rules.append(rule)
    _check_on_unknown(rules, raw_rules, problems)
    _check_unused_references(references, raw_rules, raw, problems)
    pack = Pack(checked["id"], checked["version"], checked["title"], checked["description"], tuple(rules), display, dict(references))
    return pack, problems.items


def _line(raw_rule: Any, key: str, default: int | None) -> int | None:
    return raw_rule.line_of(key) if hasattr(raw_rule, "line_of") and key in raw_rule else default


def _rule(item: dict, raw_rule: Any, where: Where, kinds: Mapping[str, Obj], level_ids: set[str], references: dict, source_ids: Collection[str] | None, problems: Problems) -> Rule | None:
    rule_id = item["id"]
    options_schema = kinds.get(item["kind"])
    if options_schema is None:
        problems.add(_line(raw_rule, "kind", where.line), f"key '{where.path}.kind' of rule '{rule_id}' is '{item['kind']}'; expected a rule kind, one of: {', '.join(sorted(kinds))}")
        return None
    unknown_levels = [level for level in item["levels"] if level not in level_ids]
    if unknown_levels:
        problems.add(
            _line(raw_rule, "levels", where.line),
            f"key '{where.path}.levels' of rule '{rule_id}' names unknown level(s) {', '.join(unknown_levels)}; expected levels of policies/vocabulary.yml: {', '.join(sorted(level_ids))}",
        )
        return None
    options = options_schema.check(item["options"], Where(f"{where.path}.options", _line(raw_rule, "options", where.line)), problems)
    if options is INVALID:
        return None
    options = {k: v for k, v in options.items() if k != "_line"}
    missing_refs = [r for r in item["references"] if r not in references]
    if missing_refs:
        problems.add(
            _line(raw_rule, "references", where.line),
            f"key '{where.path}.references' of rule '{rule_id}' names {', '.join(missing_refs)}, not defined in the pack's references; expected one of: {', '.join(references)}",
        )
        return None
    if source_ids is not None:
        missing_sources = [s for s in item["sources"] if s not in source_ids]
        if missing_sources:
            problems.add(
                _line(raw_rule, "sources", where.line),
                f"key '{where.path}.sources' of rule '{rule_id}' cites {', '.join(missing_sources)}; expected source ids defined in policies/catalog/sources.yml",
            )
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
        reference_ids=tuple(item["references"]),
        line=where.line,
    )


def _check_on_unknown(rules: list[Rule], raw_rules: list, problems: Problems) -> None:
    """``on_unknown`` must name a rule of kind ``unverified``, or unknowns would vanish."""
    by_id = {r.id: r for r in rules}
    for rule in rules:
        if rule.on_unknown is None:
            continue
        target = by_id.get(rule.on_unknown)
        if target is None or target.kind != "unverified":
            unverified = sorted(r.id for r in rules if r.kind == "unverified")
            index = next(i for i, item in enumerate(raw_rules) if isinstance(item, dict) and item.get("id") == rule.id)
            problems.add(
                _line(raw_rules[index], "on_unknown", rule.line),
                f"key 'rules[{index}].on_unknown' of rule '{rule.id}' names '{rule.on_unknown}'; "
                f"expected a rule of kind 'unverified' in this pack: {', '.join(unverified) or 'none'}",
            )


def _check_unused_references(references: dict, raw_rules: list, raw: Any, problems: Problems) -> None:
    """A reference no rule cites is usually a typo in a rule's list (rules with other problems count too)."""
    cited = {r for rule in raw_rules if isinstance(rule, dict) and isinstance(rule.get("references"), list) for r in rule["references"] if isinstance(r, str)}
    raw_refs = raw.get("references") if isinstance(raw, dict) else None
    for ref in references:
        if ref not in cited:
            line = raw_refs.line_of(ref) if isinstance(raw_refs, LineDict) else None
            problems.add(line, f"key 'references.{ref}' is cited by no rule; expected every reference to be used (remove it or cite it)")
