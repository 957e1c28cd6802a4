"""The text report for people at a terminal: grouped by resource, file:line first, no noise."""

from __future__ import annotations

from collections import Counter, defaultdict

import click

from scanner.model import Finding, Report, Severity, Unknown

_COLORS = {Severity.CRITICAL: "magenta", Severity.HIGH: "red", Severity.MEDIUM: "yellow", Severity.LOW: "cyan", Severity.INFO: "white"}


def _style(text: str, color: bool, **kwargs) -> str:
    return click.style(text, **kwargs) if color else text


def render(report: Report, color: bool = False, show_suppressed: bool = False) -> str:
    lines: list[str] = []
    by_address: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        if finding.suppressed and not show_suppressed:
            continue
        by_address[finding.address].append(finding)
    by_plain = {a.resource.address: a for a in report.assessments}
    for address, findings in sorted(by_address.items(), key=lambda kv: (kv[1][0].origin.file or "", kv[1][0].origin.line or 0, kv[0])):
        first = findings[0]
        assessment = by_plain.get(address)
        context = ""
        if assessment is not None:
            h, c = assessment.hosting, assessment.classification
            cloud = "?" if isinstance(h.cloud, Unknown) else h.cloud
            region = "region unknown" if isinstance(h.region, Unknown) else h.region
            country = "" if isinstance(h.countries, Unknown) or not h.countries else " " + ",".join(sorted(h.countries))
            level = c.level or c.status
            workload = f", workload {c.workload}" if c.workload else ""
            context = f"  [{cloud} {region}{country} · {level}{workload}]"
        lines.append(_style(f"{first.origin}", color, bold=True) + f"  {address}" + _style(context, color, dim=True))
        for finding in sorted(findings, key=lambda f: (-f.severity, f.rule)):
            tag = f"{str(finding.severity).upper():8}"
            suppressed = " (suppressed)" if finding.suppressed else ""
            lines.append(f"  {_style(tag, color, fg=_COLORS.get(finding.severity), bold=True)} {finding.rule}{suppressed}")
            lines.append(f"           {finding.message}")
            rule = report.rules.get(finding.rule)
            if rule is not None and rule.references:
                lines.append(_style(f"           ↳ {'; '.join(rule.references)}", color, dim=True))
        lines.append("")
    if report.errors:
        lines.append(_style(f"Input problems ({len(report.errors)})", color, bold=True))
        for error in report.errors:
            lines.append(f"  {error}")
        lines.append("")
    if report.uncalled_modules:
        lines.append(_style(f"Modules nothing calls, not judged as root modules ({len(report.uncalled_modules)})", color, bold=True))
        lines.append("  " + ", ".join(report.uncalled_modules))
        lines.append("")
    lines.append(_summary(report, color))
    return "\n".join(lines) + "\n"


def _summary(report: Report, color: bool) -> str:
    active = [f for f in report.findings if not f.suppressed]
    counts = Counter(f.severity for f in active)
    parts = [f"{counts[s]} {str(s)}" for s in sorted(counts, reverse=True)]
    resources = len(report.assessments)
    judged = sum(1 for a in report.assessments if a.resource.holds_data)
    text = f"{resources} resources ({judged} holding data), {len(active)} findings"
    if parts:
        text += " (" + ", ".join(parts) + ")"
    suppressed = len(report.findings) - len(active)
    if suppressed:
        text += f", {suppressed} suppressed"
    if report.errors:
        text += f", {len(report.errors)} input problems"
        if report.incomplete:
            text += " (part of the input not judged)"
    text += f" · pack {report.pack} {report.pack_version} · sovscan {report.tool_version}"
    return _style(text, color, bold=bool(active))
