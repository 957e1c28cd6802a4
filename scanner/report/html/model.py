"""The audit, worked out from a JSON report document: what the report says, in no language.

Everything here reads the JSON contract (DESIGN.md and ``json_report.py``)
and nothing else, so ``scan --format html`` and ``sovscan report
saved.json`` tell the same story. A value the document does not know stays
unknown: a resource is never put in a more trusted column than the document
proves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scanner.model import Fact

SEVERITIES = ("critical", "high", "medium", "low", "info")  # most severe first
BLOCKING = ("critical", "high")  # what makes the verdict "not compliant"

# Hosting trust, most trusted first (the matrix columns).
TRUST = ("secnumcloud", "eu_not_exposed", "eu_exposed", "outside_eu", "unknown")

UNKNOWN = "unknown"


@dataclass(frozen=True)
class ResourceView:
    address: str
    type: str
    root: str | None
    cloud: str
    offer: str | None
    region: str
    country: str
    level: str | None
    workload: str | None
    holds_data: bool
    operator: str
    trust: str
    origin: str
    findings: int  # active findings on this resource
    region_unknown_reason: str | None


@dataclass(frozen=True)
class Workload:
    name: str | None  # None: the resources without a workload tag
    level: str | None
    resources: tuple[ResourceView, ...]


@dataclass(frozen=True)
class Place:
    """A place holding data: one cloud offer in one region, with the levels it holds."""

    cloud: str
    offer: str | None
    region: str
    country: str
    operator: str
    trust: str
    levels: tuple[tuple[str | None, int], ...]  # (level, resources), most sensitive first
    resources: int


@dataclass(frozen=True)
class Step:
    what: str
    value: str
    origin: str


@dataclass(frozen=True)
class Qualification:
    scheme: str
    holds: str  # "true" | "false" | "unknown"
    why: str


@dataclass(frozen=True)
class FindingView:
    rule: str
    severity: str
    address: str
    root: str | None
    message: str
    origin: str
    tags: tuple[Step, ...]
    level: str | None
    classes: tuple[str, ...]
    workload: str | None
    status: str
    requirement: str | None
    unverified: tuple[tuple[str, str], ...]  # (rule, reason)
    hosting: Mapping[str, Any]
    qualifications: tuple[Qualification, ...]
    region_trace: tuple[Step, ...]
    facts: tuple[Fact, ...]
    references: tuple[str, ...]
    copy: Mapping[str, Any] | None
    suppressed: bool
    suppression: Mapping[str, Any]
    sort_origin: tuple[str, int]  # (file, line), for the report order of DESIGN.md

    @property
    def key(self) -> tuple[str, str, str]:
        return finding_key(self.rule, self.address, self.root)


@dataclass(frozen=True)
class UsedFact:
    fact: Fact
    findings: int  # how many findings rely on it


@dataclass(frozen=True)
class TrendPoint:
    name: str
    by_severity: Mapping[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_severity.values())


@dataclass(frozen=True)
class Trend:
    against: str  # name of the most recent previous report
    points: tuple[TrendPoint, ...]  # the previous reports in the order given, then this one
    new: tuple[FindingView, ...]
    fixed: tuple[FindingView, ...]
    unchanged: tuple[FindingView, ...]
    suppressed_since: tuple[FindingView, ...]


@dataclass(frozen=True)
class Audit:
    tool_version: str
    pack: str
    pack_version: str
    schema_version: Any
    inputs: tuple[str, ...]
    extra_metadata: tuple[tuple[str, str], ...]  # (key, value) of optional run fields (as_of, generated_at)
    verdict: str  # non_compliant | reservations | compliant | empty
    resources: tuple[ResourceView, ...]
    findings: tuple[FindingView, ...]  # active, most severe first
    suppressed: tuple[FindingView, ...]
    by_severity: Mapping[str, int]
    blocking_resources: int  # resources with a high or critical finding
    finding_resources: int  # resources with any active finding
    levels: tuple[str, ...]  # level ids, most sensitive first
    matrix: Mapping[tuple[str | None, str], int]
    places: tuple[Place, ...]
    by_cloud: tuple[tuple[str, int], ...]
    by_country: tuple[tuple[str, int], ...]
    workloads: tuple[Workload, ...]
    facts: tuple[UsedFact, ...]
    rules: Mapping[str, Mapping[str, Any]]
    errors: tuple[Mapping[str, Any], ...]
    trend: Trend | None

    @property
    def holding_data(self) -> tuple[ResourceView, ...]:
        return tuple(r for r in self.resources if r.holds_data)


def finding_key(rule: str, address: str, root: str | None) -> tuple[str, str, str]:
    """What makes two findings of two reports the same one: rule, address, root module."""
    return (rule, address, root or "")


def build_audit(doc: Mapping[str, Any], level_order: Sequence[str], previous: Sequence[tuple[str, Mapping[str, Any]]] = ()) -> Audit:
    """The audit of one checked document; ``previous`` are (name, document) pairs, oldest first."""
    levels = _levels(doc, level_order)
    rank = {level: i for i, level in enumerate(reversed(levels))}
    all_findings = finding_views(doc)
    active = _most_severe_first([f for f in all_findings if not f.suppressed])
    suppressed = _most_severe_first([f for f in all_findings if f.suppressed])
    resources = _resources(doc, all_findings)
    counts = Counter(f.severity for f in active)
    by_severity = {s: counts[s] for s in SEVERITIES}
    held = [r for r in resources if r.holds_data]
    return Audit(
        tool_version=str(doc["tool"].get("version", UNKNOWN)),
        pack=str(doc["policy"].get("pack", UNKNOWN)),
        pack_version=str(doc["policy"].get("version", UNKNOWN)),
        schema_version=doc["schema_version"],
        inputs=tuple(str(i) for i in doc.get("inputs", ())),
        extra_metadata=tuple((k, str(doc[k])) for k in ("as_of", "generated_at") if doc.get(k)),
        verdict=_verdict(active, resources),
        resources=resources,
        findings=active,
        suppressed=suppressed,
        by_severity=by_severity,
        blocking_resources=len({(f.address, f.root) for f in active if f.severity in BLOCKING}),
        finding_resources=len({(f.address, f.root) for f in active}),
        levels=levels,
        matrix=Counter((r.level, r.trust) for r in held),
        places=_places(held, rank),
        by_cloud=_tally(r.cloud for r in held),
        by_country=_tally(c for r in held for c in r.country.split(",")),
        workloads=_workloads(resources, rank),
        facts=_used_facts(active + suppressed),
        rules=_rules(doc),
        errors=tuple(doc.get("errors", ())),
        trend=_trend(all_findings, doc, previous) if previous else None,
    )


def _levels(doc: Mapping[str, Any], level_order: Sequence[str]) -> tuple[str, ...]:
    """Every level id, most sensitive first: the known order, then levels only this document names."""
    seen = {r.get("sensitivity") for r in doc["resources"]} - {None}
    extra = sorted(seen - set(level_order))
    return tuple(reversed(list(level_order) + extra))


def _verdict(active: Sequence[FindingView], resources: Sequence[ResourceView]) -> str:
    if any(f.severity in BLOCKING for f in active):
        return "non_compliant"
    if active:
        return "reservations"
    if not resources:
        return "empty"
    return "compliant"


def _most_severe_first(findings: list[FindingView]) -> tuple[FindingView, ...]:
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return tuple(sorted(findings, key=lambda f: (order.get(f.severity, len(order)), f.sort_origin, f.rule, f.address)))


def _text(value: Any) -> str:
    if value is None:
        return UNKNOWN
    if isinstance(value, list):
        return ",".join(str(v) for v in value) or UNKNOWN
    return str(value)


def origin_text(origin: Mapping[str, Any] | None) -> str:
    """``file:line`` for Terraform, ``account api`` for an inventory, as the text report writes it."""
    if not origin:
        return "-"
    if origin.get("file"):
        return f"{origin['file']}:{origin['line']}" if origin.get("line") else str(origin["file"])
    return " ".join(str(origin[k]) for k in ("account", "api") if origin.get(k)) or "-"


def trust_of(hosting: Mapping[str, Any], qualifications: Mapping[str, Any]) -> str:
    """The matrix column of one hosting; unknown unless the document proves better."""
    snc = qualifications.get("SecNumCloud")
    if isinstance(snc, Mapping) and snc.get("holds") is True and hosting.get("in_eu") is True:
        return "secnumcloud"
    in_eu = hosting.get("in_eu")
    if in_eu is False:
        return "outside_eu"
    if in_eu is not True:
        return "unknown"
    exposure = hosting.get("exposure")
    if exposure == "exposed":
        return "eu_exposed"
    if exposure in ("not_exposed", "mitigated"):  # mitigated passes the exposure rule (scanner/evaluate/rules/exposure.py)
        return "eu_not_exposed"
    return "unknown"  # unclear or unresolved


def _qualifications_by_resource(findings: Sequence[FindingView]) -> dict[tuple[str, str | None], dict[str, Any]]:
    """Qualifications recorded in findings' evidence, for documents whose resources do not carry them."""
    known: dict[tuple[str, str | None], dict[str, Any]] = {}
    for f in findings:
        if f.copy is None:
            known.setdefault((f.address, f.root), {}).update({q.scheme: {"holds": _holds_value(q.holds)} for q in f.qualifications})
    return known


