"""Markdown for pull-request comments and ``$GITHUB_STEP_SUMMARY``: a compact table first, details folded.

GitHub-flavoured Markdown: a severity count line, one table row per active
finding, then ``<details>`` sections for the messages and references, the
suppressed findings with their justification, and the input problems.
Text from the scanned repository is escaped so it cannot break the table or
inject HTML. Long reports are cut at ``max_rows`` findings (GitHub refuses
comments over 65,536 characters); the JSON and SARIF reports keep them all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from scanner.model import Report, Severity
from scanner.model.located import Located, locate, repo_path

MARKS = {Severity.CRITICAL: "🟣", Severity.HIGH: "🔴", Severity.MEDIUM: "🟠", Severity.LOW: "🟡", Severity.INFO: "⚪"}
ORDER = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO)


def _escape(text: object) -> str:
    """Plain text in a table cell or a paragraph: no HTML, no cell break, one line."""
    value = "" if text is None else str(text)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _code(text: object) -> str:
    value = ("" if text is None else str(text)).replace("\n", " ").replace("|", "\\|")
    fence = "``" if "`" in value else "`"
    return f"{fence} {value} {fence}" if fence == "``" else f"`{value}`"


def _where(item: Located) -> str:
    if not item.file:
        return "-"
    return _code(f"{item.file}:{item.line}" if item.line else item.file)


def _severity(severity: Severity) -> str:
    return f"{MARKS.get(severity, '')} {severity}".strip()


def render(report: Report, color: bool = False, paths: Mapping[str, str] | None = None, max_rows: int = 100) -> str:
    items = locate(report, paths)
    active = [i for i in items if not i.finding.suppressed]
    suppressed = [i for i in items if i.finding.suppressed]
    active.sort(key=lambda i: (-i.finding.severity, i.file or "", i.line or 0, i.finding.rule, i.finding.address))
    counts = Counter(i.finding.severity for i in active)
    out: list[str] = []
    if active:
        out.append(f"### sovscan: {len(active)} finding{'s' if len(active) != 1 else ''}")
    else:
        out.append("### sovscan: no finding")
    out.append("")
    out.append(" · ".join(f"{_severity(s)}: **{counts[s]}**" for s in ORDER))
    out.append("")
    shown = active[:max_rows]
    if shown:
        out += ["| Severity | Rule | Resource | Location |", "| --- | --- | --- | --- |"]
        for item in shown:
            f = item.finding
            out.append(f"| {_severity(f.severity)} | {_code(f.rule)} | {_code(f.address)} | {_where(item)} |")
        if len(active) > len(shown):
            out.append("")
            out.append(f"… and {len(active) - len(shown)} more findings: see the full report (JSON or SARIF).")
        out.append("")
        out.append(f"<details><summary>Why each finding matters ({len(shown)})</summary>")
        out.append("")
        for item in shown:
            f = item.finding
            out.append(f"- **{_severity(f.severity)}** {_code(f.rule)} on {_code(f.address)} at {_where(item)}  ")
            out.append(f"  {_escape(f.message)}")
            if item.declared_at:
                out.append(f"  Declared at {_code(item.declared_at)}, inside the remote module called there.")
            rule = report.rules.get(f.rule)
            if rule is not None and rule.references:
                out.append(f"  References: {_escape('; '.join(rule.references))}")
        out.append("")
        out.append("</details>")
        out.append("")
    if suppressed:
        out.append(f"<details><summary>Suppressed findings ({len(suppressed)})</summary>")
        out.append("")
        out += ["| Rule | Resource | Location | Kind | Reason | Until | Approver |", "| --- | --- | --- | --- | --- | --- | --- |"]
        for item in suppressed[:max_rows]:
            f, s = item.finding, item.finding.suppression or {}
            out.append(
                f"| {_code(f.rule)} | {_code(f.address)} | {_where(item)} | {_escape(s.get('kind'))} | {_escape(s.get('reason'))} | {_escape(s.get('until') or '-')} | {_escape(s.get('approver') or '-')} |"
            )
        if len(suppressed) > max_rows:
            out.append("")
            out.append(f"… and {len(suppressed) - max_rows} more.")
        out.append("")
        out.append("</details>")
        out.append("")
    if report.errors:
        out.append(f"<details><summary>Input problems ({len(report.errors)})</summary>")
        out.append("")
        for error in report.errors[:max_rows]:
            where = repo_path(error.file, paths) or "-"
            if error.line:
                where += f":{error.line}"
            out.append(f"- {_code(where)} {_escape(error.message)}")
        if len(report.errors) > max_rows:
            out.append(f"- … and {len(report.errors) - max_rows} more.")
        out.append("")
        out.append("</details>")
        out.append("")
    judged = sum(1 for a in report.assessments if a.resource.holds_data)
    out.append(f"<sub>{len(report.assessments)} resources ({judged} holding data) · pack {_escape(report.pack)} {_escape(report.pack_version)} · sovscan {_escape(report.tool_version)}</sub>")
    return "\n".join(out) + "\n"
