"""The user's .sovscan.yml: where it is found, what each key changes, and one exact sentence
(file, line, key, what was expected) for each kind of mistake, the rest still applying."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli.app import cli
from scanner.model import Severity, Unknown
from scanner.pipeline import PolicyError, load_policy
from scanner.policy.catalog import SealAssessment
from tests.support import ROOT, finding_keys, scan_document


@pytest.fixture
def config(tmp_path, monkeypatch):
    """Write a .sovscan.yml in an empty folder (the working directory) and load the policy with it."""
    monkeypatch.chdir(tmp_path)

    def load(text: str, **kwargs):
        path = tmp_path / ".sovscan.yml"
        path.write_text(text, encoding="utf-8")
        return load_policy(path, **kwargs)

    return load


def _errors(policy) -> list[tuple[int | None, str]]:
    assert all(e.file == ".sovscan.yml" for e in policy.errors), policy.errors
    return [(e.line, e.message) for e in policy.errors]


HOSTING = """\
hosting:
  - id: ministere-dc
    name: Ministry data centre
    legal_name: Ministère de l'Intérieur
    hq_country: FR
    commercial: false
    exposure: {status: not_exposed, rationale: A State data centre., confidence: confirmed}
    detect:
      endpoints:
        - {host: 'vcenter\\.interieur\\.gouv\\.fr', region: paris}
    regions:
      - {id: paris, country: FR, confidence: confirmed}
    verified_at: 2026-10-01
    confidence: confirmed
