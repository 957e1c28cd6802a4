"""``sovscan rules`` and ``sovscan explain RULE``: the pack's rules as people read them."""

from __future__ import annotations

import json

from scanner.policy.pack import Pack, Rule


def rule_document(rule: Rule) -> dict:
    return {
        "id": rule.id,
        "kind": rule.kind,
        "levels": sorted(rule.levels),
        "severity": str(rule.severity),
        "enabled": rule.enabled,
        "options": dict(rule.options),
        "summary": rule.summary,
        "why": rule.why,
        "references": list(rule.references),
        "sources": list(rule.sources),
        "example_pass": rule.example_pass,
        "example_fail": rule.example_fail,
    }


def render_rules(pack: Pack, fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps({"pack": pack.id, "version": pack.version, "rules": [rule_document(r) for r in pack.rules]}, indent=2, ensure_ascii=False) + "\n"
    lines = [f"{pack.title} — pack {pack.id} {pack.version}", ""]
    for rule in pack.rules:
        state = "" if rule.enabled else " (disabled)"
        levels = ", ".join(sorted(rule.levels)) or "any"
        lines.append(f"{str(rule.severity).upper():8} {rule.id}{state}  [{levels}]")
        lines.append(f"         {rule.summary}")
    return "\n".join(lines) + "\n"


def render_rule(rule: Rule) -> str:
    lines = [
        f"{rule.id} ({rule.kind}, {rule.severity}, levels: {', '.join(sorted(rule.levels)) or 'any'})",
        "",
        rule.summary,
        "",
        "Why: " + rule.why,
        "",
        "References:",
        *[f"  - {r}" for r in rule.references],
        "",
        "Passes:",
        *[f"  {l}" for l in rule.example_pass.rstrip().splitlines()],
        "",
        "Fails:",
        *[f"  {l}" for l in rule.example_fail.rstrip().splitlines()],
    ]
    return "\n".join(lines) + "\n"
