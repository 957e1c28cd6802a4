"""``sovscan diff OLD.json NEW.json``: what changed between two audits of the same estate.

New findings (in NEW, not in OLD), fixed findings (the reverse), resources
that moved (same address, another cloud, region or country) and resources
that appeared or went away. A finding is the same across audits when its
rule, address and root module are (not its line, which an edit above it
moves, nor its file, which a monthly export may rename).
Suppressed findings count as absent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from scanner.report.saved import finding_key, resource_key, roots

PLACE = ("cloud", "region", "country")
SEVERITIES = ("critical", "high", "medium", "low", "info")


@dataclass(frozen=True)
class Moved:
    address: str
    before: dict[str, Any]  # cloud, region, country
    after: dict[str, Any]


@dataclass(frozen=True)
class ReportDiff:
    new: tuple[dict[str, Any], ...]
    fixed: tuple[dict[str, Any], ...]
    moved: tuple[Moved, ...]
    appeared: tuple[dict[str, Any], ...]
    gone: tuple[dict[str, Any], ...]


def _active(document: dict[str, Any]) -> dict[tuple, dict[str, Any]]:
    roots_of = roots(document)
    return {finding_key(f, roots_of): f for f in document["findings"] if not f.get("suppressed")}


def _order(finding: dict[str, Any]) -> tuple:
    severity = finding["severity"]
    return (SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES), finding["address"], finding["rule"])


def diff_reports(old: dict[str, Any], new: dict[str, Any]) -> ReportDiff:
    before, after = _active(old), _active(new)
    old_resources = {resource_key(r): r for r in old["resources"]}
    new_resources = {resource_key(r): r for r in new["resources"]}
    moved = []
    for key in sorted(old_resources.keys() & new_resources.keys()):
        was = {field: old_resources[key].get(field) for field in PLACE}
        now = {field: new_resources[key].get(field) for field in PLACE}
        if was != now:
            moved.append(Moved(key[0], was, now))
    return ReportDiff(
        new=tuple(sorted((after[k] for k in after.keys() - before.keys()), key=_order)),
        fixed=tuple(sorted((before[k] for k in before.keys() - after.keys()), key=_order)),
        moved=tuple(moved),
        appeared=tuple(new_resources[k] for k in sorted(new_resources.keys() - old_resources.keys())),
        gone=tuple(old_resources[k] for k in sorted(old_resources.keys() - new_resources.keys())),
    )


def _place(place: dict[str, Any]) -> str:
    country = f" ({place['country']})" if place.get("country") else ""
    return f"{place.get('cloud')} {place.get('region')}{country}"


def render_text(diff: ReportDiff, old_name: str, new_name: str) -> str:
    lines = [f"sovscan diff {old_name} → {new_name}", ""]
    for title, findings in (("New findings", diff.new), ("Fixed findings", diff.fixed)):
        if findings:
            lines.append(f"{title} ({len(findings)})")
            for f in findings:
                lines.append(f"  {f['severity'].upper():8} {f['rule']}  {f['address']}")
                lines.append(f"           {f.get('message', '')}")
            lines.append("")
    if diff.moved:
        lines.append(f"Moved resources ({len(diff.moved)})")
        lines += [f"  {m.address}  {_place(m.before)} → {_place(m.after)}" for m in diff.moved]
        lines.append("")
    for title, resources in (("New resources", diff.appeared), ("Resources gone", diff.gone)):
        if resources:
            lines.append(f"{title} ({len(resources)})")
            lines += [f"  {r['address']}  {_place(r)}" for r in resources]
            lines.append("")
    lines.append(
        f"{len(diff.new)} new findings, {len(diff.fixed)} fixed, {len(diff.moved)} resources moved, "
        f"{len(diff.appeared)} new resources, {len(diff.gone)} gone"
    )
    return "\n".join(lines) + "\n"


def to_document(diff: ReportDiff, old_name: str, new_name: str) -> dict[str, Any]:
    return {
        "old": old_name,
        "new": new_name,
        "new_findings": list(diff.new),
        "fixed_findings": list(diff.fixed),
        "moved_resources": [{"address": m.address, "before": m.before, "after": m.after} for m in diff.moved],
        "new_resources": list(diff.appeared),
        "resources_gone": list(diff.gone),
        "summary": {"new_findings": len(diff.new), "fixed_findings": len(diff.fixed), "moved_resources": len(diff.moved), "new_resources": len(diff.appeared), "resources_gone": len(diff.gone)},
    }


def render_json(diff: ReportDiff, old_name: str, new_name: str) -> str:
    return json.dumps(to_document(diff, old_name, new_name), indent=2, ensure_ascii=False) + "\n"