def _holds_value(text: str) -> Any:
    return {"true": True, "false": False}.get(text, UNKNOWN)


def _resources(doc: Mapping[str, Any], findings: Sequence[FindingView]) -> tuple[ResourceView, ...]:
    active = Counter((f.address, f.root) for f in findings if not f.suppressed)
    from_findings = _qualifications_by_resource(findings)
    views = []
    for r in doc["resources"]:
        hosting = r.get("hosting") or {}
        qualifications = hosting.get("qualifications") or from_findings.get((r["address"], r.get("root")), {})
        views.append(
            ResourceView(
                address=r["address"],
                type=str(r.get("type", UNKNOWN)),
                root=r.get("root"),
                cloud=_text(r.get("cloud")),
                offer=r.get("offer"),
                region=_text(r.get("region")),
                country=_text(r.get("country")),
                level=r.get("sensitivity"),
                workload=r.get("workload"),
                holds_data=r.get("holds_data", True) is not False,
                operator=_text(hosting.get("operator")),
                trust=trust_of(hosting, qualifications),
                origin=origin_text(r.get("origin")),
                findings=active[(r["address"], r.get("root"))],
                region_unknown_reason=r.get("region_unknown_reason"),
            )
        )
    return tuple(views)


def finding_roots(doc: Mapping[str, Any]) -> list[str | None]:
    """The root module of each finding of ``doc``, in order.

    A finding carries its address and origin; two root modules calling one
    module give two resources with the same address and origin. Those are
    told apart by the finding's evidence (hosting, sensitivity), and when even
    that is equal, taken in report order, as ``scanner/model/located.py``
    does. A document whose findings carry ``root`` is used as written.
    """
    by_place: dict[tuple, list[Mapping[str, Any]]] = {}
    for r in doc["resources"]:
        by_place.setdefault((r["address"], origin_text(r.get("origin"))), []).append(r)
    seen: Counter[tuple] = Counter()
    roots: list[str | None] = []
    for f in doc["findings"]:
        if "root" in f:
            roots.append(f["root"])
            continue
        place = (f["address"], origin_text(f.get("origin")))
        candidates = by_place.get(place, [])
        if len(candidates) > 1:
            candidates = [r for r in candidates if _evidence_matches(f, r)] or candidates
        if not candidates:
            roots.append(None)
            continue
        key = (f["rule"], *place, id(candidates[0]))
        roots.append(candidates[min(seen[key], len(candidates) - 1)].get("root"))
        seen[key] += 1
    return roots


