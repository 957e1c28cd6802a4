"""``sovscan rules`` and ``sovscan explain RULE``: the pack's rules as people read them.

Pure renderers: they take the pack (with the user's settings applied) and
the catalog's source URLs, and return text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from scanner.model import Rule
from scanner.policy.pack import Pack


def rule_document(rule: Rule, sources: Mapping[str, str] | None = None) -> dict:
    sources = sources or {}
    return {
        "id": rule.id,
        "kind": rule.kind,
        "levels": sorted(rule.levels),
        "severity": str(rule.severity),
        "enabled": rule.enabled,
        "overridden": list(rule.overridden),
        "options": _plain(rule.options),
        "on_unknown": rule.on_unknown,
        "summary": rule.summary,
        "why": rule.why,
        "references": list(rule.references),
        "reference_ids": list(rule.reference_ids),
        "sources": list(rule.sources),
        "source_urls": {s: sources[s] for s in rule.sources if s in sources},
        "example_pass": rule.example_pass,
        "example_fail": rule.example_fail,
    }


def _plain(value):
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def pack_document(pack: Pack, sources: Mapping[str, str] | None = None) -> dict:
    return {
        "pack": pack.id,
        "version": pack.version,
        "title": pack.title,
        "description": pack.description,
        "rules": [rule_document(r, sources) for r in pack.rules],
    }


def _state(rule: Rule) -> str:
    """How the user's .sovscan.yml changed the rule, in words."""
    notes = []
    if not rule.enabled:
        notes.append("disabled")
    if "severity" in rule.overridden:
        notes.append("severity set in .sovscan.yml")
    if "options" in rule.overridden:
        notes.append("options set in .sovscan.yml")
    return f" ({'; '.join(notes)})" if notes else ""


def render_rules(pack: Pack, fmt: str = "text", sources: Mapping[str, str] | None = None) -> str:
    if fmt == "json":
        return json.dumps(pack_document(pack, sources), indent=2, ensure_ascii=False) + "\n"
    lines = [f"{pack.title} — pack {pack.id} {pack.version}", ""]
    for rule in pack.rules:
        levels = ", ".join(sorted(rule.levels)) or "any"
        lines.append(f"{str(rule.severity).upper():8} {rule.id}{_state(rule)}  [{levels}]")
        lines.append(f"         {rule.summary}")
    enabled = sum(1 for r in pack.rules if r.enabled)
    lines += ["", f"{len(pack.rules)} rules ({enabled} enabled). `sovscan explain RULE_ID` tells why each exists."]
    return "\n".join(lines) + "\n"


def _options(rule: Rule) -> list[str]:
    out = []
    for key, value in _plain(rule.options).items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items())
        elif isinstance(value, bool):
            value = str(value).lower()
        out.append(f"  {key}: {value}")
    return out


def render_rule(rule: Rule, pack: Pack, sources: Mapping[str, str] | None = None, fmt: str = "text") -> str:
    sources = sources or {}
    if fmt == "json":
        return json.dumps({"pack": pack.id, "version": pack.version, **rule_document(rule, sources)}, indent=2, ensure_ascii=False) + "\n"
    lines = [
        f"{rule.id}{_state(rule)}",
        f"  pack {pack.id} {pack.version} · kind {rule.kind} · severity {rule.severity} · levels: {', '.join(sorted(rule.levels)) or 'any'}",
        "",
        rule.summary,
        "",
        "Why: " + rule.why,
        "",
        "References:",
        *[f"  - {text} [{ref}]" for ref, text in zip(rule.reference_ids, rule.references, strict=True)],
    ]
    if rule.sources:
        lines += ["", "Sources:", *[f"  - {s}: {sources.get(s, '(not in the catalog source table)')}" for s in rule.sources]]
    if rule.options:
        lines += ["", "Options:", *_options(rule)]
    if rule.on_unknown:
        lines += ["", f"When a fact it needs is unknown, the resource is reported by {rule.on_unknown}."]
    lines += [
        "",
        "Passes:",
        *[f"  {row}" for row in rule.example_pass.rstrip().splitlines()],
        "",
        "Fails:",
        *[f"  {row}" for row in rule.example_fail.rstrip().splitlines()],
        "",
        f"Change it in .sovscan.yml: rules: {{{rule.id}: {{severity: …, enabled: false, options: {{…}}}}}}",
    ]
    return "\n".join(lines) + "\n"
