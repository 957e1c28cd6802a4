"""``sovscan catalog``: what sovscan knows of each provider, with sources, as text or JSON.

Pure functions: each takes the loaded catalog (and the day validity is judged
on) and returns a string. Certification validity is judged by the same
function the scan uses (``scanner.locate.certification_status``), so the
catalog shows exactly what a finding would say: a SecNumCloud qualification
past its validity no longer counts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from scanner.locate import certification_status
from scanner.model import Certification, Unknown
from scanner.policy.catalog import Catalog, DatedFact, Offer, Provider, Region

SCHEMA_VERSION = 1


# --------------------------------------------------------------------------- documents

def _membership(region: Region, area: frozenset[str], area_name: str) -> bool | None:
    """Whether every country of the region is in the area; None when only a wider area is known."""
    if region.countries:
        return set(region.countries) <= area
    if region.area == area_name or region.area == "EU":
        return True
    return None


def _validity(cert: Certification, offer: Offer, as_of: str) -> dict[str, Any]:
    where = ", ".join(cert.regions) if cert.regions else "every region of the offer"
    status = certification_status(cert, cert.scheme, offer, where, as_of)
    holds = None if isinstance(status.holds, Unknown) else status.holds
    reason = status.holds.reason if isinstance(status.holds, Unknown) else status.why
    return {"as_of": as_of, "holds": holds, "why": reason}


def _certification(cert: Certification, offer: Offer, as_of: str) -> dict[str, Any]:
    return {
        "scheme": cert.scheme,
        "version": cert.version,
        "status": cert.status,
        "regions": list(cert.regions) if cert.regions is not None else None,
        "obtained": cert.obtained,
        "valid_until": cert.valid_until,
        "evidence_url": cert.evidence_url,
        "confidence": cert.confidence,
        "sources": list(cert.sources),
        "verified_at": cert.verified_at,
        "note": cert.note,
        "counts": _validity(cert, offer, as_of),
    }


def _region(region: Region, catalog: Catalog) -> dict[str, Any]:
    countries = catalog.countries
    return {
        "id": region.id,
        "pattern": region.pattern.pattern if region.pattern is not None else None,
        "countries": list(region.countries),
        "area": region.area,
        "city": region.city,
        "in_eu": _membership(region, countries.eu, "EU"),
        "in_eea": _membership(region, countries.eea, "EEA"),
        "confidence": region.confidence,
        "sources": list(region.sources),
        "verified_at": region.verified_at,
        "note": region.note,
    }


def _offer(offer: Offer, as_of: str) -> dict[str, Any]:
    return {
        "id": offer.id,
        "name": offer.name,
        "service_models": list(offer.service_models),
        "match": {
            "regions": list(offer.match.regions),
            "resource_types": list(offer.match.resource_types),
            "hints": dict(offer.match.hints),
        },
        "certifications": [_certification(c, offer, as_of) for c in offer.certifications],
        "sources": list(offer.sources),
        "verified_at": offer.verified_at,
        "note": offer.note,
    }


def cited_sources(provider: Provider) -> list[str]:
    """Every source id a provider's facts cite, in order S01…, U01…."""
    cited = set(provider.sources) | set(provider.exposure.sources)
    cited |= {s for r in provider.regions for s in r.sources}
    cited |= {s for o in provider.offers for s in o.sources}
    cited |= {s for o in provider.offers for c in o.certifications for s in c.sources}
    cited |= set(provider.csf_seal.sources) if provider.csf_seal else set()
    return sorted(cited, key=lambda s: (s[0], int(s[1:])))


def provider_document(provider: Provider, catalog: Catalog, as_of: str) -> dict[str, Any]:
    exposure = provider.exposure
    seal = provider.csf_seal
    return {
        "id": provider.id,
        "name": provider.name,
        "legal_name": provider.legal_name,
        "hq_country": provider.hq_country,
        "parent": provider.parent,
        "group": provider.group,
        "commercial": provider.commercial,
        "verified_at": provider.verified_at,
        "confidence": provider.confidence,
        "note": provider.note,
        "file": provider.file,
        "exposure": {
            "status": exposure.status,
            "laws": list(exposure.laws),
            "rationale": exposure.rationale,
            "sources": list(exposure.sources),
            "confidence": exposure.confidence,
            "verified_at": exposure.verified_at,
        },
        "detect": {
            "terraform_providers": list(provider.detect.terraform_providers),
            "endpoints": [{"host": e.pattern.pattern, "region": e.region} for e in provider.detect.endpoints],
            "universe_domains": list(provider.detect.universe_domains),
            "inventory_apis": list(provider.detect.inventory_apis),
            "region_patterns": [p.pattern for p in provider.detect.region_patterns],
        },
        "regions": [_region(r, catalog) for r in provider.regions],
        "offers": [_offer(o, as_of) for o in provider.offers],
        "csf_seal": None if seal is None else {
            "levels": dict(seal.levels), "provenance": seal.provenance, "confidence": seal.confidence,
            "sources": list(seal.sources), "note": seal.note,
        },
        "sources": [_source(catalog, s) for s in cited_sources(provider)],
    }