def _evidence_matches(finding: Mapping[str, Any], resource: Mapping[str, Any]) -> bool:
    evidence = finding.get("evidence") or {}
    hosting, sensitivity = evidence.get("hosting") or {}, evidence.get("sensitivity") or {}
    return (
        hosting.get("cloud") == resource.get("cloud")
        and hosting.get("region") == resource.get("region")
        and sensitivity.get("level") == resource.get("sensitivity")
        and sensitivity.get("workload") == resource.get("workload")
    )


def _steps(items: Iterable[Mapping[str, Any]] | None) -> tuple[Step, ...]:
    return tuple(Step(str(s.get("what", "")), str(s.get("value", "")), origin_text(s.get("origin"))) for s in items or ())


def _fact(item: Mapping[str, Any]) -> Fact:
    return Fact(
        what=str(item.get("what", "")),
        sources=tuple(str(s) for s in item.get("sources") or ()),
        urls=tuple(dict.fromkeys(str(u) for u in item.get("urls") or ())),  # the catalog may repeat a URL
        verified_at=item.get("verified_at"),
        confidence=str(item.get("confidence", UNKNOWN)),
    )


def finding_views(doc: Mapping[str, Any]) -> list[FindingView]:
    resources = {(r["address"], r.get("root")): r for r in doc["resources"]}
    return [finding_view(f, root, resources.get((f["address"], root))) for f, root in zip(doc["findings"], finding_roots(doc), strict=True)]


