"""`sovscan catalog [PROVIDER] [--format text|json] [--stale DAYS]`, run through the real CLI."""

from __future__ import annotations

import json

from click.testing import CliRunner

from scanner.cli.app import cli
from scanner.cli.views.catalog import render_provider
from scanner.policy.catalog import load_catalog
from tests.test_catalog import EXPECTED_PROVIDERS


def run(*args: str, today: str = "2026-11-27"):
    return CliRunner().invoke(cli, ["catalog", *args], env={"SOVSCAN_TODAY": today})


def test_summary_lists_every_provider_with_operator_exposure_and_secnumcloud():
    result = run()
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[1:] if line and not line.startswith(("3", "D"))}
    assert set(rows) == EXPECTED_PROVIDERS
    assert rows["ovhcloud"].split() == ["ovhcloud", "OVH", "Groupe", "SA", "FR", "not", "exposed", "15", "qualified"]
    assert rows["cloudtemple"].split()[-1] == "expired"  # qualified in 2022, three years are over
    assert rows["alibaba"].split()[-4:] == ["CN", "exposed", "5", "none?"]
    assert "33 providers · '?' marks an unconfirmed fact · SecNumCloud judged on 2026-11-27" in result.stdout


def test_one_provider_in_detail_with_regions_by_country_offers_and_sources():
    result = run("ovhcloud")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("OVHcloud (ovhcloud) — operated by OVH Groupe SA, FR\n")
    assert "Exposure to non-EU law: not exposed [S87, S73] (confirmed)\n" in out
    assert "  GB (outside the EEA): UK[0-9]* (pattern) London\n" in out
    assert "  IT (EU): EU-SOUTH-MIL Milan\n" in out  # the OVHcloud S3 endpoints guide lists it (U23)
    assert "  CA (outside the EEA): BHS[0-9]* (pattern) Beauharnois, ca-east-tor Toronto\n" in out
    assert "    SecNumCloud 3.2 qualified [S70] (confirmed)\n" in out
    assert "  S70  https://docs.ovhcloud.com/en/guides/account-and-service-management/reversibility/05-snc-vmware-reversibility-policy  (vendor, published 2025)\n" in out


def test_oracle_shows_serbia_outside_the_eea():
    result = run("oracle")
    assert "  RS (outside the EEA): eu-jovanovac-1 Jovanovac\n" in result.stdout


def test_unknown_provider_exits_2_and_lists_the_ids():
    result = run("nope")
    assert result.exit_code == 2
    assert "no provider 'nope' in the catalog; known providers: akamai-linode, alibaba, aws, aws-cn," in result.stderr


def test_json_lists_every_provider_with_all_facts_and_resolved_sources():
    result = run("--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["schema_version"] == 1 and doc["as_of"] == "2026-11-27" and doc["errors"] == []
    providers = {p["id"]: p for p in doc["providers"]}
    assert set(providers) == EXPECTED_PROVIDERS
    for provider in providers.values():
        cited = {s["id"] for s in provider["sources"]}
        assert all(s["url"] for s in provider["sources"]), provider["id"]
        assert set(provider["exposure"]["sources"]) <= cited
        for offer in provider["offers"]:
            for cert in offer["certifications"]:
                assert set(cert["sources"]) <= cited
                assert cert["confidence"] in ("confirmed", "unconfirmed")
    premi3ns = providers["s3ns"]["offers"][0]["certifications"][0]
    assert premi3ns | {"note": None} == {
        "scheme": "SecNumCloud", "version": "3.2", "status": "qualified", "regions": ["u-france-east1"],
        "obtained": "2026-01", "valid_until": None, "evidence_url": "https://cyber.gouv.fr/produits-services-qualifies",
        "confidence": "confirmed", "sources": ["S66", "S67"], "verified_at": None, "note": None,
        "counts": {"as_of": "2026-11-27", "holds": True, "why": "SecNumCloud 3.2 qualified for PREMI3NS (s3ns-premi3ns), valid until 2029-01-01"},
    }
    jovanovac = next(r for r in providers["oracle"]["regions"] if r["id"] == "eu-jovanovac-1")
    assert (jovanovac["countries"], jovanovac["in_eu"], jovanovac["in_eea"]) == (["RS"], False, False)


def test_json_of_one_provider():
    doc = json.loads(run("hcp-terraform", "--format", "json").stdout)
    [provider] = doc["providers"]
    assert provider["detect"]["endpoints"] == [{"host": "app\\.terraform\\.io", "region": None}]
    assert provider["exposure"]["confidence"] == "unconfirmed"


def test_stale_lists_old_facts_and_exits_1():
    result = run("scaleway", "--stale", "365", today="2028-01-01")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "9 catalog facts were verified more than 365 days before 2028-01-01:"
    assert lines[1].split()[:3] == ["scaleway", "certification", "offer"]
    assert "exposure      exposure not_exposed  (verified 2026-11-27, 400 days ago) [S90] (unconfirmed)" in result.stdout


def test_stale_with_nothing_old_exits_0():
    result = run("--stale", "30")
    assert result.exit_code == 0
    assert result.stdout == "No catalog fact was verified more than 30 days before 2026-11-27.\n"


def test_stale_as_json():
    doc = json.loads(run("hetzner", "--stale", "0", "--format", "json", today="2026-12-07").stdout)
    assert doc["older_than_days"] == 0 and doc["as_of"] == "2026-12-07"
    assert {"provider": "hetzner", "kind": "region", "fact": "region ash in US", "verified_at": "2026-11-27",
            "age_days": 10, "sources": ["S84"], "confidence": "confirmed"} in doc["stale"]


def test_every_provider_renders_as_text():
    """The same renderer the command uses, on every provider (one catalog load)."""
    catalog = load_catalog()
    for provider in catalog.providers.values():
        text = render_provider(catalog, provider, "2026-11-27")
        assert text.startswith(f"{provider.name} ({provider.id}) — operated by {provider.legal_name}, {provider.hq_country}\n")
        assert "\nSources:\n" in text