"""

FR_RULES = (
    "classified-data-in-commercial-cloud, classified-data-without-homologation, health-data-outside-eea, health-data-without-hds, "
    "internal-data-hosting-unverified, internal-data-outside-eu, personal-data-exposed-to-foreign-law, personal-data-hosting-unverified, "
    "personal-data-outside-eea, restricted-data-without-homologation, sensitive-data-exposed-to-foreign-law, sensitive-data-hosting-unverified, "
    "sensitive-data-outside-eu, sensitive-data-without-secnumcloud, unclassified-resource, unrecognised-classification"
)
LEVELS = "classified, health, internal, personal, public, restricted, sensitive"

CASES = {
    "unknown-key": ("version: 1\nflavour: strict\n", [(2, "unknown key 'flavour' in .sovscan.yml; expected one of: version, pack, fail_on, untagged_level, vocabulary, rules, attestations, offers, hosting, seal, inventory")]),
    "wrong-type": ("rules: [unclassified-resource]\n", [(1, "key 'rules' is a list; expected a mapping of text to a mapping with keys severity, enabled, options")]),
    "value-maps-to-unknown-level": ("vocabulary:\n  values:\n    c3: tres-sensible\n", [(3, f"key 'vocabulary.values.c3' maps to 'tres-sensible', which is not a level; expected one of: {LEVELS}")]),
    "untagged-level-unknown": ("untagged_level: secret\n", [(1, f"key 'untagged_level' is 'secret', which is not a level; expected one of: {LEVELS}")]),
    "unknown-rule-id": ("rules:\n  sensitive-data-outside-europe: {severity: low}\n", [(2, f"key 'rules.sensitive-data-outside-europe' names no rule of pack fr-state; expected one of: {FR_RULES} (see `sovscan rules`)")]),
    "unknown-severity": ("rules:\n  unclassified-resource: {severity: urgent}\n", [(2, "key 'rules.unclassified-resource.severity' is the text 'urgent'; expected one of: info, low, medium, high, critical")]),
    "seal-option-out-of-range": (
        "pack: eu\nrules:\n  sensitive-data-below-seal-minimum:\n    options:\n      minimum: {SOV-9: 2, SOV-2: 5}\n",
        [
            (5, "key 'rules.sensitive-data-below-seal-minimum.options.minimum.SOV-2' is the number 5; expected a whole number >= 0 and <= 4"),
            (5, "key 'rules.sensitive-data-below-seal-minimum.options.minimum.SOV-9' is the text 'SOV-9'; expected an objective, one of: SOV-1, SOV-2, SOV-3, SOV-4, SOV-5, SOV-6, SOV-7, SOV-8"),
        ],
    ),
    "unknown-option": ("rules:\n  sensitive-data-outside-eu:\n    options: {zone: eu}\n", [(3, "unknown key 'rules.sensitive-data-outside-eu.options.zone' in area options; expected one of: area")]),
    "attestation-scheme": ("attestations:\n  - {scheme: DR, workload: m, reference: X}\n", [(2, "key 'attestations[0].scheme' is the text 'DR'; expected one of: DR-homologation, IGI1300-homologation")]),
    "attestation-without-target": ("attestations:\n  - {scheme: DR-homologation, reference: X}\n", [(2, "attestation 'attestations[0]' names neither 'workload' nor 'address'; expected one of them, or it applies to nothing")]),
    "classified-homologation-without-end": (
        "attestations:\n  - {scheme: IGI1300-homologation, workload: m, reference: X}\n",
        [(2, "attestation 'attestations[0]' of scheme IGI1300-homologation lacks 'valid_until'; expected the end date of the homologation decision (at most 3 years, IGI 1300)")],
    ),
    "attestation-date": ("attestations:\n  - {scheme: DR-homologation, workload: m, reference: X, valid_until: 2029-13-01}\n", [(2, "key 'attestations[0].valid_until' is the text '2029-13-01'; expected a date written YYYY-MM-DD")]),
    "unknown-offer": ("offers:\n  - {offer: ovhcloud-snc, workload: w}\n", [(2, "key 'offers[0].offer' is 'ovhcloud-snc', which no provider of the catalog offers; expected an offer id such as ovhcloud-hpc-vmware-snc (see `sovscan catalog`)")]),
    "seal-unknown-provider": ("seal:\n  - {provider: nimbus, provenance: tender, reference: r, levels: {SOV-1: 2}}\n", [(2, "key 'seal[0].provider' is 'nimbus', which is not a provider of the catalog; expected a provider id such as aws or s3ns (see `sovscan catalog`)")]),
    "seal-third-party": ("seal:\n  - {provider: s3ns, provenance: third-party, reference: r, levels: {SOV-1: 2}}\n", [(2, "key 'seal[0].provenance' is the text 'third-party'; expected one of: official, tender")]),
    "duplicate-key": ("version: 1\nuntagged_level: internal\nuntagged_level: public\n", [(3, "duplicate key 'untagged_level' (first at line 2)")]),
    "not-a-mapping": ("- a\n- b\n", [(1, "the document is not a mapping; expected keys such as pack, vocabulary, rules, hosting (see `sovscan init`)")]),
    "hosting-missing-key": (HOSTING.replace("    legal_name: Ministère de l'Intérieur\n", ""), [(2, "provider 'hosting[0]' lacks the required key 'legal_name' (text)")]),
    "hosting-unknown-country": (HOSTING.replace("country: FR,", "country: XX,"), [(12, "key 'hosting[0].regions[0].country' is the text 'XX'; expected an ISO 3166-1 alpha-2 country code such as FR")]),
    "hosting-region-without-country": (HOSTING.replace("{id: paris, country: FR, confidence: confirmed}", "{id: paris, confidence: confirmed}"), [(12, "region 'hosting[0].regions[0]' (paris) lacks 'country'; expected the ISO code of the country where the data centre is, such as FR")]),
    "hosting-catalog-id": (HOSTING.replace("id: ministere-dc", "id: ovhcloud"), [(2, "key 'hosting[0].id' is 'ovhcloud', a provider of sovscan's catalog (policies/catalog/providers/ovhcloud.yml); expected an id of your own, such as ministere-dc")]),
    "hosting-matched-by-provider-type": (
        HOSTING.replace("    detect:\n", "    detect:\n      terraform_providers: [vsphere]\n"),
        [(9, "key 'hosting[0].detect.terraform_providers' is set; expected only 'endpoints' (or 'universe_domains'): a declared hosting is recognised by the endpoint its resources use, never by the provider type alone")],
    ),
    "hosting-without-endpoint": (
        HOSTING.replace("      endpoints:\n        - {host: 'vcenter\\.interieur\\.gouv\\.fr', region: paris}\n", "      endpoints: []\n"),
        [(8, "key 'hosting[0].detect.endpoints' is empty; expected the host of your endpoint, such as 'vcenter\\.ministere\\.gouv\\.fr'")],
    ),
    "hosting-endpoint-region": (HOSTING.replace("region: paris}", "region: lyon}"), [(10, "key 'hosting[0].detect.endpoints[0].region' is 'lyon'; expected the id of one of this hosting's regions: paris")]),
    "hosting-exposure": (HOSTING.replace("status: not_exposed", "status: immune"), [(7, "key 'hosting[0].exposure.status' is the text 'immune'; expected one of: exposed, mitigated, not_exposed, unclear")]),
    "hosting-unknown-source": (HOSTING.replace("verified_at: 2026-10-01", "verified_at: 2026-10-01\n    sources: [S999]"), [(14, "key 'hosting[0].sources[0]' is the text 'S999'; expected a source id such as S12 or U03 defined in policies/catalog/sources.yml, which does not define S999")]),
    "hosting-declared-twice": (HOSTING + HOSTING[HOSTING.index("  - id"):], [(15, "key 'hosting[1].id' is 'ministere-dc', already declared at line 2; expected one entry per hosting")]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_config_problem_is_one_exact_sentence(config, case):
    text, expected = CASES[case]
    assert _errors(config(text)) == expected


def test_valid_configuration_has_no_problem(config):
    policy = config(HOSTING + "untagged_level: internal\nvocabulary:\n  values: {c3: sensitive}\n")
    assert policy.errors == []
    assert policy.config.untagged_level == "internal"
    assert policy.vocabulary.synonyms["c3"] == "sensitive"


def test_unknown_pack_stops_with_file_and_line(config):
    with pytest.raises(PolicyError) as info:
        config("version: 1\npack: france\n")
    assert str(info.value) == ".sovscan.yml:2: key 'pack' is 'france', which is not a policy pack; expected one of: eu, fr-state"


def test_unknown_pack_option_stops(config):
    with pytest.raises(PolicyError) as info:
        config("version: 1\n", pack_name="france")
    assert str(info.value) == "--pack france: unknown policy pack; expected one of: eu, fr-state"


def test_one_bad_section_leaves_the_others(config):
    policy = config("untagged_level: internal\nrules: [oops]\nvocabulary:\n  values: {c3: sensitive}\n")
    assert [line for line, _ in _errors(policy)] == [2]
    assert policy.config.untagged_level == "internal"
    assert policy.vocabulary.synonyms["c3"] == "sensitive"


def test_bad_entry_is_dropped_and_good_ones_kept(config):
    policy = config("attestations:\n  - {scheme: DR, workload: a, reference: X}\n  - {scheme: DR-homologation, workload: b, reference: Y}\n")
    assert [(a.workload, a.reference) for a in policy.context.attestations] == [("b", "Y")]


# --------------------------------------------------------------------------- what each key changes

def test_rule_settings(config):
    policy = config("rules:\n  unclassified-resource: {enabled: false}\n  personal-data-outside-eea: {severity: high}\n")
    off, raised = policy.pack.rule("unclassified-resource"), policy.pack.rule("personal-data-outside-eea")
    assert (off.enabled, off.overridden) == (False, ("enabled",))
    assert (raised.severity, raised.overridden) == (Severity.HIGH, ("severity",))
    assert policy.pack.rule("sensitive-data-outside-eu").overridden == ()


def test_seal_minimum_is_set_per_objective(config):
    policy = config("pack: eu\nrules:\n  sensitive-data-below-seal-minimum:\n    options:\n      minimum: {SOV-2: 4, SOV-8: 0}\n")
    rule = policy.pack.rule("sensitive-data-below-seal-minimum")
    assert rule.options == {"minimum": {"SOV-1": 2, "SOV-2": 4, "SOV-3": 2, "SOV-4": 2, "SOV-5": 2, "SOV-6": 2, "SOV-7": 2, "SOV-8": 0}}
    assert rule.overridden == ("options",)


def test_declared_hosting_joins_the_catalog(config):
    policy = config(HOSTING)
    provider = policy.catalog.providers["ministere-dc"]
    assert provider.commercial is False and provider.file == ".sovscan.yml" and provider.line == 2
    assert provider.detect.terraform_providers == ()
    assert policy.catalog.for_endpoint("vcenter.interieur.gouv.fr") == (provider, "paris")
    assert policy.catalog.for_endpoint("vcenter.other.example") is None


def test_seal_record_replaces_the_catalog_assessment(config):
    policy = config("seal:\n  - {provider: s3ns, provenance: tender, reference: Lot 2, levels: {SOV-1: 3, SOV-2: 2}}\n")
    seal = policy.catalog.providers["s3ns"].csf_seal
    assert (seal.levels, seal.provenance, seal.confidence, seal.note) == ({"SOV-1": 3, "SOV-2": 2}, "tender", "confirmed", "recorded in .sovscan.yml: Lot 2")


def test_config_found_upward(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".sovscan.yml").write_text("untagged_level: internal\n", encoding="utf-8")
    infra = tmp_path / "infra" / "prod"
    infra.mkdir(parents=True)
    (infra / "main.tf").write_text('provider "aws" { region = "us-east-1" }\nresource "aws_s3_bucket" "b" {}\n', encoding="utf-8")
    doc = scan_document(Path("infra/prod"))
    assert [r["sensitivity"] for r in doc["resources"]] == ["internal"]
    assert finding_keys(doc) == [("internal-data-outside-eu", "aws_s3_bucket.b", 2)]


def test_config_option_wins_over_the_file_found_upward(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".sovscan.yml").write_text("untagged_level: internal\n", encoding="utf-8")
    (tmp_path / "other.yml").write_text("untagged_level: personal\n", encoding="utf-8")
    (tmp_path / "main.tf").write_text('provider "aws" { region = "us-east-1" }\nresource "aws_s3_bucket" "b" {}\n', encoding="utf-8")
    doc = scan_document(Path("."), config=Path("other.yml"))
    assert [r["sensitivity"] for r in doc["resources"]] == ["personal"]


def test_severity_override_fixture(monkeypatch):
    monkeypatch.chdir(ROOT)
    case = Path("fixtures/terraform/config-severity-override")
    doc = scan_document(case, config=case / "sovscan-ministere.yml")
    assert sorted((f["rule"], f["severity"]) for f in doc["findings"]) == [("personal-data-exposed-to-foreign-law", "low"), ("personal-data-outside-eea", "high")]


def test_fail_on_from_config_sets_the_exit_code(monkeypatch):
    monkeypatch.chdir(ROOT)
    case = "fixtures/terraform/config-severity-override"
    runner = CliRunner()
    with_config = runner.invoke(cli, ["scan", case, "--config", f"{case}/sovscan-ministere.yml", "--format", "json", "--no-cache"])
    assert with_config.exit_code == 1, with_config.output
    low_only = runner.invoke(cli, ["scan", case, "--config", f"{case}/sovscan-ministere.yml", "--fail-on", "critical", "--no-cache"])
    assert low_only.exit_code == 0, low_only.output


def test_config_problems_reach_the_report(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".sovscan.yml").write_text("untagged_level: secret\n", encoding="utf-8")
    (tmp_path / "main.tf").write_text('provider "aws" { region = "eu-west-3" }\nresource "aws_s3_bucket" "b" {}\n', encoding="utf-8")
    doc = scan_document(Path("."))
    assert doc["errors"] == [{"file": ".sovscan.yml", "line": 1, "message": f"key 'untagged_level' is 'secret', which is not a level; expected one of: {LEVELS}", "kind": "configuration"}]
    assert finding_keys(doc) == [("unclassified-resource", "aws_s3_bucket.b", 2)]  # the scan went on


# --------------------------------------------------------------------------- SEAL levels that must not pass silently

SENSITIVE_ON_S3NS = 'provider "google" { universe_domain = "s3nsapis.fr" }\nresource "google_storage_bucket" "b" {\n  location = "u-france-east1"\n  labels = { data_classification = "sensitive" }\n}\n'


def _with_s3ns_seal(monkeypatch, seal: SealAssessment):
    import scanner.policy.load

    real = scanner.policy.load.bundled_catalog

    def catalog_with_seal():
        catalog = real()
        catalog.providers["s3ns"] = replace(catalog.providers["s3ns"], csf_seal=seal)
        return catalog

    monkeypatch.setattr(scanner.policy.load, "bundled_catalog", catalog_with_seal)


def test_third_party_seal_level_is_unknown_not_a_pass(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _with_s3ns_seal(monkeypatch, SealAssessment({f"SOV-{n}": 3 for n in range(1, 9)}, "third-party", "unconfirmed", ("S87",)))
    (tmp_path / "main.tf").write_text(SENSITIVE_ON_S3NS, encoding="utf-8")
    policy = load_policy(None, "eu")
    level = policy.catalog.providers["s3ns"].csf_seal.levels["SOV-2"]
    assert isinstance(level, Unknown)
    assert level.reason == "S3NS is rated only by a third-party scoring (unconfirmed; S87); only an official or tender assessment counts"
    doc = scan_document(Path("."), pack="eu")
    assert finding_keys(doc) == [("sensitive-data-hosting-unverified", "google_storage_bucket.b", 2)]
    (unverified,) = doc["findings"][0]["evidence"]["unverified"]
    assert unverified["rule"] == "sensitive-data-below-seal-minimum"
    assert unverified["reason"] == (
        "the SEAL levels of s3ns u-france-east1 (FR) cannot be verified (SOV-1, SOV-2, SOV-3, SOV-4, SOV-5, SOV-6, SOV-7, SOV-8: "
        "S3NS is rated only by a third-party scoring (unconfirmed; S87); only an official or tender assessment counts)"
    )


def test_official_seal_level_counts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _with_s3ns_seal(monkeypatch, SealAssessment({f"SOV-{n}": 2 for n in range(1, 9)}, "official", "confirmed", ("S51",)))
    (tmp_path / "main.tf").write_text(SENSITIVE_ON_S3NS, encoding="utf-8")
    assert finding_keys(scan_document(Path("."), pack="eu")) == []


def test_seal_finding_names_each_objective_below_minimum(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _with_s3ns_seal(monkeypatch, SealAssessment({**{f"SOV-{n}": 2 for n in range(1, 9)}, "SOV-2": 1, "SOV-5": 0}, "official", "confirmed", ("S51",)))
    (tmp_path / "main.tf").write_text(SENSITIVE_ON_S3NS, encoding="utf-8")
    doc = scan_document(Path("."), pack="eu")
    assert finding_keys(doc) == [("sensitive-data-below-seal-minimum", "google_storage_bucket.b", 2)]
    finding = doc["findings"][0]
    assert finding["message"] == (
        "Sensitive data on s3ns u-france-east1 (FR), below the EU Cloud Sovereignty Framework minimum: "
        "SOV-2 Legal & Jurisdictional is SEAL-1, below SEAL-2; SOV-5 Supply Chain is SEAL-0, below SEAL-2."
    )
    assert finding["evidence"]["seal"] == {**{f"SOV-{n}": 2 for n in range(1, 9)}, "SOV-2": 1, "SOV-5": 0}
