"""Locate: turn (provider, region, hints) into a ``Hosting`` from the catalog.

Who operates a place is decided in this order: an endpoint host (an AWS
provider pointed at Scaleway's S3), a Google universe domain (S3NS), then
the Terraform provider or inventory API. When the region is unknown every
region of the candidate providers is considered, so what is true of all of
them (AWS is exposed to the CLOUD Act in every partition) stays known and
the rest becomes Unknown, with the reason.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from scanner.model import Certification, CertificationStatus, Fact, Hosting, Resource, Unknown
from scanner.policy.catalog import Catalog, Offer, Provider, Region

SCHEMES = ("SecNumCloud", "HDS")
QUALIFICATION_YEARS = 3  # SecNumCloud qualifications are valid three years (REFERENCE.md §1.4)


@dataclass(frozen=True)
class Candidate:
    provider: Provider
    region: Region | None  # None: the identifier is not in the catalog
    region_id: str | Unknown


def _parse_date(text: str | None, end: bool = False) -> _dt.date | None:
    if not text:
        return None
    parts = text.split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else 1
        day = int(parts[2]) if len(parts) > 2 else 1
        return _dt.date(year, month, day)
    except (ValueError, IndexError):
        return None


def certification_status(cert: Certification, scheme: str, offer: Offer, region_id: str, as_of: str) -> CertificationStatus:
    """Whether one certification entry makes ``scheme`` hold on ``as_of``."""
    label = f"{offer.name} ({offer.id})"
    if cert.status in ("qualified", "certified"):
        until = _parse_date(cert.valid_until)
        assumed = False
        if until is None and cert.obtained and scheme == "SecNumCloud":
            start = _parse_date(cert.obtained)
            if start is not None:
                until = start.replace(year=start.year + QUALIFICATION_YEARS)
                assumed = True
        if until is not None and until.isoformat() < as_of:
            how = f"assumed {QUALIFICATION_YEARS} years after {cert.obtained}" if assumed else "per the catalog"
            return CertificationStatus(False, cert, f"{scheme} of {label} expired on {until.isoformat()} ({how}); an expired qualification no longer counts")
        if cert.confidence != "confirmed":
            note = f" ({cert.note.rstrip('.')})" if cert.note else ""
            return CertificationStatus(Unknown(f"{scheme} of {label} in {region_id} is unconfirmed in the catalog{note}"), cert, f"{scheme} of {label} is unconfirmed")
        valid = f", valid until {until.isoformat()}" if until else ""
        return CertificationStatus(True, cert, f"{scheme} {cert.version or ''} {cert.status} for {label}{valid}".replace("  ", " "))
    if cert.status == "unknown":
        note = (cert.note or "the catalog cannot tell").rstrip(".")
        return CertificationStatus(Unknown(f"{scheme} status of {label} in {region_id} is unknown ({note})"), cert, note)
    note = f" ({cert.note.rstrip('.')})" if cert.note else ""
    return CertificationStatus(False, cert, f"{label} has {scheme} status '{cert.status}'{note}")


def offer_for(provider: Provider, region_id: str, resource: Resource) -> Offer | None:
    for offer in provider.offers:
        match = offer.match
        if match.regions and region_id.lower() not in {r.lower() for r in match.regions}:
            continue
        if match.resource_types and not any(fnmatch.fnmatchcase(resource.type, p) for p in match.resource_types):
            continue
        if match.hints and not all(
            isinstance(hint := resource.hints.get(name), str) and re.fullmatch(pattern, hint)
            for name, pattern in match.hints
        ):
            continue
        return offer
    return None


def _scheme_status(candidate: Candidate, scheme: str, resource: Resource, as_of: str) -> CertificationStatus:
    provider = candidate.provider
    if isinstance(candidate.region_id, Unknown):
        return _status_in_any_region(provider, scheme, resource, as_of, candidate.region_id)
    region_id = candidate.region_id
    offer = offer_for(provider, region_id, resource)
    if offer is None:
        return CertificationStatus(False, None, f"the catalog records no offer of {provider.name} with {scheme}")
    applicable = [
        c for c in offer.certifications
        if c.scheme == scheme and (c.regions is None or region_id.lower() in {r.lower() for r in c.regions})
    ]
    if not applicable:
        return CertificationStatus(False, None, f"the catalog records no {scheme} for {offer.name} in {region_id}")
    statuses = [certification_status(c, scheme, offer, region_id, as_of) for c in applicable]
    for status in statuses:
        if status.holds is True:
            return status
    for status in statuses:
        if isinstance(status.holds, Unknown):
            return status
    return statuses[0]


def _status_in_any_region(provider: Provider, scheme: str, resource: Resource, as_of: str, unknown: Unknown) -> CertificationStatus:
    """With the region unknown, a scheme is decided only if no offer scopes it by region."""
    offers = [o for o in provider.offers if not o.match.regions and not o.match.hints]
    if not offers:
        return CertificationStatus(unknown, None, unknown.reason)
    statuses = []
    for offer in offers:
        certs = [c for c in offer.certifications if c.scheme == scheme]
        if any(c.regions is not None for c in certs):
            return CertificationStatus(unknown, None, unknown.reason)
        if not certs:
            statuses.append(CertificationStatus(False, None, f"the catalog records no {scheme} for {offer.name}"))
        else:
            statuses += [certification_status(c, scheme, offer, "any region", as_of) for c in certs]
    holds = {s.holds for s in statuses if not isinstance(s.holds, Unknown)}
    if holds == {False} and len(statuses) == sum(1 for s in statuses if s.holds is False):
        return statuses[0]
    return CertificationStatus(unknown, None, unknown.reason)


# --------------------------------------------------------------------------- candidates

def _providers_for(resource: Resource, catalog: Catalog) -> tuple[list[Provider], str | None, Unknown | None]:
    """(candidate providers, region fixed by an endpoint, why there are none)."""
    pinned = resource.hints.get("cloud")
    if isinstance(pinned, str) and pinned in catalog.providers:
        return [catalog.providers[pinned]], None, None
    endpoint = resource.hints.get("endpoint")
    if isinstance(endpoint, Unknown):
        return [], None, Unknown(f"the provider's endpoint is unknown ({endpoint.reason})")
    if endpoint:
        found = catalog.for_endpoint(endpoint)
        if found is None:
            return [], None, Unknown(f"endpoint {endpoint} does not belong to a provider in the catalog")
        return [found[0]], found[1], None
    universe = resource.hints.get("universe_domain")
    if isinstance(universe, Unknown):
        return [], None, Unknown(f"the Google universe domain is unknown ({universe.reason})")
    if universe:
        providers = catalog.for_universe_domain(universe)
        if not providers:
            return [], None, Unknown(f"universe domain {universe} is not in the catalog")
        return providers, None, None
    auth_url = resource.hints.get("auth_url")
    if isinstance(auth_url, str) and auth_url:
        found = catalog.for_endpoint(auth_url)
        if found is not None:
            group = [p for p in catalog.for_terraform_provider(resource.provider) if p.group == found[0].group] or [found[0]]
            return group, None, None
        return [], None, Unknown(f"OpenStack endpoint {auth_url} does not belong to a provider in the catalog")
    if isinstance(auth_url, Unknown):
        return [], None, Unknown(f"the OpenStack endpoint is unknown ({auth_url.reason})")
    if resource.origin.api is not None:
        # An inventory names the API it came from (azure, gcp, outscale…), matched to detect.inventory_apis.
        providers = catalog.for_inventory_api(resource.provider)
    else:
        # A provider reached only through a universe domain (S3NS) is never the default for its Terraform provider.
        providers = [p for p in catalog.for_terraform_provider(resource.provider) if not p.detect.universe_domains or "googleapis.com" in p.detect.universe_domains]
    if resource.provider in ("openstack",):
        return [], None, Unknown("an OpenStack provider without auth_url: which cloud it targets is unknown")
    if not providers:
        return [], None, Unknown(f"the provider '{resource.provider}' is not in sovscan's catalog")
    return providers, None, None


# Copies cached at CDN edges are in many countries at once, the EU among others but not only.
WORLDWIDE = Region("worldwide", None, (), "WORLD", None, (), "confirmed", "edge caches in many countries worldwide")


def candidates(resource: Resource, catalog: Catalog) -> tuple[list[Candidate], Unknown | None]:
    providers, endpoint_region, problem = _providers_for(resource, catalog)
    if problem is not None:
        return [], problem
    if resource.hints.get("area") == WORLDWIDE.id:
        return [Candidate(p, WORLDWIDE, "worldwide") for p in providers], None
    region = endpoint_region or resource.region
    if isinstance(region, Unknown):
        found = [Candidate(p, r, r.id or region) for p in providers for r in p.regions]
        found += [Candidate(p, None, region) for p in providers]  # a region the catalog does not list
        return found, None
    exact = [Candidate(p, p.find_region(region), region) for p in providers if p.find_region(region)]
    if exact:
        return exact[:1], None
    claimed = [Candidate(p, None, region) for p in providers if p.claims_region(region)]
    if claimed:
        return claimed[:1], None
    return [Candidate(p, None, region) for p in providers], None


# --------------------------------------------------------------------------- joining

def _join(values: Iterable[Any], unknown_reason: str) -> Any:
    values = list(values)
    if not values:
        return Unknown(unknown_reason)
    first = values[0]
    for value in values:
        if isinstance(value, Unknown):
            return value
    if all(v == first for v in values):
        return first
    return Unknown(unknown_reason)


def _countries(candidate: Candidate) -> frozenset[str] | Unknown:
    if candidate.region is None:
        if isinstance(candidate.region_id, Unknown):
            return candidate.region_id
        return Unknown(f"region {candidate.region_id} of {candidate.provider.name} is not in the catalog")
    if not candidate.region.countries:
        return Unknown(f"{candidate.region.label} spans several countries ({candidate.region.area})")
    return frozenset(candidate.region.countries)


def _membership(candidate: Candidate, catalog: Catalog, area: str) -> bool | Unknown:
    region = candidate.region
    if region is WORLDWIDE:
        return False
    if region is not None and not region.countries and region.area:
        if area == "eu":
            return True if region.area == "EU" else Unknown(f"{region.label} spans the EEA, not only the EU")
        return True
    countries = _countries(candidate)
    if isinstance(countries, Unknown):
        return countries
    allowed = {"eu": catalog.countries.eu, "eea": catalog.countries.eea, "adequacy": catalog.countries.eea | catalog.countries.adequacy}[area]
    inside = countries <= allowed
    if inside and region is not None and region.confidence != "confirmed":
        # Never pass on an unconfirmed fact; a likely failure still fails.
        return Unknown(f"the country of {region.label} ({', '.join(countries)}) is unconfirmed in the catalog")
    return inside


def locate(resource: Resource, catalog: Catalog, as_of: str) -> Hosting:
    found, problem = candidates(resource, catalog)
    if problem is not None:
        return Hosting(
            cloud=problem, offer=None, region=resource.region, countries=problem, in_eu=problem, in_eea=problem,
            adequacy=problem, operator=problem, jurisdiction=problem, exposure=problem, commercial=problem,
            certifications={s: CertificationStatus(problem, None, problem.reason) for s in SCHEMES},
        )
    region_reason = resource.region.reason if isinstance(resource.region, Unknown) else "the region matches several catalog entries"
    reason = f"the region is unknown ({region_reason})"
    cloud = _join((c.provider.id for c in found), reason)
    exposure = _join((c.provider.exposure.status for c in found), reason)
    operator = _join((c.provider.legal_name for c in found), reason)
    laws = found[0].provider.exposure.laws if not isinstance(exposure, Unknown) else ()
    certifications = {scheme: _joined_status(found, scheme, resource, as_of, reason) for scheme in SCHEMES}
    region_value: str | Unknown = found[0].region_id if len(found) == 1 else resource.region
    offer = None
    if len(found) == 1 and not isinstance(found[0].region_id, Unknown):
        matched = offer_for(found[0].provider, found[0].region_id, resource)
        offer = matched.id if matched else None
    return Hosting(
        cloud=cloud,
        offer=offer,
        region=region_value,
        countries=_join((_countries(c) for c in found), reason),
        in_eu=_join((_membership(c, catalog, "eu") for c in found), reason),
        in_eea=_join((_membership(c, catalog, "eea") for c in found), reason),
        adequacy=_join((_membership(c, catalog, "adequacy") for c in found), reason),
        operator=operator,
        jurisdiction=_join((c.provider.hq_country for c in found), reason),
        exposure=exposure,
        exposure_laws=tuple(laws),
        commercial=_join((c.provider.commercial for c in found), reason),
        certifications=certifications,
        facts=_facts(found, catalog, certifications),
        seal=_seal(found, reason),
    )


def _seal(found: list[Candidate], reason: str) -> dict[str, int | Unknown]:
    """SEAL level per objective, the same for every candidate or Unknown."""
    from scanner.policy.catalog import SEAL_OBJECTIVES

    levels: dict[str, int | Unknown] = {}
    for objective in SEAL_OBJECTIVES:
        values = [
            c.provider.csf_seal.levels.get(objective) if c.provider.csf_seal else None
            for c in found
        ]
        if any(v is None for v in values):
            levels[objective] = Unknown(f"no SEAL level for {objective} in the catalog")
        else:
            levels[objective] = _join(values, reason)
    return levels


def _joined_status(found: list[Candidate], scheme: str, resource: Resource, as_of: str, reason: str) -> CertificationStatus:
    statuses = [_scheme_status(c, scheme, resource, as_of) for c in found]
    if len(statuses) == 1:
        return statuses[0]
    holds = _join((s.holds for s in statuses), reason)
    names = " / ".join(sorted({c.provider.name for c in found}))
    if holds is False:
        return CertificationStatus(False, None, f"no region of {names} holds {scheme} in the catalog")
    if holds is True:
        return CertificationStatus(True, None, f"every region of {names} holds {scheme}")
    return CertificationStatus(holds, None, holds.reason)


def _facts(found: list[Candidate], catalog: Catalog, certifications: dict[str, CertificationStatus]) -> tuple[Fact, ...]:
    if len(found) != 1:
        providers = {c.provider.id: c.provider for c in found}
        return tuple(_provider_fact(p, catalog) for p in providers.values())
    candidate = found[0]
    facts = [_provider_fact(candidate.provider, catalog)]
    region = candidate.region
    if region is not None:
        where = ", ".join(region.countries) or region.area or "?"
        facts.append(Fact(f"{candidate.provider.name} region {region.label} is in {where}", region.sources, catalog.source_urls(region.sources), candidate.provider.verified_at, region.confidence))
    for status in certifications.values():
        cert = status.certification
        if cert is not None:
            urls = catalog.source_urls(cert.sources) + ((cert.evidence_url,) if cert.evidence_url else ())
            facts.append(Fact(status.why, cert.sources, urls, cert.verified_at or candidate.provider.verified_at, cert.confidence))
    return tuple(facts)


def _provider_fact(provider: Provider, catalog: Catalog) -> Fact:
    exposure = provider.exposure
    laws = f" ({', '.join(exposure.laws)})" if exposure.laws else ""
    return Fact(
        f"{provider.legal_name} ({provider.hq_country}) is {exposure.status.replace('_', ' ')}{laws}: {exposure.rationale}",
        exposure.sources,
        catalog.source_urls(exposure.sources),
        provider.verified_at,
        exposure.confidence,
    )
