"""SARIF 2.1.0, for GitHub code scanning and every SARIF viewer.

Follows the OASIS standard (https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/sarif-v2.1.0-errata01-os-complete.html)
and GitHub's reading of it (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning):

- artifact URIs are relative to the repository root, with ``uriBaseId``
  ``%SRCROOT%`` (SARIF §3.4.4); ``originalUriBaseIds`` describes that base
  without an absolute path, so the file is the same on every machine;
- one ``rules[]`` entry per rule of the pack, with its summary, why, legal
  references and a help link; ``security-severity`` (documented by GitHub
  for rules tagged ``security``: these protect the confidentiality of
  sensitive data) gives alerts GitHub's critical/high/medium/low severities
  and lets a branch protection block on them; ``precision`` (how often a
  rule's results are true, by rule kind: ``PRECISION``) orders them;
- ``partialFingerprints`` hash (rule, address, root module), never the line,
  so an alert survives edits;
- a file judged under several root modules (a shared module) gives one
  result per root, whose message starts with the root and links, as a
  related location, the module call in that root. One result per root
  rather than one merged result with related locations: GitHub shows a
  result's first location only, and related locations only as links in the
  message; roots often differ in hosting, level, severity or suppression;
  and each root's alert can then be triaged and dismissed on its own;
- GitHub's limits (docs: "SARIF support for code scanning", "SARIF results
  exceed one or more limits"): 25,000 results per run (a file with more is
  rejected whole, of which GitHub keeps the 5,000 most severe), 25,000 rules,
  1,000 locations per result, 20 tags per rule, 20 runs per file, 10 MB
  gzip-compressed per file; 1,024 characters for rule descriptions, 255 for
  rule names. A report with more results keeps the ``MAX_RESULTS`` most
  severe (active before suppressed) and says in a tool execution
  notification how many of which severity were left out;
- a finding inside a downloaded remote module points at the module call:
  ``.terraform/modules`` is not in the repository, and a ``git::`` source is
  not a URI GitHub can open;
- suppressed findings carry ``suppressions[]`` with their justification;
- input problems are tool execution notifications;
- a finding without a file (a cloud inventory's resource) points at the
  stable path ``sovscan-inventory/PROVIDER/ACCOUNT/REGION`` (``ci_paths``),
  with no region, and names the resource as a logical location: GitHub
  refuses a file where one result has no physical location
  (github/codeql-action#1738).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from scanner.model import Report, Severity
from scanner.model.located import Located, locate, repo_path, root_folder
from scanner.report.ci_paths import inventory_path

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/sovscan/sovscan"
RULES_DOC = "https://github.com/sovscan/sovscan/blob/main/docs/rules.md"
SRCROOT = "%SRCROOT%"
FINGERPRINT = "sovscan/v1"

# SARIF levels (§3.27.10) and GitHub's security-severity scale (over 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, under 4.0 low)
LEVELS = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note", Severity.INFO: "note"}
SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "3.0"}
# For a rule without a security severity (severity info): GitHub's non-security scale
PROBLEM_SEVERITY = {Severity.INFO: "recommendation"}
# How often a rule's results are true (GitHub: very-high, high, medium, low), by rule kind. A missing or
# unrecognised tag is a plain fact; a requirement judged on the catalog's sourced facts is as good as the
# resource's tags; "cannot be verified" often turns out compliant once the value is known.
PRECISION = {
    "unclassified": "very-high",
    "unrecognised": "very-high",
    "qualification": "high",
    "area": "high",
    "exposure": "high",
    "commercial": "high",
    "attestation": "high",
    "seal": "high",
    "inventory-comparison": "high",
    "unverified": "medium",
}
DEFAULT_PRECISION = "medium"
MAX_RESULTS = 25_000  # per run; GitHub rejects a file with more
MAX_DESCRIPTION = 1024  # characters of shortDescription and fullDescription that GitHub takes
MAX_NAME = 255
ROOT_LINK_ID = 1  # the relatedLocations id of a result's root module call
_LINK_LIKE = re.compile(r"\[([^\]]*)\]\((\d+)\)")  # text a SARIF viewer would read as an embedded link (SARIF §3.11.6)


def _rule_name(rule_id: str) -> str:
    return "".join(part.capitalize() for part in rule_id.split("-"))


def _help_markdown(rule: Any) -> str:
    parts = [rule.summary, "", f"**Why.** {rule.why}"]
    if rule.references:
        parts += ["", "**References.**", *[f"- {r}" for r in rule.references]]
    parts += ["", "**Passes:**", "```hcl", rule.example_pass.rstrip(), "```", "", "**Fails:**", "```hcl", rule.example_fail.rstrip(), "```"]
    return "\n".join(parts)


def _help_text(rule: Any) -> str:
    text = f"{rule.summary}\n\nWhy: {rule.why}"
    if rule.references:
        text += "\n\nReferences: " + "; ".join(rule.references)
    return text


def _capped(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def rule_descriptor(rule: Any, pack: str) -> dict[str, Any]:
    properties: dict[str, Any] = {"tags": ["security", "sovereignty", rule.kind], "references": list(rule.references)}
    if rule.severity in SECURITY_SEVERITY:
        properties["security-severity"] = SECURITY_SEVERITY[rule.severity]
    else:
        properties["problem.severity"] = PROBLEM_SEVERITY.get(rule.severity, "warning")
    properties["precision"] = PRECISION.get(rule.kind, DEFAULT_PRECISION)
    properties["levels"] = sorted(rule.levels)
    return {
        "id": rule.id,
        "name": _capped(_rule_name(rule.id), MAX_NAME),
        "shortDescription": {"text": _capped(rule.summary, MAX_DESCRIPTION)},
        "fullDescription": {"text": _capped(rule.why, MAX_DESCRIPTION)},
        "help": {"text": _help_text(rule), "markdown": _help_markdown(rule)},
        "helpUri": f"{RULES_DOC}#{pack}-{rule.id}",  # the anchors of docs/rules.md
        "defaultConfiguration": {"level": LEVELS.get(rule.severity, "warning"), "enabled": rule.enabled},
        "properties": properties,
    }


def artifact_location(path: str) -> dict[str, Any]:
    if path.startswith("/"):  # outside the repository: an absolute file URI, no base
        return {"uri": "file://" + quote(path)}
    return {"uri": quote(path), "uriBaseId": SRCROOT}


def _physical(path: str | None, line: int | None) -> dict[str, Any] | None:
    if not path:
        return None
    location: dict[str, Any] = {"artifactLocation": artifact_location(path)}
    if line:
        location["region"] = {"startLine": line}
    return location


def _suppression(item: Located, paths: Mapping[str, str] | None) -> dict[str, Any]:
    s = item.finding.suppression or {}
    kind = "inSource" if s.get("kind") == "inline" else "external"
    entry: dict[str, Any] = {"kind": kind, "status": "accepted", "justification": s.get("reason") or ""}
    physical = _physical(repo_path(s.get("file"), paths), s.get("line"))
    if physical is not None:
        entry["location"] = {"physicalLocation": physical}
    entry["properties"] = {"sovscanKind": s.get("kind"), "until": s.get("until"), "approver": s.get("approver")}
    return entry


def _root_message(text: str) -> str:
    """Text after an embedded link, with brackets that would read as another link escaped (SARIF §3.11.6)."""
    return _LINK_LIKE.sub(lambda m: f"\\[{m.group(1)}\\]({m.group(2)})", text)


def _root_call(item: Located, paths: Mapping[str, str] | None) -> dict[str, Any] | None:
    """The module call in the root module that leads to the resource, as a related location."""
    calls = item.resource.module_calls if item.resource is not None else ()
    if not calls or not calls[0].file:
        return None
    return _physical(repo_path(calls[0].file, paths), calls[0].line)


def _result(item: Located, rule_index: Mapping[str, int], paths: Mapping[str, str] | None, several_roots: bool) -> dict[str, Any]:
    finding = item.finding
    message = finding.message
    if item.declared_at:
        message += f" (declared at {item.declared_at}, inside the remote module called here)"
    related: list[dict[str, Any]] = []
    if several_roots and item.root:
        call = _root_call(item, paths)
        if call is not None:
            related.append({"id": ROOT_LINK_ID, "physicalLocation": call, "message": {"text": f"The module call in root module {item.root}"}})
            link_text = item.root.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")  # a folder name is the repository's
            message = f"Root module [{link_text}]({ROOT_LINK_ID}): {_root_message(message)}"
        else:
            message = f"Root module {item.root}: {message}"
    location: dict[str, Any] = {}
    # GitHub rejects the whole file when one result lacks a physical location: a resource
    # without a file (a cloud inventory) points at a stable path naming its account and region
    location["physicalLocation"] = _physical(item.file, item.line) or {"artifactLocation": artifact_location(inventory_path(item))}
    location["logicalLocations"] = [{"fullyQualifiedName": finding.address, "kind": "resource"}]
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": LEVELS.get(finding.severity, "warning"),
        "message": {"text": message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT: item.fingerprint},
        "properties": {"address": finding.address, "root": item.root, "severity": str(finding.severity)},
    }
    if related:
        result["relatedLocations"] = related
    if finding.rule in rule_index:
        result["ruleIndex"] = rule_index[finding.rule]
    if item.declared_at:
        result["properties"]["declaredAt"] = item.declared_at
    if finding.origin.account:
        result["properties"]["account"] = finding.origin.account
    if finding.suppressed:
        result["suppressions"] = [_suppression(item, paths)]
    return result


def roots_by_file(report: Report, items: list[Located], paths: Mapping[str, str] | None) -> dict[str, set[str]]:
    """For each file a result points at, the root modules under which it is judged (a shared module has several)."""
    roots: dict[str, set[str]] = defaultdict(set)
    for assessment in report.assessments:
        resource = assessment.resource
        root = repo_path(root_folder(resource), paths)
        if not root:
            continue
        for origin in (resource.origin, resource.module_call):
            if origin is not None and origin.file:
                roots[repo_path(origin.file, paths) or origin.file].add(root)
    for item in items:
        if item.file and item.root:
            roots[item.file].add(item.root)
    return roots


def _kept(items: list[Located], limit: int) -> tuple[list[Located], list[Located]]:
    """The ``limit`` results GitHub can take, most severe first (active before suppressed), in report order; and the others."""
    if len(items) <= limit:
        return items, []
    ranked = sorted(range(len(items)), key=lambda i: (items[i].finding.suppressed, -items[i].finding.severity, i))
    keep = set(ranked[:limit])
    return [x for i, x in enumerate(items) if i in keep], [x for i, x in enumerate(items) if i not in keep]


def _left_out_notification(left_out: list[Located], total: int, limit: int) -> dict[str, Any]:
    counts = Counter(str(x.finding.severity) for x in left_out)
    by_severity = {str(s): counts[str(s)] for s in sorted(Severity, reverse=True) if counts[str(s)]}
    detail = ", ".join(f"{n:,} {s}" for s, n in by_severity.items())
    suppressed = sum(1 for x in left_out if x.finding.suppressed)
    if suppressed:
        detail += f"; {suppressed:,} of them suppressed"
    return {
        "descriptor": {"id": "results-left-out"},
        "level": "warning",
        "message": {
            "text": f"{len(left_out):,} of {total:,} results left out ({detail}): GitHub code scanning accepts at most {limit:,} results per run, "
            "so this file keeps the most severe. Every finding is in the JSON, CSV and HTML reports."
        },
        "properties": {"leftOut": len(left_out), "total": total, "bySeverity": by_severity},
    }


def _notification(error: Any, paths: Mapping[str, str] | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"level": "warning", "message": {"text": error.message}}
    physical = _physical(repo_path(error.file, paths), error.line)
    if physical is not None:
        entry["locations"] = [{"physicalLocation": physical}]
    return entry


def to_document(report: Report, paths: Mapping[str, str] | None = None, max_results: int = MAX_RESULTS) -> dict[str, Any]:
    rules = list(report.rules.values())
    rule_index = {rule.id: index for index, rule in enumerate(rules)}
    items = locate(report, paths)
    kept, left_out = _kept(items, max_results)
    roots = roots_by_file(report, kept, paths)
    notifications = [_notification(e, paths) for e in report.errors]
    if left_out:
        notifications.insert(0, _left_out_notification(left_out, len(items), max_results))
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "sovscan",
                "version": report.tool_version,
                "semanticVersion": report.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": [rule_descriptor(rule, report.pack) for rule in rules],
            }
        },
        "originalUriBaseIds": {SRCROOT: {"description": {"text": "The root of the scanned repository (the folder holding .git), or the working directory outside a repository."}}},
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": notifications,
            }
        ],
        "results": [_result(item, rule_index, paths, len(roots.get(item.file or "", ())) > 1) for item in kept],
        "properties": {"pack": report.pack, "packVersion": report.pack_version, **({"asOf": report.as_of} if report.as_of else {})},
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render(report: Report, color: bool = False, paths: Mapping[str, str] | None = None) -> str:
    return json.dumps(to_document(report, paths), indent=2, ensure_ascii=False) + "\n"