def _source(catalog: Catalog, source_id: str) -> dict[str, Any]:
    source = catalog.sources.get(source_id)
    if source is None:
        return {"id": source_id, "url": None, "published": None, "reliability": None, "note": "not defined in sources.yml"}
    return {"id": source.id, "url": source.url, "published": source.published, "reliability": source.reliability, "note": source.note}


def render_json(catalog: Catalog, providers: Iterable[Provider], as_of: str) -> str:
    document = {
        "schema_version": SCHEMA_VERSION,
        "as_of": as_of,
        "providers": [provider_document(p, catalog, as_of) for p in providers],
        "errors": [{"file": f, "line": line, "message": m} for f, line, m in catalog.errors],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- text

def _secnumcloud(provider: Provider, as_of: str) -> str:
    """The best SecNumCloud standing among a provider's offers, in a word or two."""
    words = []
    for offer in provider.offers:
        for cert in offer.certifications:
            if cert.scheme != "SecNumCloud":
                continue
            validity = _validity(cert, offer, as_of)
            if cert.status in ("qualified", "certified") and validity["holds"] is False:
                words.append("expired")
            elif cert.status in ("qualified", "certified"):
                words.append("qualified" if cert.confidence == "confirmed" else "qualified?")
            else:
                words.append(cert.status.replace("_", " ") + ("" if cert.confidence == "confirmed" else "?"))
    order = ["qualified", "qualified?", "expired", "in progress", "in progress?", "unknown", "unknown?", "none", "none?"]
    ranked = sorted(set(words), key=lambda w: order.index(w) if w in order else len(order))
    return ranked[0] if ranked else "-"


def render_summary(catalog: Catalog, providers: Iterable[Provider], as_of: str) -> str:
    providers = list(providers)
    rows = [("ID", "OPERATOR", "HQ", "EXPOSURE", "REGIONS", "SECNUMCLOUD")]
    for p in providers:
        exposure = p.exposure.status.replace("_", " ") + ("" if p.exposure.confidence == "confirmed" else "?")
        rows.append((p.id, _shorten(p.legal_name, 46), p.hq_country, exposure, str(len(p.regions)), _secnumcloud(p, as_of)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)).rstrip() for row in rows]
    lines += [
        "",
        f"{len(providers)} providers · '?' marks an unconfirmed fact · SecNumCloud judged on {as_of}",
        "Details and sources: sovscan catalog PROVIDER",
    ]
    return "\n".join(lines) + "\n"


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _cite(sources: Iterable[str], confidence: str) -> str:
    ids = ", ".join(sources)
    return f"[{ids}] ({confidence})" if ids else f"(no source; {confidence})"


def _region_line(region: Region) -> str:
    label = region.label if region.id else f"{region.label} (pattern)"
    if region.city:
        label += f" {region.city}"
    if region.confidence != "confirmed":
        label += " (unconfirmed)"
    return label