def finding_view(f: Mapping[str, Any], root: str | None, resource: Mapping[str, Any] | None) -> FindingView:
    """One finding of the document, with its root module and its resource (for the region's chain)."""
    evidence = f.get("evidence") or {}
    sensitivity = evidence.get("sensitivity") or {}
    hosting = evidence.get("hosting") or {}
    qualifications = tuple(
        Qualification(scheme, "true" if q.get("holds") is True else "false" if q.get("holds") is False else UNKNOWN, str(q.get("why", "")))
        for scheme, q in sorted((hosting.get("qualifications") or {}).items())
    )
    origin = f.get("origin") or {}
    return FindingView(
        rule=f["rule"],
        severity=f["severity"],
        address=f["address"],
        root=root,
        message=str(f.get("message", "")),
        origin=origin_text(origin),
        tags=_steps(sensitivity.get("from")),
        level=sensitivity.get("level"),
        classes=tuple(sensitivity.get("classes") or ()),
        workload=sensitivity.get("workload"),
        status=str(sensitivity.get("status", UNKNOWN)),
        requirement=evidence.get("requirement"),
        unverified=tuple((str(u.get("rule", "")), str(u.get("reason", ""))) for u in evidence.get("unverified") or ()),
        hosting=hosting,
        qualifications=qualifications,
        region_trace=_steps(((resource or {}).get("trace") or {}).get("region")),
        facts=tuple(_fact(x) for x in evidence.get("facts") or ()),
        references=tuple(str(r) for r in evidence.get("references") or ()),
        copy=evidence.get("copy") if evidence.get("location") == "copy" else None,
        suppressed=bool(f.get("suppressed")),
        suppression=f.get("suppression") or {},
        sort_origin=(str(origin.get("file") or ""), origin.get("line") or 0),
    )


def _places(held: Sequence[ResourceView], rank: Mapping[str, int]) -> tuple[Place, ...]:
    groups: dict[tuple, list[ResourceView]] = {}
    for r in held:
        groups.setdefault((r.cloud, r.offer, r.region, r.country, r.operator, r.trust), []).append(r)
    places = []
    for (cloud, offer, region, country, operator, trust), members in groups.items():
        levels = Counter(r.level for r in members)
        ordered = tuple(sorted(levels.items(), key=lambda kv: -rank.get(kv[0], -1) if kv[0] else 1))
        places.append(Place(cloud, offer, region, country, operator, trust, ordered, len(members)))
    return tuple(sorted(places, key=lambda p: (-_top_rank(p, rank), -p.resources, p.cloud, p.region)))


