"""SARIF: valid against the official 2.1.0 schema, and what GitHub code scanning needs to accept and track alerts."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

import jsonschema
import pytest
from click.testing import CliRunner

from scanner.cli.app import cli
from scanner.evaluate.rules import RULE_OPTIONS
from scanner.policy.pack import load_pack, pack_path
from scanner.policy.vocabulary import load_vocabulary
from tests.regenerate_ci_golden import render
from tests.support import ROOT

SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def _sarif(monkeypatch, cwd: Path, *paths: str) -> dict:
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(cli, ["scan", *paths, "--format", "sarif"], catch_exceptions=False)
    return json.loads(result.stdout)


def _uris(document: dict) -> list[str]:
    found = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("uri", "helpUri", "informationUri") and isinstance(value, str):
                    found.append(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(document)
    return found


@pytest.mark.parametrize("case", ["demo", "suppress-exceptions"])
def test_valid_against_the_official_schema(case):
    document = json.loads(render(case, "sarif")[1])
    jsonschema.Draft4Validator(SCHEMA).validate(document)
    assert document["version"] == "2.1.0"


def test_schema_rejects_a_broken_document():
    """The validation above can fail: a result without its message is refused."""
    document = json.loads(render("demo", "sarif")[1])
    del document["runs"][0]["results"][0]["message"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(SCHEMA).validate(document)


def test_one_rule_entry_per_pack_rule_with_help_and_link():
    document = json.loads(render("demo", "sarif")[1])
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    pack, _ = load_pack(pack_path("fr-state"), load_vocabulary(), kinds=RULE_OPTIONS)
    assert [r["id"] for r in rules] == [r.id for r in pack.rules]
    by_id = {r["id"]: r for r in rules}
    rule = by_id["sensitive-data-without-secnumcloud"]
    expected = pack.rule("sensitive-data-without-secnumcloud")
    assert rule["shortDescription"]["text"] == expected.summary
    assert rule["fullDescription"]["text"] == expected.why
    assert expected.why in rule["help"]["text"] and all(ref in rule["help"]["markdown"] for ref in expected.references)
    assert rule["helpUri"] == "https://github.com/sovscan/sovscan/blob/main/docs/rules.md#fr-state-sensitive-data-without-secnumcloud"
    assert '<a id="fr-state-sensitive-data-without-secnumcloud"></a>' in (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert rule["properties"]["security-severity"] == "8.0" and rule["defaultConfiguration"]["level"] == "error"
    # every result names its rule by index too
    for result in document["runs"][0]["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_uris_are_relative_to_the_repository_root_with_a_base_id():
    document = json.loads(render("demo", "sarif")[1])
    run = document["runs"][0]
    assert set(run["originalUriBaseIds"]) == {"%SRCROOT%"}
    assert "uri" not in run["originalUriBaseIds"]["%SRCROOT%"]  # no absolute path: the same file on every machine
    locations = [(r["locations"][0]["physicalLocation"]["artifactLocation"], r["locations"][0]["physicalLocation"]["region"]["startLine"], r["ruleId"]) for r in run["results"]]
    assert locations[0] == ({"uri": "fixtures/demo/main.tf", "uriBaseId": "%SRCROOT%"}, 46, "sensitive-data-exposed-to-foreign-law")
    assert {row[0]["uri"] for row in locations} == {"fixtures/demo/main.tf"}
    for uri in _uris(document):
        parsed = urlparse(uri)
        assert parsed.scheme in ("", "https"), uri


def test_uris_stay_repository_relative_from_a_subfolder(monkeypatch):
    document = _sarif(monkeypatch, ROOT / "fixtures", "demo")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in document["runs"][0]["results"]}
    assert uris == {"fixtures/demo/main.tf"}


def test_fingerprints_hash_rule_address_and_root_not_line(monkeypatch, tmp_path):
    """Lines moved by an edit keep every fingerprint; GitHub then keeps the alerts."""
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "fixtures" / "demo", copy / "demo")
    (copy / ".git").mkdir()
    before = _sarif(monkeypatch, copy, "demo")
    main = copy / "demo" / "main.tf"
    main.write_text("# a new comment\n\n\n" + main.read_text(encoding="utf-8"), encoding="utf-8")
    after = _sarif(monkeypatch, copy, "demo")

    def keyed(document):
        return {(r["ruleId"], r["properties"]["address"]): (r["partialFingerprints"]["sovscan/v1"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in document["runs"][0]["results"]}

    old, new = keyed(before), keyed(after)
    assert old.keys() == new.keys() and len(old) == 11
    for key in old:
        assert old[key][0] == new[key][0]
        assert new[key][1] == old[key][1] + 3
    assert len({fingerprint for fingerprint, _ in old.values()}) == 11


def test_two_runs_give_the_same_document(monkeypatch):
    assert _sarif(monkeypatch, ROOT, "fixtures/demo") == _sarif(monkeypatch, ROOT, "fixtures/demo")


def test_same_address_in_two_root_modules_has_two_fingerprints(monkeypatch):
    document = _sarif(monkeypatch, ROOT, "fixtures/terraform/baseline-two-roots")
    results = [r for r in document["runs"][0]["results"] if r["ruleId"] == "sensitive-data-without-secnumcloud"]
    assert [(r["properties"]["address"], r["properties"]["root"]) for r in results] == [
        ("module.store.aws_s3_bucket.files", "fixtures/terraform/baseline-two-roots/envs/prod"),
        ("module.store.aws_s3_bucket.files", "fixtures/terraform/baseline-two-roots/envs/staging"),
    ]
    assert results[0]["partialFingerprints"] != results[1]["partialFingerprints"]


def test_remote_module_findings_point_at_the_call_and_no_git_uri(monkeypatch):
    document = _sarif(monkeypatch, ROOT, "fixtures/terraform/suppress-remote-module")
    jsonschema.Draft4Validator(SCHEMA).validate(document)
    results = document["runs"][0]["results"]
    places = [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["locations"][0]["physicalLocation"]["region"]["startLine"], "suppressions" in r) for r in results]
    assert places == [
        ("sensitive-data-exposed-to-foreign-law", "fixtures/terraform/suppress-remote-module/main.tf", 10, True),
        ("sensitive-data-without-secnumcloud", "fixtures/terraform/suppress-remote-module/main.tf", 10, False),
    ]
    for uri in _uris(document):
        assert "git::" not in uri and ".terraform" not in uri, uri
    assert results[0]["properties"]["declaredAt"] == "fixtures/terraform/suppress-remote-module/.terraform/modules/storage/main.tf:2"


def test_suppressed_results_carry_their_justification():
    document = json.loads(render("suppress-exceptions", "sarif")[1])
    suppressed = {
        (r["ruleId"], r["properties"]["address"]): r["suppressions"]
        for r in document["runs"][0]["results"]
        if "suppressions" in r
    }
    assert sorted(suppressed) == [
        ("sensitive-data-exposed-to-foreign-law", "aws_s3_bucket.payroll"),
        ("sensitive-data-without-secnumcloud", "aws_s3_bucket.payroll"),
        ("unclassified-resource", "module.legacy.aws_s3_bucket.logs"),
        ("unclassified-resource", "module.legacy.aws_s3_bucket.tmp"),
    ]
    inline = suppressed[("sensitive-data-without-secnumcloud", "aws_s3_bucket.payroll")][0]
    assert inline["kind"] == "inSource" and inline["status"] == "accepted"
    assert inline["justification"] == "Moving to a SecNumCloud offer, ticket INFRA-42"
    assert inline["location"]["physicalLocation"]["region"]["startLine"] == 9
    assert inline["properties"] == {"sovscanKind": "inline", "until": "2027-06-30", "approver": "RSSI"}
    waiver = suppressed[("sensitive-data-exposed-to-foreign-law", "aws_s3_bucket.payroll")][0]
    assert waiver["kind"] == "external"
    assert waiver["location"]["physicalLocation"]["artifactLocation"]["uri"] == "fixtures/terraform/suppress-exceptions/.sovscan-waivers.yml"


def test_input_problems_are_tool_notifications():
    document = json.loads(render("suppress-exceptions", "sarif")[1])
    notes = document["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    lines = [(n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].rsplit("/", 1)[-1], n["locations"][0]["physicalLocation"]["region"]["startLine"]) for n in notes]
    assert lines == [(".sovscan-waivers.yml", 9), (".sovscan-waivers.yml", 15), (".sovscan-waivers.yml", 21), ("main.tf", 16), ("main.tf", 22), ("main.tf", 27)]


def test_no_timestamp_in_the_document():
    text = render("demo", "sarif")[1]
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", text)
    assert "startTimeUtc" not in text and "endTimeUtc" not in text



def test_a_finding_without_a_file_points_at_the_input():
    """GitHub refuses the whole upload when one result has no physical location."""
    from scanner.model import Finding, Origin, Report, Severity
    from scanner.report import sarif

    report = Report("0.1.0", "fr-state", "t", ("inventories/aws.json",), (), (Finding("some-rule", Severity.HIGH, "arn:aws:s3:::b", "m", Origin(account="123", api="s3")),), ())
    document = sarif.to_document(report, {"inventories/aws.json": "audit/inventories/aws.json"})
    jsonschema.Draft4Validator(SCHEMA).validate(document)
    [result] = document["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": "audit/inventories/aws.json", "uriBaseId": "%SRCROOT%"}}
    assert result["locations"][0]["logicalLocations"] == [{"fullyQualifiedName": "arn:aws:s3:::b", "kind": "resource"}]