def render_provider(catalog: Catalog, provider: Provider, as_of: str) -> str:
    p = provider
    lines = [f"{p.name} ({p.id}) — operated by {p.legal_name}, {p.hq_country}"]
    facts = [f"group {p.group}"]
    if p.parent:
        facts.append(f"parent: {p.parent}")
    facts += [f"verified {p.verified_at}", p.confidence]
    lines.append("  " + " · ".join(facts))
    if p.note:
        lines.append(f"  Note: {p.note}")

    e = p.exposure
    laws = f" to {', '.join(e.laws)}" if e.laws else ""
    lines += ["", f"Exposure to non-EU law: {e.status.replace('_', ' ')}{laws} {_cite(e.sources, e.confidence)}", f"  {e.rationale}"]

    detect = p.detect
    how = []
    if detect.terraform_providers:
        how.append("Terraform providers " + ", ".join(detect.terraform_providers))
    if detect.universe_domains:
        how.append("universe domains " + ", ".join(detect.universe_domains))
    if detect.endpoints:
        how.append("endpoints " + ", ".join(e.pattern.pattern for e in detect.endpoints))
    lines += ["", "Recognised by: " + ("; ".join(how) if how else "nothing yet (declare it in .sovscan.yml)")]

    lines += ["", f"Regions ({len(p.regions)}):" if p.regions else "Regions: none recorded (a resource's country is unknown)"]
    by_country: dict[str, list[Region]] = {}
    for region in p.regions:
        key = ", ".join(region.countries) or (region.area or "?")
        by_country.setdefault(key, []).append(region)
    eu, eea = catalog.countries.eu, catalog.countries.eea
    for country in sorted(by_country):
        codes = set(country.split(", "))
        area = "EU" if codes <= eu else ("EEA" if codes <= eea else "outside the EEA")
        if country in ("EU", "EEA"):
            area = f"somewhere in the {country}"
        lines.append(f"  {country} ({area}): " + ", ".join(_region_line(r) for r in by_country[country]))
    notes = [(r.label, r.note) for r in p.regions if r.note]
    for label, note in notes:
        lines.append(f"    {label}: {note}")

    lines += ["", "Offers:" if p.offers else "Offers: none recorded"]
    for offer in p.offers:
        models = f" [{', '.join(offer.service_models)}]" if offer.service_models else ""
        lines.append(f"  {offer.id}: {offer.name}{models}")
        for cert in offer.certifications:
            lines.extend(_certification_lines(cert, offer, as_of))
        if offer.note:
            lines.append(f"    Note: {offer.note}")

    if p.csf_seal:
        seal = p.csf_seal
        levels = ", ".join(f"{k} {v}" for k, v in sorted(seal.levels.items()))
        lines += ["", f"EU Cloud Sovereignty Framework SEAL ({seal.provenance}): {levels} {_cite(seal.sources, seal.confidence)}"]

    lines += ["", "Sources:"]
    for source_id in cited_sources(p):
        source = catalog.sources.get(source_id)
        if source is None:
            lines.append(f"  {source_id}  (not defined in sources.yml)")
            continue
        about = ", ".join(x for x in (source.reliability if source.reliability != "normal" else None, f"published {source.published}" if source.published else None) if x)
        lines.append(f"  {source_id}  {source.url}" + (f"  ({about})" if about else ""))
    return "\n".join(lines) + "\n"


def _certification_lines(cert: Certification, offer: Offer, as_of: str) -> list[str]:
    head = " ".join(x for x in (cert.scheme, cert.version, cert.status.replace("_", " ")) if x)
    scope = f" in {', '.join(cert.regions)}" if cert.regions else ""
    dates = []
    if cert.obtained:
        dates.append(f"obtained {cert.obtained}")
    if cert.valid_until:
        dates.append(f"valid until {cert.valid_until}")
    validity = _validity(cert, offer, as_of)
    counts = {True: "counts", False: "does not count", None: "cannot be relied on"}[validity["holds"]]
    line = f"    {head}{scope}" + (f" ({', '.join(dates)})" if dates else "") + f" {_cite(cert.sources, cert.confidence)}"
    out = [line, f"      on {as_of} it {counts}: {validity['why']}"]
    if cert.evidence_url:
        out.append(f"      evidence: {cert.evidence_url}")
    if cert.note and cert.note.rstrip(".") not in validity["why"]:
        out.append(f"      {cert.note}")
    return out


# --------------------------------------------------------------------------- --stale

def render_stale(stale: list[tuple[DatedFact, int]], as_of: str, days: int, fmt: str = "text") -> str:
    if fmt == "json":
        document = {
            "schema_version": SCHEMA_VERSION,
            "as_of": as_of,
            "older_than_days": days,
            "stale": [
                {"provider": f.provider, "kind": f.kind, "fact": f.subject, "verified_at": f.verified_at,
                 "age_days": age, "sources": list(f.sources), "confidence": f.confidence}
                for f, age in stale
            ],
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if not stale:
        return f"No catalog fact was verified more than {days} days before {as_of}.\n"
    lines = [f"{len(stale)} catalog facts were verified more than {days} days before {as_of}:"]
    for fact, age in stale:
        lines.append(f"  {fact.provider:22} {fact.kind:13} {fact.subject}  (verified {fact.verified_at}, {age} days ago) {_cite(fact.sources, fact.confidence)}")
    lines.append("Re-check each against its sources, then update verified_at in policies/catalog/providers/.")
    return "\n".join(lines) + "\n"