def _top_rank(place: Place, rank: Mapping[str, int]) -> int:
    return max((rank.get(level, -1) for level, _ in place.levels if level), default=-2)


def _tally(values: Iterable[str]) -> tuple[tuple[str, int], ...]:
    """Counts, largest first, with "unknown" always last."""
    counts = Counter(values)
    return tuple(sorted(counts.items(), key=lambda kv: (kv[0] == UNKNOWN, -kv[1], kv[0])))


def _workloads(resources: Sequence[ResourceView], rank: Mapping[str, int]) -> tuple[Workload, ...]:
    groups: dict[str | None, list[ResourceView]] = {}
    for r in resources:
        groups.setdefault(r.workload, []).append(r)
    workloads = []
    for name in sorted(groups, key=lambda n: (n is None, n or "")):
        members = groups[name]
        levels = [r.level for r in members if r.level]
        top = max(levels, key=lambda level: rank.get(level, -1)) if levels and name is not None else None
        workloads.append(Workload(name, top, tuple(members)))
    return tuple(workloads)


def _used_facts(findings: Sequence[FindingView]) -> tuple[UsedFact, ...]:
    counts: Counter[Fact] = Counter()
    for f in findings:
        for fact in dict.fromkeys(f.facts):
            counts[fact] += 1
    # Oldest verification first: that is what to re-check; an undated fact comes before all.
    return tuple(UsedFact(fact, n) for fact, n in sorted(counts.items(), key=lambda kv: (kv[0].verified_at or "", kv[0].what)))


def _rules(doc: Mapping[str, Any]) -> Mapping[str, Mapping[str, Any]]:
    """Rule documentation, when the document carries it (a ``rules`` list of ``sovscan rules --format json`` entries)."""
    rules = doc.get("rules")
    if isinstance(rules, list):
        return {r["id"]: r for r in rules if isinstance(r, Mapping) and "id" in r}
    if isinstance(rules, Mapping):
        return {k: v for k, v in rules.items() if isinstance(v, Mapping)}
    return {}


def _trend(findings: Sequence[FindingView], doc: Mapping[str, Any], previous: Sequence[tuple[str, Mapping[str, Any]]]) -> Trend:
    name, last = previous[-1]
    before_active = _keyed(f for f in finding_views(last) if not f.suppressed)
    now_active = _keyed(f for f in findings if not f.suppressed)
    now_suppressed = _keyed(f for f in findings if f.suppressed)
    points = [TrendPoint(n, _count_active(d)) for n, d in previous]
    points.append(TrendPoint("", _count_active(doc)))
    return Trend(
        against=name,
        points=tuple(points),
        new=_most_severe_first([f for k, f in now_active.items() if k not in before_active]),
        fixed=_most_severe_first([f for k, f in before_active.items() if k not in now_active and k not in now_suppressed]),
        unchanged=_most_severe_first([f for k, f in now_active.items() if k in before_active]),
        suppressed_since=_most_severe_first([f for k, f in now_suppressed.items() if k in before_active]),
    )


def _keyed(findings: Iterable[FindingView]) -> dict[tuple, FindingView]:
    """Findings by key and occurrence: one rule can fail twice for a resource (its primary place and a copy)."""
    seen: Counter[tuple] = Counter()
    keyed = {}
    for f in findings:
        keyed[(*f.key, seen[f.key])] = f
        seen[f.key] += 1
    return keyed


def _count_active(doc: Mapping[str, Any]) -> dict[str, int]:
    counts = Counter(f["severity"] for f in doc["findings"] if not f.get("suppressed"))
    return {s: counts[s] for s in SEVERITIES}
