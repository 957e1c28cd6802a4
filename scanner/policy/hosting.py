"""The user's own hosting (``hosting:`` in .sovscan.yml): a ministry data centre or a private cloud.

Each entry is a provider document of the trust catalog, checked with the
catalog's own schema (``scanner.policy.catalog.PROVIDER``), so a declared
data centre states the same facts as a public cloud: who operates it, its
country, its exposure to non-EU law, whether it is commercial, its offers
and their qualifications or homologations.

A declared hosting is recognised only by the endpoint its resources talk
to (a vSphere provider's ``vsphere_server``, an OpenStack ``auth_url``, an
AWS ``endpoints {}`` block), never by the provider type alone: a vSphere
provider whose server comes from the environment could be anyone's, so it
stays unknown rather than being taken for the user's trusted data centre.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from scanner.model import Unknown
from scanner.policy.catalog import PROVIDER, Catalog, CatalogProblems, Provider, SealAssessment, build_provider
from scanner.policy.config import SEAL_PROVENANCE, Config
from scanner.support.schema import INVALID, Where
from scanner.support.yamlload import LineDict


def declared_providers(config: Config, catalog: Catalog) -> tuple[list[Provider], list[tuple[str, int | None, str]]]:
    """The valid ``hosting:`` entries of ``config`` as catalog providers, and the problems of the others."""
    problems = CatalogProblems(file=config.file or ".sovscan.yml", countries=catalog.countries.known, sources=frozenset(catalog.sources))
    providers: list[Provider] = []
    seen: dict[str, int | None] = {}
    for index, raw in enumerate(config.hosting):
        if not isinstance(raw, LineDict):
            continue  # load_config reported it
        where = Where(f"hosting[{index}]", getattr(raw, "line", None))
        provider = _provider(raw, where, config.file or ".sovscan.yml", problems)
        if provider is None:
            continue
        if provider.id in catalog.providers:
            problems.add(raw.line_of("id"), f"key '{where.path}.id' is '{provider.id}', a provider of sovscan's catalog ({catalog.providers[provider.id].file}); expected an id of your own, such as ministere-dc")
            continue
        if provider.id in seen:
            problems.add(raw.line_of("id"), f"key '{where.path}.id' is '{provider.id}', already declared at line {seen[provider.id]}; expected one entry per hosting")
            continue
        seen[provider.id] = raw.line_of("id")
        providers.append(provider)
    return providers, problems.items


def _provider(raw: Any, where: Where, file: str, problems: CatalogProblems) -> Provider | None:
    checked = PROVIDER.check(raw, where, problems)
    if checked is INVALID:
        return None
    detect = checked["detect"]
    detect_line = raw.line_of("detect")
    ok = True
    for key in ("terraform_providers", "inventory_apis"):
        if detect[key]:
            problems.add(
                raw["detect"].line_of(key),
                f"key '{where.path}.detect.{key}' is set; expected only 'endpoints' (or 'universe_domains'): "
                "a declared hosting is recognised by the endpoint its resources use, never by the provider type alone",
            )
            ok = False
    if not detect["endpoints"] and not detect["universe_domains"]:
        problems.add(detect_line, f"key '{where.path}.detect.endpoints' is empty; expected the host of your endpoint, such as 'vcenter\\.ministere\\.gouv\\.fr'")
        ok = False
    if checked["regions_from_botocore"]:
        problems.add(raw.line_of("regions_from_botocore"), f"key '{where.path}.regions_from_botocore' is set; expected 'regions' (botocore regions belong to AWS's own catalog entries)")
        ok = False
    regions = []
    for index, region in enumerate(checked["regions"]):
        label = f"{where.path}.regions[{index}]"
        if (region.id is None) == (region.pattern is None):
            problems.add(region.line, f"region '{label}' has {'both' if region.id else 'neither'} 'id' and 'pattern'; expected exactly one of them")
            ok = False
        elif not region.countries and not region.area:
            problems.add(region.line, f"region '{label}' ({region.label}) lacks 'country'; expected the ISO code of the country where the data centre is, such as FR")
            ok = False
        else:
            regions.append(region)
    region_ids = {r.id.lower() for r in regions if r.id}
    all_regions_valid = ok and len(regions) == len(raw.get("regions") or [])  # else the region was reported already
    for index, endpoint in enumerate(detect["endpoints"] if all_regions_valid else []):
        if endpoint.region and endpoint.region.lower() not in region_ids:
            line = raw["detect"]["endpoints"].line_of(index)
            problems.add(line, f"key '{where.path}.detect.endpoints[{index}].region' is '{endpoint.region}'; expected the id of one of this hosting's regions: {', '.join(sorted(region_ids)) or 'none'}")
            ok = False
    if not raw.get("regions") and ok:
        problems.add(raw.line_of("regions") if "regions" in raw else raw.line, f"hosting '{where.path}' lists no region; expected at least one, with its country (regions: [{{id: dc-paris, country: FR, confidence: confirmed}}])")
        ok = False
    if not ok:
        return None
    patterns = [re.compile(p, re.IGNORECASE) for p in detect["region_patterns"]]
    return build_provider(checked, regions, patterns, file)


def seal_counts(seal: SealAssessment) -> bool:
    """Whether a SEAL assessment may pass a gate: official or tender, and confirmed (REFERENCE.md §1.8)."""
    return seal.provenance in SEAL_PROVENANCE and seal.confidence == "confirmed"


def with_seal_trust(provider: Provider) -> Provider:
    """The provider with SEAL levels that may not pass a gate turned into Unknown, saying why.

    Third-party scorings (S87) are not official (REFERENCE.md §0.1): a level
    from one is shown as unknown with its provenance, never as a pass.
    """
    seal = provider.csf_seal
    if seal is None or seal_counts(seal):
        return provider
    cited = f"; {', '.join(seal.sources)}" if seal.sources else ""
    reason = f"{provider.name} is rated only by a {seal.provenance} scoring ({seal.confidence}{cited}); only an official or tender assessment counts"
    levels = {objective: Unknown(reason) for objective in seal.levels}
    return replace(provider, csf_seal=replace(seal, levels=levels))
