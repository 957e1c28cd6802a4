"""Model values as JSON evidence: what findings carry and reporters print, shaped once.

Shared by the evaluate stage (which stores evidence in each ``Finding``) and the
reporters (which print the resources), so it lives with the model they share.
"""

from __future__ import annotations

from typing import Any

from scanner.model import Assessment, Finding, Hosting, TraceStep, Unknown


def sort_key(finding: Finding) -> tuple:
    return (finding.origin.file or "", finding.origin.line or 0, finding.rule, finding.address)


def _step(step: TraceStep) -> dict[str, Any]:
    return {"what": step.what, "value": step.value, "origin": step.origin.as_json()}


def sensitivity_evidence(assessment: Assessment) -> dict[str, Any]:
    c = assessment.classification
    return {
        "level": c.level,
        "classes": sorted(c.classes),
        "workload": c.workload,
        "status": c.status,
        "from": [_step(s) for s in c.evidence],
    }


def value(v: Any) -> Any:
    if isinstance(v, Unknown):
        return "unknown"
    if isinstance(v, frozenset):
        return sorted(v)
    return v


def hosting_evidence(hosting: Hosting) -> dict[str, Any]:
    return {
        "cloud": value(hosting.cloud),
        "offer": hosting.offer,
        "region": value(hosting.region),
        "countries": value(hosting.countries),
        "in_eu": value(hosting.in_eu),
        "in_eea": value(hosting.in_eea),
        "operator": value(hosting.operator),
        "jurisdiction": value(hosting.jurisdiction),
        "exposure": value(hosting.exposure),
        "laws": list(hosting.exposure_laws),
        "qualifications": {
            scheme: {"holds": value(status.holds), "why": status.why}
            for scheme, status in sorted(hosting.certifications.items())
        },
    }
