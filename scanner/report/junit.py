"""JUnit XML, for the test report views of GitLab, Jenkins, Azure DevOps and the like.

Convention (the Ant/Surefire JUnit XML most CI servers read: ``testsuites``
> ``testsuite`` > ``testcase`` > ``failure`` | ``error`` | ``skipped``):

- one ``testsuite`` per enabled rule of the pack, named after the rule,
  with the rule's severity and the ``--fail-on`` threshold as properties;
- one ``testcase`` per (rule, resource) finding, named after the resource
  address and its root module (``aws_s3_bucket.b (root module envs/prod)``:
  one module called by two roots gives two distinct tests), ``classname``
  the rule, with ``file`` and ``line`` attributes;
- only a finding at or above ``--fail-on`` is a ``failure`` (``type`` is the
  severity), so the failed tests are exactly what fails the job. A finding
  below it is ``skipped``, its message saying so and its text holding the
  details, and so is a suppressed finding, with its justification. Skipped
  rather than passed: GitLab's test report shows a skipped test's text
  (``skipped`` is its "system output") but nothing of a passed one, and
  Jenkins counts and lists skipped tests apart without marking the build
  unstable; a passed test would hide the finding;
- a rule with no finding has one passing ``testcase`` named
  ``no finding``, so every rule shows up as checked;
- input problems are a last suite, ``input-problems``, one ``error`` each.

No timestamps and no durations: the same scan gives the same file.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Mapping

from scanner.model import Report, Severity
from scanner.model.located import Located, locate, repo_path

_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: object) -> str:
    """XML 1.0 cannot carry most control characters, which a scanned file may hold."""
    return _NOT_XML.sub("\ufffd", "" if value is None else str(value))


def _details(item: Located, report: Report) -> str:
    f = item.finding
    lines = [f.message, "", f"resource: {f.address}", f"location: {item.file}:{item.line}" if item.file else "location: -"]
    if item.declared_at:
        lines.append(f"declared at: {item.declared_at} (inside the remote module called at the location)")
    if item.root:
        lines.append(f"root module: {item.root}")
    rule = report.rules.get(f.rule)
    if rule is not None and rule.references:
        lines.append("references: " + "; ".join(rule.references))
    return "\n".join(lines)


def test_name(item: Located) -> str:
    address = item.finding.address
    return f"{address} (root module {item.root})" if item.root else address


def _testcase(parent: ET.Element, item: Located, report: Report, threshold: Severity) -> str:
    f = item.finding
    case = ET.SubElement(parent, "testcase", {"name": _text(test_name(item)), "classname": _text(f.rule)})
    if item.file:
        case.set("file", _text(item.file))
    if item.line:
        case.set("line", str(item.line))
    if f.suppressed:
        s = f.suppression or {}
        until = f" until {s['until']}" if s.get("until") else ""
        ET.SubElement(case, "skipped", {"message": _text(f"suppressed ({s.get('kind')}{until}): {s.get('reason')}")})
        return "skipped"
    if f.severity < threshold:
        below = ET.SubElement(case, "skipped", {"message": _text(f"{f.severity} finding, below --fail-on {threshold}: {f.message}")})
        below.text = _text(_details(item, report))
        return "skipped"
    failure = ET.SubElement(case, "failure", {"message": _text(f.message), "type": str(f.severity)})
    failure.text = _text(_details(item, report))
    return "failure"


def render(report: Report, color: bool = False, paths: Mapping[str, str] | None = None, fail_on: str = "high") -> str:
    """``fail_on``: the threshold the exit code uses (``never``: no finding fails)."""
    threshold = Severity.parse(fail_on)
    by_rule: dict[str, list[Located]] = defaultdict(list)
    for item in locate(report, paths):
        by_rule[item.finding.rule].append(item)
    rule_ids = [r.id for r in report.rules.values() if r.enabled]
    rule_ids += sorted(r for r in by_rule if r not in rule_ids)  # findings of rules the report does not describe
    root = ET.Element("testsuites", {"name": "sovscan"})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for rule_id in rule_ids:
        suite = ET.SubElement(root, "testsuite", {"name": rule_id})
        rule = report.rules.get(rule_id)
        properties = ET.SubElement(suite, "properties")
        if rule is not None:
            ET.SubElement(properties, "property", {"name": "severity", "value": str(rule.severity)})
        ET.SubElement(properties, "property", {"name": "fail-on", "value": fail_on})
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        items = by_rule.get(rule_id, [])
        for item in items:
            outcome = _testcase(suite, item, report, threshold)
            counts["failures" if outcome == "failure" else "skipped"] += 1
        if not items:
            ET.SubElement(suite, "testcase", {"name": "no finding", "classname": rule_id})
        counts["tests"] = max(len(items), 1)
        _count(suite, counts, totals)
    if report.errors:
        suite = ET.SubElement(root, "testsuite", {"name": "input-problems"})
        for error in report.errors:
            where = repo_path(error.file, paths) or "-"
            case = ET.SubElement(suite, "testcase", {"name": _text(f"{where}:{error.line}" if error.line else where), "classname": "input-problems"})
            if error.file:
                case.set("file", _text(where))
            if error.line:
                case.set("line", str(error.line))
            ET.SubElement(case, "error", {"message": _text(error.message)}).text = _text(str(error))
        _count(suite, {"tests": len(report.errors), "failures": 0, "errors": len(report.errors), "skipped": 0}, totals)
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _count(suite: ET.Element, counts: dict[str, int], totals: dict[str, int]) -> None:
    for key, value in counts.items():
        suite.set(key, str(value))
        totals[key] += value
