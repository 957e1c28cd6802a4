"""Compose the audit into blocks, in one language: what the report says and in which order.

The order follows what a security officer asks: the verdict and its
numbers; where the data lives; each workload; each finding with its chain
of evidence (tag → level → requirement → hosting and catalog facts → legal
reference); what was suppressed and why; the trend; the catalog facts to
re-check; the run itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scanner.report.html import svg as html_svg
from scanner.report.html.blocks import (
    Badge,
    Block,
    Code,
    Figure,
    Item,
    Items,
    Link,
    Pair,
    Pairs,
    Para,
    Row,
    Section,
    Small,
    Spans,
    Strong,
    Table,
)
from scanner.report.html.i18n import Strings
from scanner.report.html.model import SEVERITIES, TRUST, UNKNOWN, Audit, Fact, FindingView, ResourceView, Trend

SEVERITY_ICONS = {"critical": "‼", "high": "▲", "medium": "◆", "low": "▼", "info": "ℹ"}
VERDICT_ICONS = {"non_compliant": "✗", "reservations": "⚠", "compliant": "✓", "empty": "?"}
TRUST_ICONS = {"secnumcloud": "✓", "eu_not_exposed": "●", "eu_exposed": "◐", "outside_eu": "○", "unknown": "?"}


@dataclass(frozen=True)
class Page:
    lang: str
    title: str
    lead: tuple[Block, ...]
    sections: tuple[Section, ...]
    contents_label: str


def compose(audit: Audit, s: Strings) -> Page:
    sections = [
        _verdict(audit, s),
        _where(audit, s),
        _workloads(audit, s),
        _findings(audit, s),
        _suppressed(audit, s),
    ]
    if audit.trend is not None:
        sections.append(_trend(audit.trend, s))
    sections.append(_facts(audit, s))
    if audit.rules and _rules_used(audit):
        sections.append(_rules(audit, s))
    if audit.errors:
        sections.append(_errors(audit, s))
    sections.append(_metadata(audit, s))
    lead: list[Block] = [
        Para((s("subtitle"),), "lead"),
        Para((s("generated_by", version=audit.tool_version, pack=audit.pack, pack_version=audit.pack_version),)),
    ]
    if not any(key == "generated_at" for key, _ in audit.extra_metadata):
        lead.append(Para((s("no_timestamp"),), "note"))
    return Page(s.lang, s("title"), tuple(lead), tuple(sections), s("contents"))


# -- small pieces -----------------------------------------------------------


def severity_badge(severity: str, s: Strings) -> Badge:
    return Badge(f"sev sev-{severity}", SEVERITY_ICONS.get(severity, "•"), s.severity(severity))


def trust_badge(trust: str, s: Strings) -> Badge:
    return Badge(f"trust trust-{trust}", TRUST_ICONS[trust], s.trust(trust))


def _anchor(*parts: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-") or "section"


def _num(n: int) -> Spans:
    return (str(n),)


def _hosting_name(cloud: str, offer: str | None, s: Strings) -> str:
    name = s("unknown_value") if cloud == UNKNOWN else cloud
    return f"{name} · {offer}" if offer else name


def _value(text: Any, s: Strings) -> str:
    if text is None or text == UNKNOWN or text == []:
        return s("unknown_value")
    if isinstance(text, list):
        return ", ".join(str(t) for t in text)
    return str(text)


# -- sections ---------------------------------------------------------------


def _verdict(audit: Audit, s: Strings) -> Section:
    blocking = sum(audit.by_severity[sev] for sev in ("critical", "high"))
    total = sum(audit.by_severity.values())
    count = blocking if audit.verdict == "non_compliant" else total
    resources = audit.blocking_resources if audit.verdict == "non_compliant" else audit.finding_resources
    text = s(f"verdict_{audit.verdict}_text", findings=s.n("findings", count), resources=s.n("resources", resources))
    verdict = Badge(f"verdict verdict-{audit.verdict}", VERDICT_ICONS[audit.verdict], s(f"verdict_{audit.verdict}"))
    blocks: list[Block] = [Para((verdict, s("colon"), text), "verdict")]
    if audit.errors:
        blocks.append(Para((Strong(s("verdict_incomplete", problems=s.n("problems", len(audit.errors)))),), "warning"))
    if audit.suppressed:
        blocks.append(Para((s("verdict_suppressed", suppressed=s.n("suppressed", len(audit.suppressed))),), "note"))
    blocks.append(
        Pairs(
            (
                Pair(s("figure_resources"), _num(len(audit.resources)), "resources"),
                Pair(s("figure_holding_data"), _num(len(audit.holding_data)), "holding-data"),
                Pair(s("figure_findings"), _num(total), "findings"),
                Pair(s("figure_suppressed"), _num(len(audit.suppressed)), "suppressed"),
                Pair(s("figure_errors"), _num(len(audit.errors)), "errors"),
            ),
            "key-figures",
        )
    )
    blocks.append(
        Table(
            s("by_severity_caption"),
            (s("severity"), s("count")),
            tuple(Row(((severity_badge(sev, s),), _num(audit.by_severity[sev])), sev) for sev in SEVERITIES),
            name="by-severity",
            numeric=frozenset({1}),
            foot=Row(((s("total"),), _num(total)), "total"),
        )
    )
    return Section((s("verdict"),), tuple(blocks), "verdict")


def _where(audit: Audit, s: Strings) -> Section:
    rows: list[str | None] = list(audit.levels)
    if any(r.level is None for r in audit.holding_data):
        rows.append(None)
    counts = [[audit.matrix.get((level, trust), 0) for trust in TRUST] for level in rows]
    row_labels = [s.level(level) for level in rows]
    matrix_svg = html_svg.matrix_chart(
        "chart-matrix", s("matrix_title"), s("matrix_desc"), row_labels, [(s.trust(t), f"fill-trust-{t}") for t in TRUST], counts
    )
    matrix_table = Table(
        s("matrix_caption"),
        (s("level"), *[s.trust(t) for t in TRUST], s("total")),
        tuple(Row(((s.level(level),), *[_num(n) for n in line], _num(sum(line))), level or "none") for level, line in zip(rows, counts, strict=True)),
        name="matrix",
        column_keys=("level", *TRUST, "total"),
        numeric=frozenset(range(1, len(TRUST) + 2)),
        foot=Row(((s("total"),), *[_num(sum(line[j] for line in counts)) for j in range(len(TRUST))], _num(len(audit.holding_data))), "total"),
    )
    places = Table(
        s("places_caption"),
        (s("place"), s("country"), s("operator"), s("trust"), s("levels_here"), s("resources")),
        tuple(
            Row(
                (
                    (_hosting_name(p.cloud, p.offer, s), " ", Code(p.region)),
                    (_value(p.country, s),),
                    (_value(p.operator, s),),
                    (trust_badge(p.trust, s),),
                    ("; ".join(f"{s.level(level)} ({n})" for level, n in p.levels),),
                    _num(p.resources),
                )
            )
            for p in audit.places
        ),
        name="places",
        numeric=frozenset({5}),
    )
    providers = _bar_figure("chart-providers", "by-provider", s("providers_title"), s("providers_caption"), s("provider"), audit.by_cloud, s)
    countries = _bar_figure("chart-countries", "by-country", s("countries_title"), s("countries_caption"), s("country"), audit.by_country, s)
    return Section(
        (s("where"),),
        (
            Section((s("matrix_title"),), (Figure(matrix_svg, matrix_table), Para((s("trust_note"),), "note"), places), "matrix"),
            Section((s("providers_title"),), (providers,), "providers"),
            Section((s("countries_title"),), (countries,), "countries"),
        ),
        "where",
    )


def _bar_figure(chart_id: str, name: str, title: str, caption: str, column: str, bars: Sequence[tuple[str, int]], s: Strings) -> Figure:
    labels = [(s("unknown_value") if label == UNKNOWN else label, n) for label, n in bars]
    svg = html_svg.bar_chart(chart_id, title, s("chart_desc_bars"), labels)
    table = Table(
        caption,
        (column, s("resources")),
        tuple(Row(((label,), _num(n)), key) for (label, n), (key, _) in zip(labels, bars, strict=True)),
        name=name,
        numeric=frozenset({1}),
    )
    return Figure(svg, table)


def _resource_row(r: ResourceView, s: Strings) -> Row:
    kind = r.type if r.holds_data else f"{r.type} — {s('no_data')}"
    region = s("region_unknown_because", reason=r.region_unknown_reason) if r.region_unknown_reason else _value(r.region, s)
    return Row(
        (
            (Code(r.address), " ", Small(kind)),
            (s.level(r.level),),
            (_hosting_name(r.cloud, r.offer, s), ", ", region, f" ({_value(r.country, s)})"),
            (trust_badge(r.trust, s),),
            _num(r.findings),
            (Code(r.origin),),
        ),
        r.address,
    )


def _workloads(audit: Audit, s: Strings) -> Section:
    head = (s("resource"), s("level"), s("hosting"), s("trust"), s("findings_column"), s("declared_at"))
    sections = []
    for w in audit.workloads:
        if w.name is None:
            intro: tuple[Para, ...] = ()
            title, caption = (s("no_workload"),), s("no_workload_caption")
        else:
            title = (s("workload_heading", name=w.name),)
            caption = s("workload_caption", name=w.name)
            intro = (Para((s("workload_level", level=s.level(w.level)),)),)
        table = Table(caption, head, tuple(_resource_row(r, s) for r in w.resources), name="workload", numeric=frozenset({4}))
        sections.append(Section(title, (*intro, table), _anchor("workload", w.name or "none")))
    return Section((s("workloads"),), tuple(sections), "workloads")


def _findings(audit: Audit, s: Strings) -> Section:
    if not audit.findings:
        return Section((s("findings"),), (Para((s("no_findings"),)),), "findings")
    return Section((s("findings"),), tuple(_finding(f, i, audit, s) for i, f in enumerate(audit.findings, 1)), "findings")


def _finding(f: FindingView, index: int, audit: Audit, s: Strings) -> Section:
    title: Spans = (severity_badge(f.severity, s), " ", Code(f.rule), " — ", Code(f.address))
    facts: list[Pair] = [Pair(s("where_declared"), (Code(f.origin),), "origin")]
    if f.root and f.root != ".":  # "." is the only root of a one-folder scan: saying so is noise
        facts.append(Pair(s("root"), (Code(f.root),), "root"))
    blocks: list[Block] = [Para((f.message,), "message"), Pairs(tuple(facts), "finding")]
    if f.copy:
        origin = f.copy.get("origin") or {}
        where = f"{origin.get('file')}:{origin.get('line')}" if origin.get("file") else "-"
        blocks.append(Para((s("copy_location", kind=f.copy.get("kind", "?"), origin=where),), "note"))
    blocks.append(Section((s("chain"),), (Items(_chain(f, audit, s), ordered=True, kind="chain"),), f"finding-{index}-chain"))
    return Section(title, tuple(blocks), f"finding-{index}", "finding")


def _step_item(step) -> Item:
    return Item((Code(step.what), " = ", step.value, f" ({step.origin})"))


def _chain(f: FindingView, audit: Audit, s: Strings) -> tuple[Item, ...]:
    tags = tuple(_step_item(t) for t in f.tags)
    tag = Item((Strong(s("chain_tag")),), (Items(tags),)) if tags else Item((Strong(s("chain_tag")), s("colon"), s("chain_no_tag")))
    level_text = s(
        "chain_level_text",
        level=s.level(f.level),
        classes=", ".join(s.level(c) for c in f.classes) or s("none_value"),
        workload=f.workload or s("none_value"),
        status=s.term("status", f.status),
    )
    level = Item((Strong(s("chain_level")), s("colon"), level_text))
    rule = audit.rules.get(f.rule, {})
    requirement_text = f.requirement or rule.get("summary") or f.rule
    unverified = tuple(Item((Code(r), " ", s("chain_unverified", reason=reason))) for r, reason in f.unverified)
    requirement = Item(
        (Strong(s("chain_requirement")), s("colon"), requirement_text),
        (Items(unverified),) if unverified else (),
    )
    h = f.hosting
    laws = h.get("laws") or []
    hosting_text = s(
        "hosting_text",
        cloud=_value(h.get("cloud"), s),
        offer=_value(h.get("offer"), s),
        region=_value(h.get("region"), s),
        countries=_value(h.get("countries"), s),
        operator=_value(h.get("operator"), s),
        jurisdiction=_value(h.get("jurisdiction"), s),
        exposure=s.term("exposure", str(h.get("exposure", UNKNOWN))),
        laws=f" ({', '.join(laws)})" if laws else "",
    )
    hosting_children: list[Item] = [
        Item((s("qualification_text", scheme=q.scheme, holds=s(f"holds_{q.holds}"), why=q.why),)) for q in f.qualifications
    ]
    if f.region_trace:
        hosting_children.append(Item((s("chain_region"),), (Items(tuple(_step_item(t) for t in f.region_trace)),)))
    hosting = Item((Strong(s("chain_hosting")), s("colon"), hosting_text), (Items(tuple(hosting_children)),) if hosting_children else ())
    facts = Item(
        (Strong(s("chain_facts")),) if f.facts else (Strong(s("chain_facts")), s("colon"), s("chain_none")),
        (Items(tuple(Item(fact_spans(x, s)) for x in f.facts)),) if f.facts else (),
    )
    references = Item((Strong(s("chain_reference")), s("colon"), "; ".join(f.references) or s("chain_none")))
    return (tag, level, requirement, hosting, facts, references)


def fact_spans(fact: Fact, s: Strings) -> Spans:
    spans: list = []
    if fact.confidence != "confirmed":
        spans += [Badge("unconfirmed", "⚠", s("unconfirmed")), " "]
    verified = s("verified_on", date=fact.verified_at) if fact.verified_at else s("not_verified")
    spans.append(f"{fact.what} [{'; '.join([', '.join(fact.sources), verified] if fact.sources else [verified])}]")
    for url in fact.urls:
        spans += [" ", Link(url, url)]
    return tuple(spans)


# The suppression record of scanner/evaluate/suppress.py (Suppression.as_json) and scanner/evaluate/baseline.py.
_JUSTIFICATION = ("reason", "justification")
_EXPIRY = ("until", "expires")
_SHOWN = {*_JUSTIFICATION, *_EXPIRY, "approver", "kind", "file", "line"}


def _first(record: Mapping[str, Any], keys: Sequence[str]) -> str | None:
    return next((str(record[k]) for k in keys if record.get(k)), None)


def _suppressed(audit: Audit, s: Strings) -> Section:
    if not audit.suppressed:
        return Section((s("suppressed"),), (Para((s("no_suppressed"),)),), "suppressed")
    rows = []
    for f in audit.suppressed:
        record = f.suppression
        justification = _first(record, _JUSTIFICATION)
        written = str(record.get("file") or "")
        if written and record.get("line"):
            written += f":{record['line']}"
        details = [f"{k}: {v}" for k, v in sorted(record.items()) if k not in _SHOWN and v not in (None, "", [], {})]
        how: Spans = (s.term("suppression", str(record.get("kind") or "-")),)
        if written:
            how += (" ", Code(written))
        if details:
            how += (" (" + "; ".join(details) + ")",)
        rows.append(
            Row(
                (
                    (Code(f.address),),
                    (Code(f.rule),),
                    (severity_badge(f.severity, s),),
                    (justification,) if justification else (Strong(s("no_justification")),),
                    (_first(record, _EXPIRY) or s("no_expiry"),),
                    (str(record.get("approver") or s("none_value")),),
                    how,
                ),
                f.rule + " " + f.address,
            )
        )
    table = Table(
        s("suppressed_caption"),
        (s("resource"), s("rule"), s("severity"), s("justification"), s("expires"), s("approver"), s("suppressed_by")),
        tuple(rows),
        name="suppressed",
    )
    return Section((s("suppressed"),), (table,), "suppressed")


def _change_table(name: str, caption: str, findings: Sequence[FindingView], s: Strings) -> Table:
    with_root = any(f.root not in (None, ".") for f in findings)  # one root: the column says nothing

    def cells(f: FindingView) -> tuple[Spans, ...]:
        root = ((f.root or "-",),) if with_root else ()
        return ((Code(f.address),), (Code(f.rule),), (severity_badge(f.severity, s),), *root, (Code(f.origin),))

    head = (s("resource"), s("rule"), s("severity"), *((s("root"),) if with_root else ()), s("declared_at"))
    return Table(caption, head, tuple(Row(cells(f), f.rule + " " + f.address) for f in findings), name=name)


def _trend(trend: Trend, s: Strings) -> Section:
    previous = len(trend.points) - 1
    changes = Table(
        s("changes_caption", name=trend.against),
        (s("change"), s("count")),
        (
            Row(((Badge("change change-new", "+", s("change_new")),), _num(len(trend.new))), "new"),
            Row(((Badge("change change-fixed", "−", s("change_fixed")),), _num(len(trend.fixed))), "fixed"),
            Row(((Badge("change change-unchanged", "=", s("change_unchanged")),), _num(len(trend.unchanged))), "unchanged"),
            Row(((Badge("change change-suppressed", "~", s("change_suppressed")),), _num(len(trend.suppressed_since))), "suppressed_since"),
        ),
        name="changes",
        numeric=frozenset({1}),
    )
    names = [p.name or s("this_report") for p in trend.points]
    severities = [(sev, s.severity(sev)) for sev in reversed(SEVERITIES)]
    svg = html_svg.trend_chart("chart-trend", s("trend_chart"), s("trend_desc"), [(n, p.by_severity) for n, p in zip(names, trend.points, strict=True)], severities)
    table = Table(
        s("trend_caption"),
        (s("report"), *[s.severity(sev) for sev in SEVERITIES], s("total")),
        tuple(
            Row(((n,), *[_num(p.by_severity.get(sev, 0)) for sev in SEVERITIES], _num(p.total)), f"report-{i}" if p.name else "current")
            for i, (n, p) in enumerate(zip(names, trend.points, strict=True), 1)
        ),
        name="trend",
        column_keys=("report", *SEVERITIES, "total"),
        numeric=frozenset(range(1, len(SEVERITIES) + 2)),
    )
    blocks: list[Block] = [Para((s("trend_intro", name=trend.against, count=previous),)), changes, Figure(svg, table)]
    if trend.new:
        blocks.append(_change_table("new-findings", s("new_caption"), trend.new, s))
    if trend.fixed:
        blocks.append(_change_table("fixed-findings", s("fixed_caption"), trend.fixed, s))
    if trend.suppressed_since:
        blocks.append(_change_table("suppressed-since", s("suppressed_since_caption"), trend.suppressed_since, s))
    return Section((s("trend"),), tuple(blocks), "trend")


def _facts(audit: Audit, s: Strings) -> Section:
    if not audit.facts:
        return Section((s("facts"),), (Para((s("facts_none"),)),), "facts")
    oldest = audit.facts[0].fact.verified_at or s("not_verified")
    rows = []
    for used in audit.facts:
        fact = used.fact
        sources: list = [", ".join(fact.sources) or s("none_value")]
        for url in fact.urls:
            sources += [" ", Link(url, url)]
        confidence = (Badge("unconfirmed", "⚠", s("unconfirmed")),) if fact.confidence != "confirmed" else (s("confirmed"),)
        rows.append(Row(((fact.what,), tuple(sources), (fact.verified_at or s("not_verified"),), confidence, _num(used.findings))))
    table = Table(
        s("facts_caption"),
        (s("fact"), s("sources"), s("verified"), s("confidence"), s("used_by")),
        tuple(rows),
        name="facts",
        numeric=frozenset({4}),
    )
    return Section((s("facts"),), (Para((s("facts_intro", oldest=oldest),)), table), "facts")


def _rules_used(audit: Audit) -> list[str]:
    fired = dict.fromkeys(f.rule for f in (*audit.findings, *audit.suppressed))
    return [r for r in fired if r in audit.rules]


def _rules(audit: Audit, s: Strings) -> Section:
    items = []
    for rule_id in sorted(_rules_used(audit)):
        rule = audit.rules[rule_id]
        children = (
            Para((Strong(s("rule_why")), s("colon"), str(rule.get("why", "")))),
            Para((Strong(s("references")), s("colon"), "; ".join(rule.get("references") or ()) or s("chain_none"))),
        )
        items.append(Item((Code(rule_id), " — ", str(rule.get("summary", ""))), children))
    return Section((s("rules"),), (Items(tuple(items)),), "rules")


def _errors(audit: Audit, s: Strings) -> Section:
    table = Table(
        s("errors_caption"),
        (s("file"), s("line"), s("message")),
        tuple(Row(((Code(str(e.get("file") or "-")),), (str(e.get("line") or "-"),), (str(e.get("message", "")),))) for e in audit.errors),
        name="errors",
    )
    return Section((s("errors"),), (Para((s("errors_intro"),)), table), "errors")


def _metadata(audit: Audit, s: Strings) -> Section:
    inputs: list = []
    for i, name in enumerate(audit.inputs):
        inputs += ([", "] if i else []) + [Code(name)]
    pairs = [
        Pair(s("meta_inputs"), tuple(inputs) or (s("none_value"),), "inputs"),
        Pair(s("meta_pack"), (f"{audit.pack} {audit.pack_version}",), "pack"),
        Pair(s("meta_tool"), (audit.tool_version,), "tool"),
        Pair(s("meta_schema"), (str(audit.schema_version),), "schema"),
    ]
    labels = {"as_of": s("meta_as_of"), "generated_at": s("meta_generated")}
    pairs += [Pair(labels[key], (value,), key) for key, value in audit.extra_metadata]
    if audit.trend is not None:
        pairs.append(Pair(s("meta_previous"), (", ".join(p.name for p in audit.trend.points if p.name),), "previous"))
    return Section((s("metadata"),), (Pairs(tuple(pairs), "metadata"),), "metadata")
