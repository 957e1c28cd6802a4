"""The scan pipeline, stage by stage: load policy → collect → classify → locate → evaluate.

Every entry point (scan, report, inventory) goes through ``load_policy`` so
policies are validated the same way everywhere.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping

from scanner import __version__
from scanner.classify import classify
from scanner.evaluate import judge
from scanner.locate import locate
from scanner.model import Assessment, Finding, Report, Resource, ScanError, Severity
from scanner.policy.catalog import Catalog, load_catalog
from scanner.policy.config import Config, find_config, load_config
from scanner.policy.pack import Pack, available_packs, load_pack, pack_path
from scanner.policy.vocabulary import Vocabulary, load_vocabulary
from scanner.rules.base import RuleContext

DEFAULT_PACK = "fr-state"


class PolicyError(Exception):
    """The policy cannot be loaded at all: the scan cannot run (exit code 2)."""


@dataclass
class Policy:
    catalog: Catalog
    vocabulary: Vocabulary
    pack: Pack
    config: Config
    context: RuleContext
    errors: list[ScanError] = field(default_factory=list)


def today() -> str:
    return os.environ.get("SOVSCAN_TODAY") or _dt.date.today().isoformat()


def load_policy(config_path: Path | None, pack_name: str | None = None, as_of: str | None = None, search_from: Path | None = None) -> Policy:
    """The catalog, vocabulary, pack and user configuration, validated."""
    errors: list[ScanError] = []
    if config_path is None and search_from is not None:
        config_path = find_config(search_from)
    config, problems = load_config(config_path, _display(config_path) if config_path else None)
    errors += [ScanError(f, l, m) for f, l, m in problems]

    vocabulary = load_vocabulary()
    vocabulary = vocabulary.extended(config.classification_keys, config.workload_keys, {})
    level_ids = {level.id for level in vocabulary.levels}
    values = {}
    for value, level in config.values.items():
        if level in level_ids:
            values[value] = level
        else:
            errors.append(ScanError(config.file, None, f"vocabulary.values: '{value}' maps to unknown level '{level}'; expected one of: {', '.join(sorted(level_ids))}"))
    vocabulary = vocabulary.extended([], [], values)
    if config.untagged_level and config.untagged_level not in level_ids:
        errors.append(ScanError(config.file, None, f"untagged_level '{config.untagged_level}' is not a level; expected one of: {', '.join(sorted(level_ids))}"))
        config.untagged_level = None

    name = pack_name or config.pack or DEFAULT_PACK
    path = pack_path(name)
    if path is None:
        raise PolicyError(f"unknown policy pack '{name}'; available: {', '.join(available_packs())}")
    pack, pack_problems = load_pack(path, vocabulary)
    if pack is None:
        raise PolicyError("; ".join(f"{f}:{l}: {m}" if l else f"{f}: {m}" for f, l, m in pack_problems))
    errors += [ScanError(f, l, m) for f, l, m in pack_problems]
    pack = _apply_rule_settings(pack, config, errors)

    catalog = load_catalog()
    errors += [ScanError(f, l, m) for f, l, m in catalog.errors]
    context = RuleContext(as_of=as_of or today(), attestations=tuple(config.attestations))
    return Policy(catalog, vocabulary, pack, config, context, errors)


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _apply_rule_settings(pack: Pack, config: Config, errors: list[ScanError]) -> Pack:
    known = {r.id for r in pack.rules}
    for rule_id in config.rules:
        if rule_id not in known:
            errors.append(ScanError(config.file, config.rule_lines.get(rule_id), f"rules: unknown rule id '{rule_id}' in pack {pack.id}; see `sovscan rules`"))
    rules = []
    for rule in pack.rules:
        setting = config.rules.get(rule.id)
        if setting is not None:
            rule = replace(rule, enabled=setting.enabled, severity=Severity.parse(setting.severity) if setting.severity else rule.severity)
        rules.append(rule)
    return replace(pack, rules=tuple(rules))


def assess(resources: list[Resource], policy: Policy) -> list[Assessment]:
    classifications = classify(resources, policy.vocabulary, policy.config.untagged_level)
    as_of = policy.context.as_of
    assessments = []
    for resource, classification in zip(resources, classifications):
        resource = _with_offer_hint(resource, classification.workload, policy.config)
        hosting = locate(resource, policy.catalog, as_of)
        copies = tuple((copy, locate(_copy_resource(resource, copy), policy.catalog, as_of)) for copy in resource.copies)
        assessments.append(Assessment(resource, classification, hosting, copies))
    return assessments


def _with_offer_hint(resource: Resource, workload: str | None, config: Config) -> Resource:
    """Mark resources the user says run on a named offer (an OVHcloud SecNumCloud private cloud)."""
    for assignment in config.offers:
        by_address = assignment.address and fnmatch.fnmatchcase(resource.address, assignment.address)
        by_workload = assignment.workload and assignment.workload == workload
        if by_address or by_workload:
            return replace(resource, hints={**resource.hints, "offer": assignment.offer})
    return resource


def _copy_resource(resource: Resource, copy) -> Resource:
    return replace(resource, provider=copy.provider, region=copy.region, hints=dict(copy.hints), copies=())


def build_report(inputs: list[str], resources: list[Resource], errors: list[ScanError], policy: Policy) -> Report:
    assessments = assess(resources, policy)
    findings = judge(assessments, policy.pack, policy.context)
    return Report(
        tool_version=__version__,
        pack=policy.pack.id,
        pack_version=policy.pack.version,
        inputs=tuple(inputs),
        assessments=tuple(sorted(assessments, key=lambda a: (a.resource.origin.file or "", a.resource.origin.line or 0, a.resource.address))),
        findings=tuple(findings),
        errors=tuple(policy.errors + errors),
        rules={r.id: r for r in policy.pack.rules},
    )


def exit_code(findings: tuple[Finding, ...] | list[Finding], fail_on: Severity) -> int:
    return 1 if any(not f.suppressed and f.severity >= fail_on for f in findings) else 0
