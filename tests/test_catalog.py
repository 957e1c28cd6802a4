"""The trust catalog: coverage, botocore regions, validity in time, freshness, and validation
of broken files (each problem one sentence naming file, line and key; the rest still loads)."""

from __future__ import annotations

import importlib.resources
import json
import shutil
from pathlib import Path

import pytest

from scanner.locate import certification_status
from scanner.policy.catalog import BOTOCORE_REGION_WITHOUT_COUNTRY, load_catalog, stale_facts
from scanner.policy.paths import policies_dir

CATALOG_DIR = policies_dir() / "catalog"

# Every operating entity the catalog must cover (issue 4, item 1).
EXPECTED_PROVIDERS = {
    "aws", "aws-eusc", "aws-cn", "azure", "google", "s3ns", "bleu", "ovhcloud", "ovh-us", "outscale",
    "outscale-us", "cloudtemple", "numspot", "scaleway", "orange-business", "oracle", "oracle-eu-sovereign",
    "ibm", "alibaba", "huawei", "tencent", "hetzner", "ionos", "stackit", "open-telekom-cloud", "exoscale",
    "infomaniak", "upcloud", "digitalocean", "akamai-linode", "vultr", "hcp-terraform", "datadog",
}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_bundled_catalog_loads_without_a_single_error(catalog):
    assert catalog.errors == []


def test_catalog_covers_every_provider_of_the_brief(catalog):
    assert set(catalog.providers) == EXPECTED_PROVIDERS


def test_every_provider_has_dated_sourced_exposure(catalog):
    for provider in catalog.providers.values():
        assert provider.verified_at == "2026-11-27", provider.id
        assert provider.exposure.sources, f"{provider.id}: exposure cites no source"
        assert provider.exposure.confidence in ("confirmed", "unconfirmed")


def test_no_catalog_file_points_users_at_an_internal_document():
    for path in CATALOG_DIR.rglob("*.yml"):
        assert "REFERENCE.md" not in path.read_text(encoding="utf-8"), path


@pytest.mark.parametrize(
    ("provider", "region", "country"),
    [
        ("oracle", "eu-jovanovac-1", "RS"),  # "eu-" but Serbia
        ("oracle-eu-sovereign", "eu-frankfurt-2", "DE"),
        ("oracle-eu-sovereign", "eu-madrid-2", "ES"),
        ("alibaba", "eu-west-1", "GB"),  # unlike AWS's eu-west-1
        ("aws", "eu-west-1", "IE"),
        ("hetzner", "ash", "US"),
        ("ionos", "de/fra", "DE"),
        ("digitalocean", "lon1", "GB"),
        ("exoscale", "ch-gva-2", "CH"),
        ("upcloud", "de-fra1", "DE"),
        ("open-telekom-cloud", "eu-nl", "NL"),
    ],
)
def test_region_country(catalog, provider, region, country):
    found = catalog.providers[provider].find_region(region)
    assert found is not None and found.countries == (country,)


def test_hcp_terraform_is_recognised_by_its_address(catalog):
    provider, region = catalog.for_endpoint("app.terraform.io")
    assert (provider.id, region) == ("hcp-terraform", None)


# --------------------------------------------------------------------------- botocore

def _botocore_partitions() -> list[dict]:
    return json.loads((importlib.resources.files("botocore") / "data" / "partitions.json").read_text())["partitions"]


@pytest.mark.parametrize("partition", _botocore_partitions(), ids=lambda p: p["id"])
def test_every_botocore_region_gets_a_country_or_an_explicit_unconfirmed_note(catalog, partition):
    """A region botocore adds fails here until someone records its country (or why it is unknown)."""
    missing = []
    for region_id in partition["regions"]:
        if region_id.endswith("-global"):
            continue
        aws_family = [p for p in catalog.providers.values() if "aws" in p.detect.terraform_providers]
        owners = [p for p in aws_family if p.find_region(region_id) and p.find_region(region_id).id == region_id]
        if len(owners) != 1:
            missing.append(f"{region_id}: in {len(owners)} catalog providers")
            continue
        region = owners[0].find_region(region_id)
        explained = region.confidence == "unconfirmed" and region.note and region.note != BOTOCORE_REGION_WITHOUT_COUNTRY
        if not region.countries and not explained:
            missing.append(f"{region_id}: no country in {owners[0].file}")
    assert missing == []


def test_botocore_regions_marked_unconfirmed_say_why(catalog):
    region = catalog.providers["aws"].find_region("mx-central-1")
    assert region.countries == ("MX",) and region.confidence == "unconfirmed"
    assert region.note == "MX is an inference from the region name; not confirmed by a source."


# --------------------------------------------------------------------------- time

def _cert(catalog, provider, offer_id, scheme="SecNumCloud"):
    offer = next(o for o in catalog.providers[provider].offers if o.id == offer_id)
    return offer, next(c for c in offer.certifications if c.scheme == scheme)


def test_qualification_counts_within_three_years_of_obtention(catalog):
    offer, cert = _cert(catalog, "s3ns", "s3ns-premi3ns")
    assert certification_status(cert, "SecNumCloud", offer, "u-france-east1", "2026-11-27").holds is True
    late = certification_status(cert, "SecNumCloud", offer, "u-france-east1", "2029-02-01")
    assert late.holds is False
    assert late.why == "SecNumCloud of PREMI3NS (s3ns-premi3ns) expired on 2029-01-01 (assumed 3 years after 2026-01); an expired qualification no longer counts"


