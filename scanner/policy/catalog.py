"""The trust catalog: who operates each region, where it is, and what each offer is qualified for.

One YAML file per provider in ``policies/catalog/providers/``, plus the
source table and the country groupings. Every fact names its sources and
whether it is confirmed. AWS regions come from botocore's own partition
data so a new region appears without anyone typing it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.model import Certification, Unknown
from scanner.policy.paths import display_path, policies_dir
from scanner.support.schema import (
    INVALID,
    Bool,
    Country,
    Date,
    Field,
    Int,
    ListOf,
    MapOf,
    Nullable,
    Obj,
    Problems,
    Regex,
    Spec,
    Str,
    Where,
)
from scanner.support.yamlload import LineDict, YamlError, load_yaml_file

EXPOSURE_STATUSES = ("exposed", "mitigated", "not_exposed", "unclear")
CONFIDENCE = ("confirmed", "unconfirmed")
CERT_STATUSES = ("qualified", "certified", "in_progress", "expired", "withdrawn", "none", "unknown")


@dataclass(frozen=True)
class Source:
    id: str
    url: str
    published: str | None
    note: str | None
    reliability: str  # normal | low | official | vendor


@dataclass(frozen=True)
class Exposure:
    status: str
    laws: tuple[str, ...]
    rationale: str
    sources: tuple[str, ...]
    confidence: str
    verified_at: str | None = None  # None: the provider's verified_at


@dataclass(frozen=True)
class Region:
    id: str | None  # exact identifier, or None when ``pattern`` matches a family
    pattern: re.Pattern | None
    countries: tuple[str, ...]  # one country, or several for multi-regions
    area: str | None  # "EU" or "EEA" when only the area is known (Google's EU multi-region)
    city: str | None
    sources: tuple[str, ...]
    confidence: str
    note: str | None = None
    verified_at: str | None = None  # None: the provider's verified_at
    line: int | None = None  # where the entry is written, for error messages

    def matches(self, region: str) -> bool:
        if self.id is not None:
            return self.id.lower() == region.lower()
        return bool(self.pattern and self.pattern.fullmatch(region))

    @property
    def label(self) -> str:
        return self.id or (self.pattern.pattern if self.pattern else "?")


@dataclass(frozen=True)
class OfferMatch:
    regions: tuple[str, ...] = ()  # empty: any region
    resource_types: tuple[str, ...] = ()  # fnmatch patterns; empty: any type
    hints: tuple[tuple[str, str], ...] = ()  # (hint name, regex) pairs that must all match


@dataclass(frozen=True)
class Offer:
    id: str
    name: str
    service_models: tuple[str, ...]
    match: OfferMatch
    certifications: tuple[Certification, ...]
    sources: tuple[str, ...]
    note: str | None = None
    verified_at: str | None = None  # None: the provider's verified_at


@dataclass(frozen=True)
class EndpointRule:
    """A host pattern that says which provider (and region) an endpoint URL belongs to."""

    pattern: re.Pattern
    region: str | None  # fixed region when the host does not carry one


@dataclass(frozen=True)
class Detection:
    terraform_providers: tuple[str, ...]
    region_patterns: tuple[re.Pattern, ...]  # regions of those providers that belong to this catalog entry
    endpoints: tuple[EndpointRule, ...]
    universe_domains: tuple[str, ...]
    inventory_apis: tuple[str, ...]


@dataclass(frozen=True)
class SealAssessment:
    """SEAL levels (0-4) per EU Cloud Sovereignty Framework objective, and who assessed them."""

    levels: Mapping[str, int | Unknown]  # SOV-1 … SOV-8; Unknown where only an untrusted scoring rates it
    provenance: str  # official | tender | third-party | self-assessed
    confidence: str
    sources: tuple[str, ...]
    note: str | None = None


@dataclass(frozen=True)
class Provider:
    id: str
    name: str
    legal_name: str
    hq_country: str
    parent: str | None
    group: str  # providers of one group (ovhcloud and ovh-us) share it; each entry is one operating entity
    commercial: bool
    exposure: Exposure
    detect: Detection
    regions: tuple[Region, ...]
    offers: tuple[Offer, ...]
    sources: tuple[str, ...]
    verified_at: str
    confidence: str
    note: str | None
    file: str
    line: int
    csf_seal: SealAssessment | None = None

    def find_region(self, region: str) -> Region | None:
        exact = next((r for r in self.regions if r.id is not None and r.matches(region)), None)
        return exact or next((r for r in self.regions if r.id is None and r.matches(region)), None)

    def claims_region(self, region: str) -> bool:
        """Whether an identifier absent from the region list still belongs to this provider."""
        return any(p.fullmatch(region) for p in self.detect.region_patterns)


@dataclass(frozen=True)
class Countries:
    known: frozenset[str]
    eu: frozenset[str]
    eea: frozenset[str]
    adequacy: frozenset[str]
    adequacy_confidence: str
    adequacy_sources: tuple[str, ...]


@dataclass
class Catalog:
    providers: dict[str, Provider]
    countries: Countries
    sources: dict[str, Source]
    errors: list[tuple[str, int | None, str]] = field(default_factory=list)

    def for_terraform_provider(self, tf_provider: str) -> list[Provider]:
        return [p for p in self.providers.values() if tf_provider in p.detect.terraform_providers]

    def for_inventory_api(self, api: str) -> list[Provider]:
        return [p for p in self.providers.values() if api in p.detect.inventory_apis]

    def for_universe_domain(self, domain: str) -> list[Provider]:
        return [p for p in self.providers.values() if domain.lower() in p.detect.universe_domains]

    def for_endpoint(self, host: str) -> tuple[Provider, str | None] | None:
        for provider in self.providers.values():
            for rule in provider.detect.endpoints:
                m = rule.pattern.fullmatch(host.lower())
                if m:
                    return provider, m.groupdict().get("region") or rule.region
        return None

    def source_urls(self, ids: Iterable[str]) -> tuple[str, ...]:
        return tuple(self.sources[i].url for i in ids if i in self.sources)


# --------------------------------------------------------------------------- schema

@dataclass
class CatalogProblems(Problems):
    """Problems of catalog files, which also know the ids of policies/catalog/sources.yml."""

    sources: frozenset[str] | None = None  # None: the source table itself could not be read


class SourceId(Spec):
    """A source id; when the source table is loaded, it must be defined there."""

    expected = "a source id such as S12 or U03 defined in policies/catalog/sources.yml"
    shape = re.compile(r"S\d{2,3}|U\d{2,3}")

    def check(self, value, where, problems):
        if not isinstance(value, str) or not self.shape.fullmatch(value):
            return self.fail(value, where, problems)
        known = getattr(problems, "sources", None)
        if known is not None and value not in known:
            return self.fail(value, where, problems, f"{self.expected}, which does not define {value}")
        return value


def _sources_spec() -> ListOf:
    return ListOf(SourceId())


_EXPOSURE = Obj(
    {
        "status": Field(Str(EXPOSURE_STATUSES), required=True),
        "laws": Field(ListOf(Str(pattern=r"[A-Z0-9_]+", expected="a law id such as US_CLOUD_ACT")), default=list),
        "rationale": Field(Str(), required=True),
        "sources": Field(_sources_spec(), default=list),
        "confidence": Field(Str(CONFIDENCE), required=True),
        "verified_at": Field(Date()),
    },
    build=lambda d: Exposure(d["status"], tuple(d["laws"]), d["rationale"], tuple(d["sources"]), d["confidence"], d["verified_at"]),
    what="exposure",
)


def _build_region(d: dict) -> Region:
    pattern = re.compile(d["pattern"], re.IGNORECASE) if d["pattern"] else None
    return Region(
        id=d["id"],
        pattern=pattern,
        countries=tuple(d["countries"] or ([d["country"]] if d["country"] else [])),
        area=d["area"],
        city=d["city"],
        sources=tuple(d["sources"]),
        confidence=d["confidence"],
        note=d["note"],
        verified_at=d["verified_at"],
        line=d["_line"],
    )


_REGION = Obj(
    {
        "id": Field(Str()),
        "pattern": Field(Regex()),
        "country": Field(Country()),
        "countries": Field(ListOf(Country())),
        "area": Field(Str(("EU", "EEA"))),
        "city": Field(Str()),
        "sources": Field(_sources_spec(), default=list),
        "confidence": Field(Str(CONFIDENCE), required=True),
        "note": Field(Str()),
        "verified_at": Field(Date()),
    },
    build=_build_region,
    what="region",
)


def _build_certification(d: dict) -> Certification:
    return Certification(
        scheme=d["scheme"],
        version=d["version"],
        status=d["status"],
        regions=tuple(d["regions"]) if d["regions"] is not None else None,
        obtained=d["obtained"],
        valid_until=d["valid_until"],
        evidence_url=d["evidence_url"],
        confidence=d["confidence"],
        sources=tuple(d["sources"]),
        verified_at=d["verified_at"],
        note=d["note"],
        milestone=d["milestone"],
        activities=tuple(d["activities"] or ()),
    )


CERTIFICATION = Obj(
    {
        "scheme": Field(Str(("SecNumCloud", "HDS", "C5", "ISO27001", "EUCS", "DR-homologation", "IGI1300-homologation")), required=True),
        "version": Field(Str()),
        "status": Field(Str(CERT_STATUSES), required=True),
        "milestone": Field(Str(("J0", "J1", "J2", "J3"))),
        "regions": Field(Nullable(ListOf(Str()))),
        "activities": Field(ListOf(Str())),
        "obtained": Field(Str(pattern=r"\d{4}(-\d{2}(-\d{2})?)?", expected="a date YYYY, YYYY-MM or YYYY-MM-DD")),
        "valid_until": Field(Date()),
        "evidence_url": Field(Str(pattern=r"https?://\S+", expected="an http(s) URL")),
        "confidence": Field(Str(CONFIDENCE), required=True),
        "sources": Field(_sources_spec(), default=list),
        "verified_at": Field(Date()),
        "note": Field(Str()),
    },
    build=_build_certification,
    what="certification",
)

_OFFER_MATCH = Obj(
    {
        "regions": Field(ListOf(Str()), default=list),
        "resource_types": Field(ListOf(Str()), default=list),
        "hints": Field(MapOf(Regex()), default=dict),
    },
    build=lambda d: OfferMatch(tuple(d["regions"]), tuple(d["resource_types"]), tuple(d["hints"].items())),
    what="offer match",
)

_OFFER = Obj(
    {
        "id": Field(Str(pattern=r"[a-z0-9][a-z0-9-]*"), required=True),
        "name": Field(Str(), required=True),
        "service_models": Field(ListOf(Str(("IaaS", "PaaS", "CaaS", "SaaS"))), default=list),
        "match": Field(_OFFER_MATCH, default=OfferMatch),
        "certifications": Field(ListOf(CERTIFICATION), default=list),
        "sources": Field(_sources_spec(), default=list),
        "note": Field(Str()),
        "verified_at": Field(Date()),
    },
    build=lambda d: Offer(d["id"], d["name"], tuple(d["service_models"]), d["match"], tuple(d["certifications"]), tuple(d["sources"]), d["note"], d["verified_at"]),
    what="offer",
)

_ENDPOINT = Obj(
    {"host": Field(Regex(), required=True), "region": Field(Str())},
    build=lambda d: EndpointRule(re.compile(d["host"], re.IGNORECASE), d["region"]),
    what="endpoint",
)

_DETECT = Obj(
    {
        "terraform_providers": Field(ListOf(Str()), default=list),
        "region_patterns": Field(ListOf(Regex()), default=list),
        "endpoints": Field(ListOf(_ENDPOINT), default=list),
        "universe_domains": Field(ListOf(Str()), default=list),
        "inventory_apis": Field(ListOf(Str()), default=list),
    },
    build=lambda d: d,
    what="detect",
)

_BOTOCORE = Obj(
    {
        "partitions": Field(ListOf(Str()), required=True),
        "countries": Field(MapOf(Country()), default=dict),
        "unconfirmed": Field(MapOf(Str()), default=dict),
        "sources": Field(_sources_spec(), default=list),
    },
    build=lambda d: d,
    what="regions_from_botocore",
)

SEAL_OBJECTIVES = ("SOV-1", "SOV-2", "SOV-3", "SOV-4", "SOV-5", "SOV-6", "SOV-7", "SOV-8")

_SEAL = Obj(
    {
        "levels": Field(MapOf(Int(0, 4), key=Str(SEAL_OBJECTIVES)), required=True),
        "provenance": Field(Str(("official", "tender", "third-party", "self-assessed")), required=True),
        "confidence": Field(Str(CONFIDENCE), required=True),
        "sources": Field(_sources_spec(), default=list),
        "note": Field(Str()),
    },
    build=lambda d: SealAssessment(dict(d["levels"]), d["provenance"], d["confidence"], tuple(d["sources"]), d["note"]),
    what="csf_seal",
)

PROVIDER = Obj(
    {
        "id": Field(Str(pattern=r"[a-z0-9][a-z0-9-]*", expected="a lower-case id such as ovhcloud"), required=True),
        "name": Field(Str(), required=True),
        "legal_name": Field(Str(), required=True),
        "hq_country": Field(Country(), required=True),
        "parent": Field(Str()),
        "group": Field(Str(pattern=r"[a-z0-9][a-z0-9-]*")),
        "commercial": Field(Bool(), default=True),
        "exposure": Field(_EXPOSURE, required=True),
        "detect": Field(_DETECT, required=True),
        "regions": Field(ListOf(_REGION, unique_key=lambda r: (r.id or r.label).lower(), what="region id"), default=list),
        "regions_from_botocore": Field(_BOTOCORE),
        "offers": Field(ListOf(_OFFER, unique_key=lambda o: o.id, what="offer id"), default=list),
        "csf_seal": Field(_SEAL),
        "sources": Field(_sources_spec(), default=list),
        "verified_at": Field(Date(), required=True),
        "confidence": Field(Str(CONFIDENCE), required=True),
        "note": Field(Str()),
    },
    what="provider",
)

_SOURCE = Obj(
    {
        "url": Field(Str(), required=True),
        "published": Field(Str()),
        "note": Field(Str()),
        "reliability": Field(Str(("normal", "low", "official", "vendor")), default="normal"),
    },
    what="source",
)

_COUNTRIES = Obj(
    {
        "iso_3166_alpha2": Field(ListOf(Str(pattern=r"[A-Z]{2}")), required=True),
        "eu": Field(ListOf(Str(pattern=r"[A-Z]{2}")), required=True),
        "eea_extra": Field(ListOf(Str(pattern=r"[A-Z]{2}")), required=True),
        "adequacy": Field(
            Obj(
                {
                    "countries": Field(ListOf(Str(pattern=r"[A-Z]{2}")), required=True),
                    "confidence": Field(Str(CONFIDENCE), required=True),
                    "sources": Field(_sources_spec(), default=list),
                    "note": Field(Str()),
                },
                what="adequacy",
            ),
            required=True,
        ),
        "sources": Field(_sources_spec(), default=list),
    },
    what="countries",
)


# --------------------------------------------------------------------------- loading

def _region_checks(provider: dict, problems: Problems) -> list[Region]:
    """Region entries need an id or a pattern, and a country or an area."""
    good = []
    for region in provider["regions"]:
        if (region.id is None) == (region.pattern is None):
            problems.add(region.line, f"a region of provider '{provider['id']}' needs exactly one of the keys 'id' or 'pattern'")
            continue
        if not region.countries and not region.area:
            problems.add(region.line, f"region '{region.label}' of provider '{provider['id']}' needs the key 'country', 'countries' or 'area'")
            continue
        good.append(region)
    return good


BOTOCORE_REGION_WITHOUT_COUNTRY = "botocore lists this region; its country is not in the catalog yet"


def _botocore_regions(spec: dict) -> tuple[list[Region], list[re.Pattern]]:
    """Regions of the given AWS partitions, read from botocore's partitions.json."""
    import importlib.resources

    data = json.loads((importlib.resources.files("botocore") / "data" / "partitions.json").read_text())
    regions, patterns = [], []
    for partition in data["partitions"]:
        if partition["id"] not in spec["partitions"]:
            continue
        patterns.append(re.compile(partition["regionRegex"]))
        for region_id, info in partition["regions"].items():
            if region_id.endswith("-global"):
                continue
            country = spec["countries"].get(region_id)
            note = spec["unconfirmed"].get(region_id)
            regions.append(
                Region(
                    id=region_id,
                    pattern=None,
                    countries=(country,) if country else (),
                    area=None,
                    city=info.get("description"),
                    sources=("S61", *spec["sources"]),
                    confidence="unconfirmed" if (note or not country) else "confirmed",
                    note=note or (None if country else BOTOCORE_REGION_WITHOUT_COUNTRY),
                )
            )
    return regions, patterns


