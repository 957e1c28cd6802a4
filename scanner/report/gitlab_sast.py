"""GitLab security report (SAST), for the Vulnerability Report and the merge request security widget.

``artifacts:reports:sast`` in ``.gitlab-ci.yml``. Follows GitLab's published
security report schema, version ``SCHEMA_VERSION``
(gitlab-org/security-products/security-report-schemas, ``dist/sast-report-format.json``;
the file is kept in ``tests/data/`` and every fixture's report is validated
against it). 15.0.x because every GitLab that reads 15.x reports takes it:
one that vendors an older 15.0 patch validates it against that patch, with a
warning, while a 15.1 or 15.2 report is refused by a GitLab that predates it.

- ``scan``: sovscan is both analyzer and scanner; ``start_time`` and
  ``end_time`` are when the scan ran, given by the CLI (a replayed scan, whose
  inputs did not change, keeps the times of the run it replays); ``status``
  is ``failure`` when nothing could be judged because of input problems.
  Input problems and the suppressed findings left out are ``scan.messages``.
- one vulnerability per active finding. GitLab tracks a vulnerability by
  its primary identifier (the first of ``identifiers``) and its location
  (file and lines), and merges findings that share both. The primary
  identifier is therefore the finding's identity (rule, address, root
  module: ``Located.fingerprint``), shown under the rule's id, so that one
  resource of a shared module judged under two roots is two
  vulnerabilities (SARIF merges them into one result instead: GitHub tracks
  by the line's text, which sovscan does not control); the rule and the pack's legal references follow as
  secondary identifiers, to filter on. ``id`` is a UUID derived from the
  same identity: stable across runs, never from the report's order.
- ``name`` is the rule's summary (the same for every finding of a rule, as
  GitLab asks), ``description`` the finding with its resource, root module,
  hosting and level, ``solution`` what meets the rule and how to record a
  justified exception.
- suppressed findings are left out: GitLab's report has no notion of an
  accepted finding (dismiss it in GitLab, or keep the sovscan suppression).
- a finding without a file (a cloud inventory's resource) points at
  ``sovscan-inventory/PROVIDER/ACCOUNT/REGION`` (``ci_paths``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from scanner.model import Assessment, Report, Severity, Unknown
from scanner.model.located import Located, locate
from scanner.report.ci_paths import inventory_path
from scanner.report.json_report import dumps_by_line

SCHEMA_VERSION = "15.0.7"
SCHEMA_URL = f"https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v{SCHEMA_VERSION}/dist/sast-report-format.json"
TOOL = {"id": "sovscan", "name": "sovscan", "url": "https://github.com/sovscan/sovscan", "vendor": {"name": "sovscan contributors"}}
RULES_DOC = "https://github.com/sovscan/sovscan/blob/main/docs/rules.md"
SEVERITIES = {Severity.CRITICAL: "Critical", Severity.HIGH: "High", Severity.MEDIUM: "Medium", Severity.LOW: "Low", Severity.INFO: "Info"}
# uuid5 namespace of sovscan's vulnerability ids (a fixed random UUID: ids stay the same across versions)
ID_NAMESPACE = uuid.UUID("6f1d8c1e-5a4b-4f0e-9a43-2f7b1c9e0d55")
MAX_NAME = 255  # the schema's limits
MAX_SOLUTION = 7000
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"  # the schema's: UTC, no zone, no fraction
# GitLab renders description and solution as Markdown; text from the scanned repository (addresses, tag
# values in messages) must not become a link, an image, emphasis, code or HTML there. Until the shared
# output-escaping helper (issue 16) lands, escaped here with backslashes (CommonMark §2.4): the characters
# that open inline markup anywhere, and those that open a block at the start of a line.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>!|~])")
_BLOCK_START = re.compile(r"^(\s*\d*)([#+\-=.)])")  # a heading, a list item (- + 1. 1)), a setext underline
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")  # control characters, bidi overrides


def _capped(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shown(value: Any) -> str:
    if isinstance(value, Unknown):
        return "unknown"
    if isinstance(value, frozenset):
        return ",".join(sorted(value)) or "-"
    return "-" if value is None else str(value)


def _identifiers(item: Located, report: Report) -> list[dict[str, Any]]:
    rule_id = item.finding.rule
    url = f"{RULES_DOC}#{report.pack}-{rule_id}"
    found = [
        {"type": "sovscan_finding", "name": rule_id, "value": item.fingerprint, "url": url},
        {"type": "sovscan_rule", "name": rule_id, "value": rule_id, "url": url},
    ]
    rule = report.rules.get(rule_id)
    for short, text in zip(getattr(rule, "reference_ids", ()), getattr(rule, "references", ()), strict=False):
        found.append({"type": "sovscan_reference", "name": text, "value": f"{report.pack}:{short}"})
    return found


def _md(text: object) -> str:
    """Text shown as itself in GitLab's Markdown, on one line."""
    plain = _CONTROL.sub("\ufffd", str(text)).replace("\r", " ").replace("\n", " ")
    return _BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2), _MARKDOWN.sub(r"\\\1", plain))