def test_cloud_temple_2022_qualification_no_longer_counts_without_renewal(catalog):
    offer, cert = _cert(catalog, "cloudtemple", "cloudtemple-iaas")
    status = certification_status(cert, "SecNumCloud", offer, "any", "2026-11-27")
    assert status.holds is False
    assert status.why.startswith("SecNumCloud of Cloud Temple IaaS (cloudtemple-iaas) expired on 2025-01-01")


def test_stale_lists_facts_older_than_the_threshold(catalog):
    stale = stale_facts([catalog.providers["s3ns"]], "2027-12-01", 365)
    assert [(f.kind, f.subject, age) for f, age in stale] == [
        ("certification", "offer s3ns-premi3ns: SecNumCloud 3.2 qualified", 369),
        ("exposure", "exposure mitigated", 369),
        ("offer", "offer s3ns-premi3ns", 369),
        ("provider", "S3NS SAS (FR)", 369),
        ("region", "region u-france-east1 in FR", 369),
    ]
    assert stale_facts([catalog.providers["s3ns"]], "2027-12-01", 369) == []


# --------------------------------------------------------------------------- validation

GOOD = """\
id: tiny
name: Tiny Cloud
legal_name: Tiny SAS
hq_country: FR
exposure:
  status: not_exposed
  rationale: A test provider.
  sources: [S84]
  confidence: confirmed
detect:
  terraform_providers: [tiny]
regions:
  - {id: par1, country: FR, sources: [S84], confidence: confirmed}
  - {id: ams1, country: NL, sources: [S84], confidence: confirmed}
offers:
  - id: tiny-iaas
    name: Tiny IaaS
    certifications:
      - scheme: SecNumCloud
        status: none
        confidence: confirmed
        sources: [S84]
verified_at: 2026-11-27
confidence: confirmed
"""


def _broken_catalog(tmp_path: Path, text: str) -> tuple[object, str]:
    root = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, root)
    path = root / "providers" / "tiny.yml"
    path.write_text(text, encoding="utf-8")
    return load_catalog(root), str(path)


def _only_error(catalog, file: str) -> tuple[int | None, str]:
    assert len(catalog.errors) == 1, catalog.errors
    got_file, line, message = catalog.errors[0]
    assert got_file == file
    assert set(catalog.providers) >= EXPECTED_PROVIDERS  # the rest of the catalog still loads
    return line, message


def test_good_provider_file_loads(tmp_path):
    catalog, _ = _broken_catalog(tmp_path, GOOD)
    assert catalog.errors == []
    assert [r.id for r in catalog.providers["tiny"].regions] == ["par1", "ams1"]


def test_unknown_key_names_the_key_and_the_expected_ones(tmp_path):
    catalog, file = _broken_catalog(tmp_path, GOOD.replace("  - {id: ams1, country: NL,", "  - {id: ams1, contry: NL,"))
    assert _only_error(catalog, file) == (
        14,
        "unknown key 'regions[1].contry' in region; expected one of: id, pattern, country, countries, area, city, sources, confidence, note, verified_at",
    )
    assert [r.id for r in catalog.providers["tiny"].regions] == ["par1"]  # only the broken region is dropped


def test_wrong_type_says_what_was_expected(tmp_path):
    catalog, file = _broken_catalog(tmp_path, GOOD.replace("confidence: confirmed\ndetect:", "confidence: confirmed\ncommercial: maybe\ndetect:"))
    assert _only_error(catalog, file) == (10, "key 'commercial' is the text 'maybe'; expected true or false")
    assert "tiny" not in catalog.providers


def test_unknown_country_code_is_refused(tmp_path):
    catalog, file = _broken_catalog(tmp_path, GOOD.replace("{id: ams1, country: NL,", "{id: ams1, country: XX,"))
    assert _only_error(catalog, file) == (
        14,
        "key 'regions[1].country' is the text 'XX'; expected an ISO 3166-1 alpha-2 country code such as FR",
    )


def test_duplicate_region_id_is_refused(tmp_path):
    catalog, file = _broken_catalog(tmp_path, GOOD.replace("{id: ams1, country: NL,", "{id: PAR1, country: NL,"))
    assert _only_error(catalog, file) == (14, "duplicate region id 'par1' in 'regions' (first at line 13)")
    assert [r.countries for r in catalog.providers["tiny"].regions] == [("FR",)]


def test_offer_citing_a_missing_source_is_refused(tmp_path):
    catalog, file = _broken_catalog(tmp_path, GOOD.replace("        sources: [S84]\nverified_at", "        sources: [S999]\nverified_at"))
    assert _only_error(catalog, file) == (
        22,
        "key 'offers[0].certifications[0].sources[0]' is the text 'S999'; expected a source id such as S12 or U03 "
        "defined in policies/catalog/sources.yml, which does not define S999",
    )


def test_yaml_syntax_error_names_the_line(tmp_path):
    catalog, file = _broken_catalog(tmp_path, GOOD.replace("name: Tiny Cloud", "name: Tiny: Cloud"))
    assert _only_error(catalog, file) == (2, "mapping values are not allowed here")
    assert "tiny" not in catalog.providers


def test_broken_source_entry_is_reported_once_and_providers_still_load(tmp_path):
    root = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, root)
    sources = root / "sources.yml"
    text = sources.read_text(encoding="utf-8")
    sources.write_text(text.replace("  U01:\n", "  U01:\n    publisher: EC\n"), encoding="utf-8")
    line = text[: text.index("  U01:\n")].count("\n") + 2
    catalog = load_catalog(root)
    assert catalog.errors == [
        (str(sources), line, "unknown key 'sources.U01.publisher' in source; expected one of: url, published, note, reliability"),
    ]
    assert "U01" not in catalog.sources and "U02" in catalog.sources
    assert set(catalog.providers) == EXPECTED_PROVIDERS
