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
- ``partialFingerprints["sovscan/v1"]`` hashes (rule, address, root
  modules), never the line, for SARIF consumers that track results by it.
  GitHub uses no fingerprint but ``primaryLocationLineHash``, which
  upload-sarif computes from the text around the result's line: it follows
  an alert while that text is unchanged, and sees two results of one rule on
  one line as one alert;
- so a resource of a shared module, judged under several root modules, is
  one result per (rule, line, address) whose message names every root module
  and links, as related locations, the module call of each
  (``Root modules [envs/dev](1), [envs/prod](2): …``, or ``In root module
  [envs/dev](1): … In root module [envs/prod](2): …`` when the message
  differs by root), at the highest of their severities. Separate results per root would carry the same line hash and
  GitHub would keep one of them, naming one root; a result's first location
  is the only one GitHub shows, and related locations only as links in the
  message. Results differing in suppression stay apart. In a file judged
  under several roots, a result of one root names it the same way;
- GitHub's limits (docs: "SARIF support for code scanning", "SARIF results
  exceed one or more limits"): 25,000 results per run (a file with more is
  rejected whole; of a run it takes, GitHub shows the 5,000 most severe), 25,000 rules,
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

import hashlib
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
MAX_LINKED_ROOTS = 100  # related locations per result that GitHub shows (of the 1,000 it takes)
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


def _link_text(root: str) -> str:
    return root.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")  # a folder name comes from the repository


def _message(group: list[Located], paths: Mapping[str, str] | None, name_roots: bool) -> tuple[str, list[dict[str, Any]]]:
    """The result's text, naming the root modules (each linked to its module call) when ``name_roots``; and the related locations."""

    def text(item: Located) -> str:
        message = item.finding.message
        if item.declared_at:
            message += f" (declared at {item.declared_at}, inside the remote module called here)"
        return message

    if not name_roots or not group[0].root:
        return text(group[0]), []
    related: list[dict[str, Any]] = []
    names = []
    for item in group:
        call = _root_call(item, paths) if len(related) < MAX_LINKED_ROOTS else None
        if call is None:
            names.append(item.root)
            continue
        related.append({"id": len(related) + 1, "physicalLocation": call, "message": {"text": f"The module call in root module {item.root}"}})
        names.append(f"[{_link_text(item.root)}]({len(related)})")
    texts = [text(item) for item in group]
    if len(set(texts)) > 1:  # the same rule fails differently in each root (another region, say): each root says how
        return " ".join(f"In root module {name}: {_root_message(t)}" for name, t in zip(names, texts, strict=True)), related
    head = f"Root module {names[0]}" if len(group) == 1 else f"Root modules {', '.join(names)}"
    return f"{head}: {_root_message(texts[0])}", related


def _result(group: list[Located], rule_index: Mapping[str, int], paths: Mapping[str, str] | None, name_roots: bool) -> dict[str, Any]:
    """One SARIF result for findings of one rule on one resource line, under one root module or several (most severe first)."""
    item = group[0]
    finding = item.finding
    message, related = _message(group, paths, name_roots)
    location: dict[str, Any] = {}
    # GitHub rejects the whole file when one result lacks a physical location: a resource
    # without a file (a cloud inventory) points at a stable path naming its account and region
    location["physicalLocation"] = _physical(item.file, item.line) or {"artifactLocation": artifact_location(inventory_path(item))}
    location["logicalLocations"] = [{"fullyQualifiedName": finding.address, "kind": "resource"}]
    fingerprint = item.fingerprint if len(group) == 1 else hashlib.sha256("\0".join(sorted(x.fingerprint for x in group)).encode()).hexdigest()
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": LEVELS.get(finding.severity, "warning"),
        "message": {"text": message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT: fingerprint},
        "properties": {"address": finding.address, "root": item.root, "severity": str(finding.severity)},
    }
    if len(group) > 1:
        result["properties"]["roots"] = [x.root for x in group]
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


def grouped(items: list[Located]) -> list[list[Located]]:
    """Findings of one rule on one resource line under several root modules, together (one GitHub alert); the others alone. Report order."""
    groups: dict[tuple, list[Located]] = {}
    for index, item in enumerate(items):
        f = item.finding
        key = (f.rule, item.file, item.line, f.address, f.suppressed, item.declared_at) if item.file and item.root else (index,)
        groups.setdefault(key, []).append(item)
    return [sorted(group, key=lambda x: (-x.finding.severity, x.root)) for group in groups.values()]


def _kept(groups: list[list[Located]], limit: int) -> tuple[list[list[Located]], list[list[Located]]]:
    """The ``limit`` results GitHub can take, most severe first (active before suppressed), in report order; and the others."""
    if len(groups) <= limit:
        return groups, []
    ranked = sorted(range(len(groups)), key=lambda i: (groups[i][0].finding.suppressed, -groups[i][0].finding.severity, i))
    keep = set(ranked[:limit])
    return [x for i, x in enumerate(groups) if i in keep], [x for i, x in enumerate(groups) if i not in keep]


def _left_out_notification(left_out: list[list[Located]], total: int, limit: int) -> dict[str, Any]:
    counts = Counter(str(group[0].finding.severity) for group in left_out)
    by_severity = {str(s): counts[str(s)] for s in sorted(Severity, reverse=True) if counts[str(s)]}
    detail = ", ".join(f"{n:,} {s}" for s, n in by_severity.items())
    suppressed = sum(1 for group in left_out if group[0].finding.suppressed)
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
    groups = grouped(items)
    kept, left_out = _kept(groups, max_results)
    roots = roots_by_file(report, items, paths)
    notifications = [_notification(e, paths) for e in report.errors]
    if left_out:
        notifications.insert(0, _left_out_notification(left_out, len(groups), max_results))
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
        "results": [_result(group, rule_index, paths, len(roots.get(group[0].file or "", ())) > 1) for group in kept],
        "properties": {"pack": report.pack, "packVersion": report.pack_version, **({"asOf": report.as_of} if report.as_of else {})},
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render(report: Report, color: bool = False, paths: Mapping[str, str] | None = None) -> str:
    return json.dumps(to_document(report, paths), indent=2, ensure_ascii=False) + "\n"