def _load_provider(path: Path, problems: Problems) -> Provider | None:
    display = display_path(path)
    problems.file = display
    try:
        raw = load_yaml_file(path, display)
    except YamlError as exc:
        problems.add(exc.line, exc.message)
        return None
    checked = PROVIDER.check(raw, Where("", getattr(raw, "line", 1)), problems)
    if checked is INVALID:
        return None
    regions = _region_checks(checked, problems)
    patterns = [re.compile(p, re.IGNORECASE) for p in checked["detect"]["region_patterns"]]
    if checked["regions_from_botocore"]:
        more, partition_patterns = _botocore_regions(checked["regions_from_botocore"])
        known = {r.id for r in regions}
        regions += [r for r in more if r.id not in known]
        patterns += partition_patterns
    return build_provider(checked, regions, patterns, display)


def build_provider(checked: dict, regions: list[Region], region_patterns: list[re.Pattern], file: str) -> Provider:
    """A Provider from a checked provider document (bundled catalog or declared hosting)."""
    detect = checked["detect"]
    return Provider(
        id=checked["id"],
        name=checked["name"],
        legal_name=checked["legal_name"],
        hq_country=checked["hq_country"],
        parent=checked["parent"],
        group=checked["group"] or checked["id"],
        commercial=checked["commercial"],
        exposure=checked["exposure"],
        detect=Detection(
            terraform_providers=tuple(detect["terraform_providers"]),
            region_patterns=tuple(region_patterns),
            endpoints=tuple(detect["endpoints"]),
            universe_domains=tuple(d.lower() for d in detect["universe_domains"]),
            inventory_apis=tuple(detect["inventory_apis"]),
        ),
        regions=tuple(regions),
        offers=tuple(checked["offers"]),
        sources=tuple(checked["sources"]),
        verified_at=checked["verified_at"],
        confidence=checked["confidence"],
        note=checked["note"],
        file=file,
        line=checked["_line"],
        csf_seal=checked["csf_seal"],
    )


