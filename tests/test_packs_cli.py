"""``sovscan rules`` and ``sovscan explain RULE_ID`` show every documentation field, the pack
version, and what the user's .sovscan.yml changed."""

from __future__ import annotations

import json

from click.testing import CliRunner

from scanner.cli.app import cli
from tests.support import ROOT


def test_rules_json_documents_every_field(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["rules", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert (doc["pack"], doc["version"]) == ("fr-state", "2026.11")
    assert doc["title"].startswith("French State") and doc["description"]
    rule = next(r for r in doc["rules"] if r["id"] == "sensitive-data-without-secnumcloud")
    assert set(rule) == {
        "id", "kind", "levels", "severity", "enabled", "overridden", "options", "on_unknown", "summary", "why",
        "references", "reference_ids", "sources", "source_urls", "example_pass", "example_fail",
    }
    assert rule["options"] == {"scheme": "SecNumCloud", "commercial_only": True}
    assert rule["on_unknown"] == "sensitive-data-hosting-unverified"
    assert rule["reference_ids"] == ["R9", "SREN31", "C6519"]
    assert rule["source_urls"]["S11"] == "https://blog.achatsolutions.fr/le-cloud-de-letat-entre-enjeux-defis-et-rigueur/"


def test_rules_text_marks_what_the_configuration_changed(monkeypatch):
    monkeypatch.chdir(ROOT / "fixtures/terraform/config-disabled-rule")
    result = CliRunner().invoke(cli, ["rules"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "French State (cloud au centre R9, SREN art. 31, circular 6519/SG, HDS, GDPR, II 901, IGI 1300) — pack fr-state 2026.11"
    assert "LOW      unclassified-resource (disabled)  [any]" in lines
    assert "LOW      personal-data-exposed-to-foreign-law (disabled)  [personal]" in lines
    assert lines[-1] == "16 rules (14 enabled). `sovscan explain RULE_ID` tells why each exists."


def test_rules_json_marks_severity_override(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, ["rules", "--format", "json", "--config", "fixtures/terraform/config-severity-override/sovscan-ministere.yml"])
    rule = next(r for r in json.loads(result.output)["rules"] if r["id"] == "personal-data-outside-eea")
    assert (rule["severity"], rule["overridden"], rule["enabled"]) == ("high", ["severity"], True)


def test_rules_of_the_eu_pack(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["rules", "--pack", "eu"])
    assert result.output.splitlines()[0] == "European Union (GDPR chapter V, EU Cloud Sovereignty Framework) — pack eu 2026.11"
    assert "HIGH     sensitive-data-below-seal-minimum  [classified, restricted, sensitive]" in result.output


def test_explain_prints_every_section(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["explain", "sensitive-data-below-seal-minimum", "--pack", "eu"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith("sensitive-data-below-seal-minimum\n  pack eu 2026.11 · kind seal · severity high · levels: classified, restricted, sensitive\n")
    assert "\nWhy: The Cloud Sovereignty Framework rates a cloud service from SEAL-0" in text
    assert "\nReferences:\n  - EU Cloud Sovereignty Framework v1.2.1 (European Commission, 2025) [CSF]\n" in text
    assert "\n  - S48: https://github.com/MISP/misp-taxonomies/blob/main/sov/machinetag.json\n" in text
    assert "\nOptions:\n  minimum: SOV-1: 2, SOV-2: 2, SOV-3: 2, SOV-4: 2, SOV-5: 2, SOV-6: 2, SOV-7: 2, SOV-8: 2\n" in text
    assert "\nWhen a fact it needs is unknown, the resource is reported by sensitive-data-hosting-unverified.\n" in text
    assert "\nPasses:\n  # .sovscan.yml:\n" in text and "\nFails:\n" in text


def test_explain_shows_the_configured_options(monkeypatch):
    monkeypatch.chdir(ROOT / "fixtures/terraform/config-eu-pack-seal")
    result = CliRunner().invoke(cli, ["explain", "sensitive-data-below-seal-minimum", "--format", "json"])
    doc = json.loads(result.output)
    assert (doc["pack"], doc["overridden"]) == ("eu", ["options"])
    assert doc["options"]["minimum"]["SOV-2"] == 4 and doc["options"]["minimum"]["SOV-1"] == 2


def test_explain_unknown_rule_names_the_pack_that_has_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["explain", "sensitive-data-below-seal-minimum"])
    assert result.exit_code == 2
    assert "Error: no rule 'sensitive-data-below-seal-minimum' in pack fr-state; it is a rule of pack eu (use --pack)" in result.output
    missing = CliRunner().invoke(cli, ["explain", "no-such-rule"])
    assert missing.exit_code == 2
    assert "Error: no rule 'no-such-rule' in pack fr-state; see `sovscan rules`" in missing.output


def test_rules_prints_configuration_problems_on_stderr(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".sovscan.yml").write_text("rules:\n  unclassified-resource: {severity: urgent}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["rules"])
    assert result.exit_code == 0
    assert result.stderr == "sovscan: .sovscan.yml:2: key 'rules.unclassified-resource.severity' is the text 'urgent'; expected one of: info, low, medium, high, critical\n"
