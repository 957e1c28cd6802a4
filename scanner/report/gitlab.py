"""GitLab code quality JSON, for the merge request widget (``artifacts:reports:codequality``).

The format is the subset of Code Climate's issue that GitLab reads
(https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format):
an array of issues with ``description``, ``check_name``, ``fingerprint``
(unique per issue: GitLab keeps one issue per fingerprint), ``severity``
(info, minor, major, critical, blocker) and ``location.path`` relative to
the repository root with ``location.lines.begin``. GitLab has no notion of a
suppressed issue: suppressed findings are left out. A finding without a file
(a cloud inventory's resource) points at ``sovscan-inventory/PROVIDER/ACCOUNT/REGION``
(``ci_paths``), as in the SARIF and GitLab security reports.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from scanner.model import Report, Severity
from scanner.model.located import Located, locate
from scanner.report.ci_paths import inventory_path

SEVERITIES = {Severity.INFO: "info", Severity.LOW: "minor", Severity.MEDIUM: "major", Severity.HIGH: "critical", Severity.CRITICAL: "blocker"}


def _issue(item: Located) -> dict[str, Any]:
    finding = item.finding
    description = f"{finding.address}: {finding.message}"
    if item.declared_at:
        description += f" (declared at {item.declared_at}, inside the remote module called here)"
    return {
        "description": description,
        "check_name": finding.rule,
        "fingerprint": item.fingerprint,
        "severity": SEVERITIES.get(finding.severity, "info"),
        "location": {"path": item.file or inventory_path(item), "lines": {"begin": item.line or 1}},
    }


def render(report: Report, color: bool = False, paths: Mapping[str, str] | None = None) -> str:
    issues = [_issue(item) for item in locate(report, paths) if not item.finding.suppressed]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
