"""SARIF 2.1.0, for GitHub code scanning and every SARIF viewer.

Follows the OASIS standard (https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/sarif-v2.1.0-errata01-os-complete.html)
and GitHub's reading of it (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning):

- artifact URIs are relative to the repository root, with ``uriBaseId``
  ``%SRCROOT%`` (SARIF §3.4.4); ``originalUriBaseIds`` describes that base
  without an absolute path, so the file is the same on every machine;
- one ``rules[]`` entry per rule of the pack, with its summary, why, legal
  references and a help link; ``security-severity`` lets GitHub rank alerts;
- ``partialFingerprints`` hash (rule, address, root module), never the line,
  so an alert survives edits;
- a finding inside a downloaded remote module points at the module call:
  ``.terraform/modules`` is not in the repository, and a ``git::`` source is
  not a URI GitHub can open;
- suppressed findings carry ``suppressions[]`` with their justification;
- input problems are tool execution notifications;
- a finding without a file (a cloud inventory's resource) points at the
  scanned input, since GitHub refuses a file where one result has no
  physical location (github/codeql-action#1738).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from scanner.model import Report, Severity
from scanner.model.located import Located, locate, repo_path

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/sovscan/sovscan"
RULES_DOC = "https://github.com/sovscan/sovscan/blob/main/docs/rules.md"
SRCROOT = "%SRCROOT%"
FINGERPRINT = "sovscan/v1"

# SARIF levels (§3.27.10) and GitHub's security-severity scale (over 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, under 4.0 low)
LEVELS = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note", Severity.INFO: "note"}
SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "3.0"}


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


def rule_descriptor(rule: Any, pack: str) -> dict[str, Any]:
    properties: dict[str, Any] = {"tags": ["security", "sovereignty", rule.kind], "references": list(rule.references)}
    if rule.severity in SECURITY_SEVERITY:
        properties["security-severity"] = SECURITY_SEVERITY[rule.severity]
    properties["levels"] = sorted(rule.levels)
    return {
        "id": rule.id,
        "name": _rule_name(rule.id),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.why},
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


def _result(item: Located, rule_index: Mapping[str, int], paths: Mapping[str, str] | None, fallback: str | None) -> dict[str, Any]:
    finding = item.finding
    message = finding.message
    if item.declared_at:
        message += f" (declared at {item.declared_at}, inside the remote module called here)"
    location: dict[str, Any] = {}
    # GitHub rejects the whole file when one result lacks a physical location: a resource
    # without a file (a cloud inventory) points at the scanned input
    physical = _physical(item.file, item.line) or _physical(fallback, None)
    if physical is not None:
        location["physicalLocation"] = physical
    location["logicalLocations"] = [{"fullyQualifiedName": finding.address, "kind": "resource"}]
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": LEVELS.get(finding.severity, "warning"),
        "message": {"text": message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT: item.fingerprint},
        "properties": {"address": finding.address, "root": item.root, "severity": str(finding.severity)},
    }
    if finding.rule in rule_index:
        result["ruleIndex"] = rule_index[finding.rule]
    if item.declared_at:
        result["properties"]["declaredAt"] = item.declared_at
    if finding.suppressed:
        result["suppressions"] = [_suppression(item, paths)]
    return result


def _notification(error: Any, paths: Mapping[str, str] | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"level": "warning", "message": {"text": error.message}}
    physical = _physical(repo_path(error.file, paths), error.line)
    if physical is not None:
        entry["locations"] = [{"physicalLocation": physical}]
    return entry


def to_document(report: Report, paths: Mapping[str, str] | None = None) -> dict[str, Any]:
    rules = list(report.rules.values())
    rule_index = {rule.id: index for index, rule in enumerate(rules)}
    items = locate(report, paths)
    fallback = repo_path(report.inputs[0], paths) if report.inputs else None
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
                "toolExecutionNotifications": [_notification(e, paths) for e in report.errors],
            }
        ],
        "results": [_result(item, rule_index, paths, fallback) for item in items],
        "properties": {"pack": report.pack, "packVersion": report.pack_version},
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render(report: Report, color: bool = False, paths: Mapping[str, str] | None = None) -> str:
    return json.dumps(to_document(report, paths), indent=2, ensure_ascii=False) + "\n"
