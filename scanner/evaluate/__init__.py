"""Evaluate: apply the active pack's rules to each assessment and gather findings with evidence.

A requirement that fails is a finding of its rule. A requirement that
cannot be checked (unknown region, unconfirmed qualification) is gathered,
per resource, into the rule its ``on_unknown`` names, so an unresolved
variable gives one clear finding rather than one per requirement.
"""

from __future__ import annotations

from typing import Any

from scanner.evaluate.rules import KINDS
from scanner.evaluate.rules.base import Outcome
from scanner.model import Assessment, Finding, Rule, RuleContext
from scanner.model.evidence import hosting_evidence, sensitivity_evidence, sort_key
from scanner.policy.pack import Pack


def judge(assessments: list[Assessment], pack: Pack, context: RuleContext) -> list[Finding]:
    findings: list[Finding] = []
    for assessment in assessments:
        shared = _Shared(assessment)
        unverified: dict[str, list[tuple[Rule, Outcome]]] = {}
        for rule in pack.rules:
            kind = KINDS[rule.kind]
            if not rule.enabled or kind.evaluate is None:
                continue
            failed: list[Outcome] = []
            for outcome in kind.evaluate(assessment, rule, context):
                if outcome.failed:
                    failed.append(outcome)
                elif rule.on_unknown:
                    unverified.setdefault(rule.on_unknown, []).append((rule, outcome))
            if failed:
                findings.append(_merged(shared, rule, failed))
        for rule_id, items in unverified.items():
            target = pack.rule(rule_id)
            if target is None or not target.enabled:
                continue
            reasons = list(dict.fromkeys(outcome.message for _, outcome in items))
            message = "Compliance cannot be shown: " + "; ".join(r.rstrip(".") for r in reasons) + "."
            evidence = {"unverified": [{"rule": rule.id, "reason": outcome.message} for rule, outcome in items]}
            findings.append(_finding(shared, target, message, evidence))
    return sorted(findings, key=sort_key)


class _Shared:
    """The evidence every finding of one resource repeats, built once."""

    def __init__(self, assessment: Assessment):
        self.assessment = assessment
        self._common: dict[str, Any] | None = None

    def common(self) -> dict[str, Any]:
        if self._common is None:
            hosting = self.assessment.hosting
            self._common = {
                "sensitivity": sensitivity_evidence(self.assessment),
                "hosting": hosting_evidence(hosting),
                "facts": [
                    {"what": f.what, "sources": list(f.sources), "urls": list(f.urls), "verified_at": f.verified_at, "confidence": f.confidence}
                    for f in hosting.facts
                ],
            }
        return self._common


def _merged(shared: _Shared, rule: Rule, failed: list[Outcome]) -> Finding:
    """One finding per rule and resource, however many places (primary, copies) break it."""
    messages = list(dict.fromkeys(o.message for o in failed))
    evidence = dict(failed[0].evidence)
    if len(failed) > 1:
        evidence["places"] = [dict(o.evidence) for o in failed]
    return _finding(shared, rule, " ".join(messages), evidence)


def _finding(shared: _Shared, rule: Rule, message: str, extra: dict[str, Any]) -> Finding:
    resource = shared.assessment.resource
    evidence = {**shared.common(), "references": list(rule.references), **extra}
    return Finding(
        rule=rule.id,
        severity=rule.severity,
        address=resource.address,
        message=message,
        origin=resource.origin,
        evidence=evidence,
        root=resource.root,
    )