def _description(item: Located, assessment: Assessment | None, rule: Any) -> str:
    f = item.finding
    lines = [_md(f.message), "", f"- Resource: {_md(f.address)}"]
    if item.root:
        lines.append(f"- Root module: {_md(item.root)}")
    if item.declared_at:
        lines.append(f"- Declared at: {_md(item.declared_at)}, inside the remote module called at the location")
    if f.origin.account:
        lines.append(f"- Account: {_md(f.origin.account)}" + (f" ({_md(f.origin.api)})" if f.origin.api else ""))
    if assessment is not None:
        h, c = assessment.hosting, assessment.classification
        lines.append(f"- Hosting: {_md(_shown(h.cloud))} {_md(_shown(h.region))} ({_md(_shown(h.countries))}), operated by {_md(_shown(h.operator))}")
        level = c.level or c.status
        lines.append(f"- Sensitivity: {_md(level)}" + (f", workload {_md(c.workload)}" if c.workload else ""))
    if rule is not None:
        lines += ["", _md(rule.why)]
        if rule.references:
            lines += ["", "References: " + _md("; ".join(rule.references))]
    return "\n".join(lines)


def _solution(item: Located, rule: Any) -> str:
    parts = []
    if rule is not None:
        parts.append(
            "Host the resource where the rule is met, or correct its classification if it is wrong, "
            f"so that this no longer holds: {_md(rule.summary)} A passing example:\n\n{_fenced(rule.example_pass)}"
        )
    comment = f'# sovscan:ignore[{item.finding.rule}] reason="…" until=YYYY-MM-DD'
    parts.append(
        f"If the hosting is accepted, record a justified, dated exception: an inline comment above the resource,\n\n{_fenced(comment)}\n"
        "or an entry in .sovscan-waivers.yml."
    )
    return _capped("\n\n".join(parts), MAX_SOLUTION)


def _fenced(code: str) -> str:
    """A code block whose fence no line of ``code`` can close (CommonMark §4.5)."""
    longest = max((len(run) for run in re.findall("`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{code.rstrip()}\n{fence}\n"


def _vulnerability(item: Located, report: Report, assessments: Mapping[int, Assessment]) -> dict[str, Any]:
    finding = item.finding
    rule = report.rules.get(finding.rule)
    assessment = assessments.get(id(item.resource)) if item.resource is not None else None
    location: dict[str, Any] = {"file": item.file or inventory_path(item)}
    if item.file and item.line:
        location["start_line"] = item.line
        location["end_line"] = item.line
    return {
        "id": str(uuid.uuid5(ID_NAMESPACE, item.fingerprint)),
        "name": _capped(rule.summary if rule is not None else finding.rule, MAX_NAME),
        "description": _description(item, assessment, rule),
        "severity": SEVERITIES.get(finding.severity, "Unknown"),
        "solution": _solution(item, rule),
        "identifiers": _identifiers(item, report),
        "links": [{"name": f"sovscan rule {finding.rule}", "url": f"{RULES_DOC}#{report.pack}-{finding.rule}"}],
        "location": location,
    }


def _messages(report: Report, suppressed: int) -> list[dict[str, str]]:
    messages = [{"level": "warn", "value": str(error)} for error in report.errors]
    if suppressed:
        messages.append({"level": "info", "value": f"{suppressed} suppressed finding{'s' if suppressed != 1 else ''} left out, each with its justification in sovscan's JSON report"})
    return messages


def to_document(report: Report, paths: Mapping[str, str] | None = None, scan_times: tuple[datetime, datetime] | None = None) -> dict[str, Any]:
    items = locate(report, paths)
    active = [item for item in items if not item.finding.suppressed]
    assessments = {id(a.resource): a for a in report.assessments}
    started, finished = scan_times or (datetime(1970, 1, 1), datetime(1970, 1, 1))
    analyzer = {**TOOL, "version": report.tool_version}
    scan: dict[str, Any] = {
        "analyzer": analyzer,
        "scanner": analyzer,
        "type": "sast",
        "start_time": started.strftime(TIME_FORMAT),
        "end_time": finished.strftime(TIME_FORMAT),
        "status": "failure" if report.errors and not report.assessments else "success",
    }
    messages = _messages(report, len(items) - len(active))
    if messages:
        scan["messages"] = messages
    return {
        "version": SCHEMA_VERSION,
        "schema": SCHEMA_URL,
        "scan": scan,
        "vulnerabilities": [_vulnerability(item, report, assessments) for item in active],
    }


def render(report: Report, color: bool = False, paths: Mapping[str, str] | None = None, scan_times: tuple[datetime, datetime] | None = None) -> str:
    # one vulnerability per line, by the C encoder: a 25,000-finding inventory renders in a second and a half
    return dumps_by_line(to_document(report, paths, scan_times))