def _load_countries(path: Path, problems: Problems) -> Countries:
    problems.file = display_path(path)
    raw = load_yaml_file(path, problems.file)
    checked = _COUNTRIES.check(raw, Where("", 1), problems)
    if checked is INVALID:
        raise YamlError(problems.file, None, "the country table is invalid")
    known = frozenset(checked["iso_3166_alpha2"])
    eu = frozenset(checked["eu"])
    adequacy = checked["adequacy"]
    return Countries(
        known=known,
        eu=eu,
        eea=eu | frozenset(checked["eea_extra"]),
        adequacy=frozenset(adequacy["countries"]),
        adequacy_confidence=adequacy["confidence"],
        adequacy_sources=tuple(adequacy["sources"]),
    )


def _load_sources(path: Path, problems: CatalogProblems) -> dict[str, Source] | None:
    """The source table, or None when the file cannot be read (source ids are then not checked).

    An entry with a problem is reported and left out, but its id still counts as
    defined, so one typo does not turn every citation of it into an error too.
    """
    problems.file = display_path(path)
    try:
        raw = load_yaml_file(path, problems.file)
    except YamlError as exc:
        problems.add(exc.line, exc.message)
        return None
    if not isinstance(raw, LineDict) or "sources" not in raw:
        problems.add(getattr(raw, "line", 1), "the document lacks the required key 'sources' (a mapping of source id to url, published, note, reliability)")
        return None
    checked = MapOf(_SOURCE, key=Str(pattern=SourceId.shape.pattern, expected="a source id such as S12 or U03")).check(raw["sources"], Where("sources", raw.line_of("sources")), problems)
    if checked is INVALID:
        return None
    problems.sources = frozenset(str(k) for k in raw["sources"])
    return {k: Source(k, v["url"], v["published"], v["note"], v["reliability"]) for k, v in checked.items()}


