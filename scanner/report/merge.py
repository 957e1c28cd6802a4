"""``sovscan merge A.json B.json … -o all.json``: the JSON reports of N jobs as one report.

Made for ``--shard i/n``: each job audits its share of the accounts and
saves a JSON report; merging gives the report one audit of everything would
have given. Entries seen twice are kept once, the summary is recomputed.
Reports judged with different packs or pack versions are refused: their
verdicts do not add up. Inventory snapshots merge the same way into one
snapshot (judge it with ``sovscan scan``).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from scanner.model import DIAGNOSTIC_KINDS
from scanner.report.saved import DocumentError, origin_file
from scanner.report.verdict import document_counts, document_verdict

SEVERITIES = ("critical", "high", "medium", "low", "info")


def _unique(items: list[dict[str, Any]], key) -> list[dict[str, Any]]:
    seen: dict[Any, dict[str, Any]] = {}
    for item in items:
        seen.setdefault(key(item), item)
    return list(seen.values())


def _frozen(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _origin_order(entry: dict[str, Any]) -> tuple:
    origin = entry.get("origin") or {}
    return (origin_file(entry), origin.get("line") or 0, origin.get("account") or "")


def summary(resources: list[dict], findings: list[dict], errors: list[dict], rules: list[dict] | None = None) -> dict[str, Any]:
    """The same counts and verdict as scanner.report.json_report.summary, from the entries themselves."""
    active = [f for f in findings if not f.get("suppressed")]
    counts = Counter(f["severity"] for f in active)
    entries = {"resources": resources, "findings": findings, "errors": errors, "rules": rules or []}
    holding, without_level = document_counts(entries)
    return {
        "resources": len(resources),
        "findings": len(active),
        "suppressed": len(findings) - len(active),
        "errors": len(errors),
        # an error of a report older than error kinds counts as leaving input unjudged
        "incomplete": any(e.get("kind") not in DIAGNOSTIC_KINDS for e in errors),
        "by_severity": {s: counts[s] for s in SEVERITIES if counts[s]},
        "verdict": document_verdict(entries),
        "data_resources": holding,
        "data_resources_without_level": without_level,
    }


def merge_reports(documents: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """One report from several (name, JSON report) pairs of the same pack."""
    first_name, first = documents[0]
    policy = first.get("policy")
    for name, document in documents[1:]:
        if document.get("policy") != policy:
            raise DocumentError(f"{name}: judged with pack {_pack(document)}, {first_name} with {_pack(first)}; merge reports of one pack and version")
    dated = [(name, d["as_of"]) for name, d in documents if d.get("as_of") is not None]  # reports older than as_of have none
    for name, as_of in dated[1:]:
        if as_of != dated[0][1]:
            raise DocumentError(f"{name}: judged as of {as_of}, {dated[0][0]} as of {dated[0][1]}; merge reports of one date (give every job the same --as-of)")
    resources = _unique([r for _, d in documents for r in d["resources"]], lambda r: (r["address"], str(r.get("root") or ""), _frozen(r.get("origin"))))
    findings = _unique([f for _, d in documents for f in d["findings"]], lambda f: (f["rule"], f["address"], _frozen(f.get("origin")), bool(f.get("suppressed"))))
    errors = _unique([e for _, d in documents for e in d["errors"]], lambda e: (e.get("file"), e.get("line"), e.get("message")))
    resources.sort(key=lambda r: (*_origin_order(r), r["address"]))
    findings.sort(key=lambda f: (*_origin_order(f), f["rule"], f["address"]))
    merged = dict(first)
    merged.update(
        inputs=list(dict.fromkeys(i for _, d in documents for i in d.get("inputs", []))),
        uncalled_modules=sorted({m for _, d in documents for m in d.get("uncalled_modules", [])}),
        resources=resources,
        findings=findings,
        errors=errors,
        summary=summary(resources, findings, errors, first.get("rules")),
    )
    merged["as_of"] = dated[0][1] if dated else None
    return merged


def _pack(document: dict[str, Any]) -> str:
    policy = document.get("policy") or {}
    return f"{policy.get('pack')} {policy.get('version')}"


def merge_snapshots(documents: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """One inventory snapshot from the snapshots of N shards (taken_at: the earliest of them)."""
    first_name, first = documents[0]
    for name, document in documents:
        if document.get("schema_version") != first.get("schema_version") or document.get("api") != first.get("api"):
            raise DocumentError(f"{name}: a {document.get('api')} snapshot of schema {document.get('schema_version')}, {first_name} is {first.get('api')} of schema {first.get('schema_version')}")
        for key in ("resources", "errors", "skipped", "accounts"):
            if not isinstance(document.get(key, []), list):
                raise DocumentError(f"{name}: \"{key}\" must be a list")
    regions: dict[str, list[str]] = {}
    for _, document in documents:
        for account, names in (document.get("regions") or {}).items():
            regions[account] = sorted(set(regions.get(account, [])) | set(names))
    merged = dict(first)
    merged.update(
        taken_at=min(str(d.get("taken_at") or "") for _, d in documents),
        shard=None,
        accounts=sorted({a for _, d in documents for a in d.get("accounts", [])}),
        regions=dict(sorted(regions.items())),
        skipped=_unique([s for _, d in documents for s in d.get("skipped", [])], _frozen),
        resources=_unique([r for _, d in documents for r in d["resources"]], lambda r: (r.get("account"), r.get("address"))),
        errors=_unique([e for _, d in documents for e in d.get("errors", [])], _frozen),
    )
    return merged
