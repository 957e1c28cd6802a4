"""The scan pipeline: it wires the stages and does nothing else.

    policy (load_policy) → sources (the caller collects) → classify → locate → evaluate → Report

Reporters and exceptions (suppressions, baselines) run on the ``Report`` this
returns. Every entry point (scan, report, inventory, rules) loads its policy
through ``load_policy`` here, which hands the policy layer the rule kinds.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from scanner import __version__
from scanner.classify import classify
from scanner.evaluate import judge
from scanner.evaluate.drift import RULES as DRIFT_RULES
from scanner.evaluate.drift import compare as compare_with_inventory
from scanner.evaluate.rules import RULE_OPTIONS
from scanner.locate import locate
from scanner.model import Assessment, Finding, Report, Resource, ScanError, Severity
from scanner.model.evidence import sort_key
from scanner.policy import load as _policy_load
from scanner.policy.config import Config
from scanner.policy.load import DEFAULT_PACK, Policy, PolicyError, today
from scanner.sources.snapshot import read_snapshot
from scanner.support.patterns import name_matches

__all__ = ["DEFAULT_PACK", "Policy", "PolicyError", "against_inventory", "assess", "build_report", "exit_code", "load_policy", "today"]


def load_policy(config_path: Path | None, pack_name: str | None = None, as_of: str | None = None, search_from: Path | None = None) -> Policy:
    """The policy (catalog, vocabulary, pack, .sovscan.yml), validated against this version's rule kinds."""
    return _policy_load.load_policy(config_path, pack_name, as_of, search_from, kinds=RULE_OPTIONS)


class _Places:
    """``locate`` once per distinct placement: thousands of resources share a few hundred."""

    def __init__(self, policy: Policy):
        self.catalog = policy.catalog
        self.as_of = policy.context.as_of
        self._memo: dict[tuple, Any] = {}

    def locate(self, resource: Resource):
        # locate reads only these fields of a resource
        key = (resource.provider, resource.type, resource.region, tuple(sorted(resource.hints.items())), resource.origin.api is not None)
        hosting = self._memo.get(key)
        if hosting is None:
            hosting = self._memo[key] = locate(resource, self.catalog, self.as_of)
        return hosting


def assess(resources: list[Resource], policy: Policy) -> list[Assessment]:
    classifications = classify(resources, policy.vocabulary, policy.config.untagged_level)
    places = _Places(policy)
    assessments = []
    for resource, classification in zip(resources, classifications, strict=True):
        resource = _with_offer_hint(resource, classification.workload, policy.config)
        hosting = places.locate(resource)
        copies = tuple((copy, places.locate(_copy_resource(resource, copy))) for copy in resource.copies)
        assessments.append(Assessment(resource, classification, hosting, copies))
    return assessments


def _with_offer_hint(resource: Resource, workload: str | None, config: Config) -> Resource:
    """Mark resources the user says run on a named offer (an OVHcloud SecNumCloud private cloud)."""
    for assignment in config.offers:
        by_address = assignment.address and name_matches(resource.address, assignment.address)
        by_workload = assignment.workload and assignment.workload == workload
        if by_address or by_workload:
            return replace(resource, hints={**resource.hints, "offer": assignment.offer})
    return resource


def _copy_resource(resource: Resource, copy) -> Resource:
    return replace(resource, provider=copy.provider, region=copy.region, hints=dict(copy.hints), copies=())


def build_report(inputs: list[str], resources: list[Resource], errors: list[ScanError], policy: Policy, uncalled: list[str] | tuple[str, ...] = ()) -> Report:
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
        as_of=policy.context.as_of,
        uncalled_modules=tuple(sorted(set(uncalled))),
    )


def exit_code(findings: tuple[Finding, ...] | list[Finding], fail_on: Severity) -> int:
    return 1 if any(not f.suppressed and f.severity >= fail_on for f in findings) else 0


def against_inventory(report: Report, snapshot: Path, display: str, policy: Policy) -> Report:
    """``sovscan scan TERRAFORM --against SNAPSHOT``: the report plus both comparison rules' findings.

    The snapshot is judged with the same policy; its own problems join the
    report's errors. A rule of the same id in the pack (severity, enabled)
    wins over the built-in one.
    """
    read = read_snapshot(snapshot, display)
    rules = {rule_id: policy.pack.rule(rule_id) or rule for rule_id, rule in DRIFT_RULES.items()}
    extra = compare_with_inventory(list(report.assessments), assess(read.resources, policy), rules)
    errors = tuple(read.errors)
    if not read.scanned:
        errors += (ScanError(display, None, "--against: the inventory could not be read, so declared and deployed were not compared"),)
    return replace(
        report,
        inputs=report.inputs + (display,),
        findings=tuple(sorted((*report.findings, *extra), key=sort_key)),
        errors=report.errors + errors,
        rules={**report.rules, **{k: v for k, v in rules.items() if k not in report.rules}},
    )