def load_catalog(root: Path | None = None, extra_provider_files: Iterable[Path] = ()) -> Catalog:
    """Load and validate the bundled catalog (and any extra provider files).

    Invalid entries are dropped and their problems listed in ``catalog.errors``,
    one sentence each naming file, line and key; the rest still loads.
    """
    root = root or policies_dir() / "catalog"
    problems = CatalogProblems(file="")
    countries = _load_countries(root / "countries.yml", problems)
    problems.countries = countries.known
    sources = _load_sources(root / "sources.yml", problems)  # sets problems.sources to the defined ids
    providers: dict[str, Provider] = {}
    for path in [*sorted((root / "providers").glob("*.yml")), *extra_provider_files]:
        provider = _load_provider(path, problems)
        if provider is None:
            continue
        if provider.id in providers:
            problems.add(provider.line, f"provider id '{provider.id}' is already defined in {providers[provider.id].file}")
            continue
        providers[provider.id] = provider
    catalog = Catalog(providers=providers, countries=countries, sources=sources or {})
    catalog.errors = problems.items
    return catalog


def bundled_catalog() -> Catalog:
    """The bundled catalog, validated once and then read back from sovscan's cache.

    The key covers the catalog's files, botocore's partition data and the
    code that reads them, so any change to one is a miss.
    """
    import importlib.resources

    from scanner.support import resultcache

    root = policies_dir() / "catalog"
    package = Path(__file__).parent.parent
    support = package / "support"
    inputs = [*root.rglob("*.yml"), Path(__file__), support / "schema.py", *package.joinpath("model").glob("*.py"), *sorted(support.glob("yaml*.py"))]
    inputs.append(Path(str(importlib.resources.files("botocore") / "data" / "partitions.json")))
    key = resultcache.fingerprint(inputs)
    cached = resultcache.load("catalog", key)
    if isinstance(cached, Catalog):
        return cached
    catalog = load_catalog(root)
    resultcache.store("catalog", key, catalog)
    return catalog


