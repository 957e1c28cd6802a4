"""The JSON report: the stable contract of ../shared/DESIGN.md (add fields, never rename).

Its published JSON Schema ships inside the package, beside this module
(``sovscan-report.schema.json``, ``SCHEMA_FILE``); the tests validate every
fixture's report against it. A field added here is documented there.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from scanner.model import Assessment, Finding, Report, Severity, TraceStep, Unknown
from scanner.model.evidence import value
from scanner.report.rules import rule_document
from scanner.report.verdict import data_resources, verdict

SCHEMA_VERSION = 1
SCHEMA_FILE = "sovscan-report.schema.json"  # in this package: importlib.resources.files("scanner.report") / SCHEMA_FILE
SCHEMA_ID = "https://github.com/sovscan/sovscan/blob/main/scanner/report/sovscan-report.schema.json"


def _trace(steps: tuple[TraceStep, ...]) -> list[dict[str, Any]]:
    return [{"what": s.what, "value": s.value, "origin": s.origin.as_json()} for s in steps]


def resource_entry(a: Assessment) -> dict[str, Any]:
    r, c, h = a.resource, a.classification, a.hosting
    entry: dict[str, Any] = {
        "address": r.address,
        "type": r.type,
        "provider": r.provider,
        "cloud": value(h.cloud),
        "offer": h.offer,
        "region": value(r.region if isinstance(h.region, Unknown) else h.region),
        "zone": value(r.zone),
        "country": _country(h.countries),
        "sensitivity": c.level,
        "workload": c.workload,
        "origin": r.origin.as_json(),
    }
    if isinstance(r.region, Unknown):
        entry["region_unknown_reason"] = r.region.reason
    entry.update(
        {
            "root": r.root,
            "classes": sorted(c.classes),
            "classification_status": c.status,
            "holds_data": r.holds_data,
            "instances_known": r.instances_known,
            "tags": {t.key: value(t.value) for t in r.tags},
            "hosting": {
                "countries": value(h.countries),
                "in_eu": value(h.in_eu),
                "in_eea": value(h.in_eea),
                "operator": value(h.operator),
                "exposure": value(h.exposure),
                # for resources without a finding too (a qualified S3NS bucket in the audit report's trust matrix)
                "qualifications": {scheme: {"holds": value(status.holds), "why": status.why} for scheme, status in sorted(h.certifications.items())},
            },
            "copies": [
                {"kind": copy.kind, "cloud": value(hosting.cloud), "region": value(hosting.region), "country": _country(hosting.countries), "origin": copy.origin.as_json()}
                for copy, hosting in a.copies
            ],
            "trace": {
                "region": _trace(r.trace),
                "sensitivity": _trace(c.evidence),
            },
        }
    )
    if r.module_call is not None:
        entry["module_call"] = r.module_call.as_json()
    return entry


def _country(countries: Any) -> str | None:
    if isinstance(countries, Unknown) or not countries:
        return "unknown" if isinstance(countries, Unknown) else None
    return ",".join(sorted(countries))


def finding_entry(f: Finding) -> dict[str, Any]:
    entry = {
        "rule": f.rule,
        "severity": str(f.severity),
        "address": f.address,
        "message": f.message,
        "evidence": f.evidence,
        "origin": f.origin.as_json(),
        "suppressed": f.suppressed,
    }
    if f.root is not None:
        entry["root"] = f.root
    if f.suppression:
        entry["suppression"] = dict(f.suppression)
    return entry


def summary(report: Report) -> dict[str, Any]:
    active = [f for f in report.findings if not f.suppressed]
    counts = Counter(str(f.severity) for f in active)
    holding, without_level = data_resources(report)
    return {
        "resources": len(report.assessments),
        "findings": len(active),
        "suppressed": len(report.findings) - len(active),
        "errors": len(report.errors),
        "incomplete": report.incomplete,
        "by_severity": {str(s): counts[str(s)] for s in sorted(Severity, reverse=True) if s != Severity.NEVER and counts[str(s)]},
        "verdict": verdict(report),
        "data_resources": holding,
        "data_resources_without_level": without_level,
    }


def to_document(report: Report) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "sovscan", "version": report.tool_version},
        "as_of": report.as_of,
        "policy": {"pack": report.pack, "version": report.pack_version},
        "inputs": list(report.inputs),
        # the rules' own documentation, for reports read without the pack (the HTML audit report)
        "rules": [rule_document(rule) for rule in report.rules.values()],
        "uncalled_modules": list(report.uncalled_modules),
        "resources": [resource_entry(a) for a in report.assessments],
        "findings": [finding_entry(f) for f in report.findings],
        "errors": [
            {"file": e.file, "line": e.line, "message": e.message, **({"column": e.column} if e.column else {}), "kind": e.kind}
            for e in report.errors
        ],
        "summary": summary(report),
    }


def render(report: Report, color: bool = False) -> str:
    return dumps_by_line(to_document(report))


def dumps_by_line(document: dict[str, Any]) -> str:
    """JSON with one resource, finding or error per line.

    Readable and diff-friendly, and fast: ``indent=`` would switch off the C
    encoder, which takes ten times longer on a report of 10,000 resources.
    """
    item = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    keys = list(document)
    lines = ["{"]
    for index, key in enumerate(keys):
        value = document[key]
        comma = "," if index < len(keys) - 1 else ""
        if isinstance(value, list) and value:
            lines.append(f"  {item(key)}: [")
            lines += [f"    {item(entry)}," for entry in value[:-1]]
            lines.append(f"    {item(value[-1])}")
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {item(key)}: {item(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"
