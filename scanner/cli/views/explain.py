"""``scan --explain ADDRESS``: the chain behind one resource's region and sensitivity."""

from __future__ import annotations

from scanner.model import Report, Unknown
from scanner.model.evidence import value


def render_explanation(report: Report, address: str) -> str:
    matches = [a for a in report.assessments if a.resource.address == address]
    if not matches:
        close = sorted(a.resource.address for a in report.assessments if address.split("[")[0] in a.resource.address)[:5]
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        return f"No resource {address} in this scan.{hint}\n"
    out = []
    for a in matches:
        r, c, h = a.resource, a.classification, a.hosting
        out.append(f"{r.address}  ({r.origin}{', root ' + r.root if r.root else ''})")
        out.append(f"  provider {r.provider} → cloud {value(h.cloud)}, region {value(h.region)}, countries {value(h.countries)}")
        if isinstance(r.region, Unknown):
            out.append(f"  region unknown: {r.region.reason}")
        out.append("  region chain:")
        for step in r.trace or ():
            out.append(f"    {step}")
        if not r.trace:
            out.append("    (no chain: the value is a literal or unknown)")
        out.append(f"  sensitivity: {c.level or c.status} (classes: {', '.join(sorted(c.classes)) or 'none'}; workload: {c.workload or 'none'})")
        for step in c.evidence:
            out.append(f"    {step}")
        out.append(f"  operator: {value(h.operator)} — exposure {value(h.exposure)}")
        for scheme, status in sorted(h.certifications.items()):
            out.append(f"  {scheme}: {value(status.holds)} — {status.why}")
        for fact in h.facts:
            out.append(f"    fact: {fact.what} [{', '.join(fact.sources)}; {fact.confidence}; verified {fact.verified_at}]")
        findings = [f for f in report.findings if f.address == r.address]
        out.append(f"  findings: {', '.join(f.rule for f in findings) or 'none'}")
        out.append("")
    return "\n".join(out) + "\n"