def provider_problems(raw: Any, file: str, countries: frozenset[str], sources: frozenset[str] | None = None) -> list[tuple[str, int | None, str]]:
    """Validate one provider document (used by tests and ``.sovscan.yml`` hosting entries)."""
    problems = CatalogProblems(file=file, countries=countries, sources=sources)
    PROVIDER.check(raw, Where("", getattr(raw, "line", 1)), problems)
    return problems.items


# --------------------------------------------------------------------------- freshness

@dataclass(frozen=True)
class DatedFact:
    """One catalog fact and the day it was last verified, for ``sovscan catalog --stale``."""

    provider: str
    kind: str  # provider | exposure | region | offer | certification
    subject: str  # what the fact is about, in words
    verified_at: str
    sources: tuple[str, ...]
    confidence: str


def dated_facts(provider: Provider) -> list[DatedFact]:
    """Every fact of a provider with its verification date (the provider's when none is given)."""
    day = provider.verified_at
    facts = [
        DatedFact(provider.id, "provider", f"{provider.legal_name} ({provider.hq_country})", day, provider.sources, provider.confidence),
        DatedFact(provider.id, "exposure", f"exposure {provider.exposure.status}", provider.exposure.verified_at or day, provider.exposure.sources, provider.exposure.confidence),
    ]
    for region in provider.regions:
        where = ", ".join(region.countries) or region.area or "?"
        facts.append(DatedFact(provider.id, "region", f"region {region.label} in {where}", region.verified_at or day, region.sources, region.confidence))
    for offer in provider.offers:
        offer_day = offer.verified_at or day
        facts.append(DatedFact(provider.id, "offer", f"offer {offer.id}", offer_day, offer.sources, provider.confidence))
        for cert in offer.certifications:
            what = " ".join(p for p in (cert.scheme, cert.version, cert.status) if p)
            facts.append(DatedFact(provider.id, "certification", f"offer {offer.id}: {what}", cert.verified_at or offer_day, cert.sources, cert.confidence))
    return facts


def stale_facts(providers: Iterable[Provider], as_of: str, days: int) -> list[tuple[DatedFact, int]]:
    """Facts verified more than ``days`` days before ``as_of``, with their age in days, oldest first."""
    import datetime as _dt

    today = _dt.date.fromisoformat(as_of)
    found = []
    for provider in providers:
        for fact in dated_facts(provider):
            age = (today - _dt.date.fromisoformat(fact.verified_at)).days
            if age > days:
                found.append((fact, age))
    return sorted(found, key=lambda item: (-item[1], item[0].provider, item[0].kind, item[0].subject))
