"""SARIF: valid against the official 2.1.0 schema, and what GitHub code scanning needs to accept and track alerts."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlparse

import jsonschema
import pytest
from click.testing import CliRunner

from scanner.cli.app import cli
from scanner.evaluate.rules import RULE_OPTIONS
from scanner.model import Severity
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


def test_same_address_in_two_root_modules_is_one_result_naming_both(monkeypatch):
    """GitHub sees two results of one rule on one line as one alert (one line hash): one result names both roots, each linked to its module call."""
    document = _sarif(monkeypatch, ROOT, "fixtures/terraform/baseline-two-roots")
    jsonschema.Draft4Validator(SCHEMA).validate(document)
    case = "fixtures/terraform/baseline-two-roots"
    [result] = [r for r in document["runs"][0]["results"] if r["ruleId"] == "sensitive-data-without-secnumcloud"]
    assert result["properties"]["roots"] == [f"{case}/envs/prod", f"{case}/envs/staging"]
    assert result["message"]["text"].startswith(f"Root modules [{case}/envs/prod](1), [{case}/envs/staging](2): Sensitive data on aws eu-west-3 (FR), which has no valid SecNumCloud")
    assert [(r["id"], r["physicalLocation"]["artifactLocation"]["uri"], r["physicalLocation"]["region"]["startLine"]) for r in result["relatedLocations"]] == [
        (1, f"{case}/envs/prod/main.tf", 7),
        (2, f"{case}/envs/staging/main.tf", 7),
    ]
    fingerprints = {r["partialFingerprints"]["sovscan/v1"] for r in document["runs"][0]["results"]}
    assert len(fingerprints) == len(document["runs"][0]["results"])


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



def _snapshot(path: Path, sensitive: int, personal: int, unclassified: int, account: str = "111122223333") -> Path:
    """An inventory snapshot (sovscan inventory aws --save) of S3 buckets: sensitive and personal ones in us-east-1, untagged ones in eu-west-3."""

    def bucket(name: str, region: str, tags: dict) -> dict:
        return {
            "address": f"arn:aws:s3:::{name}", "type": "s3:bucket", "provider": "aws", "region": region, "account": account, "api": "s3:ListBuckets",
            "tags": tags, "tags_api": "tagging:GetResources", "tags_complete": True, "hints": {}, "holds_data": True, "copies": [],
        }  # fmt: skip

    resources = [bucket(f"payroll-{i:03d}", "us-east-1", {"data_classification": "sensitive"}) for i in range(sensitive)]
    resources += [bucket(f"users-{i:03d}", "us-east-1", {"data_classification": "personal"}) for i in range(personal)]
    resources += [bucket(f"logs-{i:05d}", "eu-west-3", {}) for i in range(unclassified)]
    document = {
        "kind": "sovscan-inventory", "schema_version": 1, "taken_at": "2026-11-27T06:00:00Z", "tool": {"name": "sovscan", "version": "0.1.0"},
        "api": "aws", "partition": "aws", "shard": None, "accounts": [account], "regions": {account: ["eu-west-3", "us-east-1"]},
        "skipped": [], "resources": resources, "errors": [],
    }  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_inventory_results_point_at_a_stable_path_naming_account_and_region(monkeypatch, tmp_path):
    """GitHub refuses the whole upload when one result has no physical location; a monthly snapshot's name must not move the alerts."""
    (tmp_path / ".git").mkdir()
    documents = []
    for month in ("2026-11", "2026-12"):
        _snapshot(tmp_path / "audits" / f"aws-{month}.json", sensitive=1, personal=1, unclassified=1)
        documents.append(_sarif(monkeypatch, tmp_path, f"audits/aws-{month}.json"))
    for document in documents:
        jsonschema.Draft4Validator(SCHEMA).validate(document)
    places = [
        {(r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]): (r["locations"][0]["physicalLocation"], r["partialFingerprints"]["sovscan/v1"]) for r in d["runs"][0]["results"]}
        for d in documents
    ]
    assert places[0] == places[1]  # same paths and fingerprints whatever the snapshot is called
    physical, _ = places[0][("sensitive-data-outside-eu", "arn:aws:s3:::payroll-000")]
    assert physical == {"artifactLocation": {"uri": "sovscan-inventory/aws/111122223333/us-east-1", "uriBaseId": "%SRCROOT%"}}  # no region: no line to hash
    physical, _ = places[0][("unclassified-resource", "arn:aws:s3:::logs-00000")]
    assert physical["artifactLocation"]["uri"] == "sovscan-inventory/aws/111122223333/eu-west-3"
    result = documents[0]["runs"][0]["results"][0]
    assert result["properties"]["account"] == "111122223333"


def test_inventory_path_of_hostile_names_stays_a_relative_uri():
    """Account or region values from an export are untrusted: the path stays inside sovscan-inventory/ and a valid URI."""
    from scanner.model import Finding, Origin, Resource
    from scanner.model.located import Located
    from scanner.report.ci_paths import inventory_path

    resource = Resource("arn:x", "s3:bucket", "aws", "../../etc/passwd", Origin(account="1 2/../3", api="s3:ListBuckets"))
    item = Located(Finding("r", Severity.HIGH, "arn:x", "m", resource.origin), resource, None, None, "", "f")
    assert inventory_path(item) == "sovscan-inventory/aws/1-2-..-3/etc-passwd"


def test_at_most_25000_results_keeping_the_most_severe(monkeypatch, tmp_path):
    """A 25,826-result inventory (GitHub's limit is 25,000 per run): the 826 least severe are left out, and the run says so."""
    (tmp_path / ".git").mkdir()
    _snapshot(tmp_path / "aws.json", sensitive=2, personal=10, unclassified=25_800)
    monkeypatch.chdir(tmp_path)
    # 2 sensitive buckets x 3 high findings, 10 personal ones x (1 medium + 1 low), 25,800 unclassified (low): 25,826 findings
    CliRunner().invoke(cli, ["scan", "aws.json", "--format", "sarif", "--output", "out.sarif", "--fail-on", "never"], catch_exceptions=False)
    text = (tmp_path / "out.sarif").read_text(encoding="utf-8")
    document = json.loads(text)
    run = document["runs"][0]
    results = run["results"]
    # the whole run against the official schema, with one result of each rule and place (validating 25,000 alike ones takes 8 s)
    sample = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]): r for r in results}
    jsonschema.Draft4Validator(SCHEMA).validate({**document, "runs": [{**run, "results": list(sample.values())}]})
    assert len(results) == 25_000
    kept = Counter(r["properties"]["severity"] for r in results)
    assert kept == {"high": 6, "medium": 10, "low": 24_984}  # every high and medium finding is kept
    [notice, *_] = run["invocations"][0]["toolExecutionNotifications"]
    assert notice["descriptor"] == {"id": "results-left-out"} and notice["level"] == "warning"
    assert notice["message"]["text"].startswith("826 of 25,826 results left out (826 low): GitHub code scanning accepts at most 25,000 results per run")
    assert notice["properties"] == {"leftOut": 826, "total": 25_826, "bySeverity": {"low": 826}}
    assert len(gzip.compress(text.encode("utf-8"))) < 10 * 1024 * 1024  # GitHub's limit for one gzip-compressed upload
    assert len(run["tool"]["driver"]["rules"]) <= 25_000 and all(len(r["locations"]) == 1 for r in results)


def test_left_out_results_are_the_least_severe_active_ones_first():
    """Suppressed results go before active ones of any severity; the order of the file is kept."""
    from scanner.model import Finding, Origin, Report
    from scanner.report import sarif

    findings = (
        Finding("a", Severity.CRITICAL, "r1", "m", Origin("main.tf", 1), suppressed=True, suppression={"kind": "inline", "reason": "ok"}),
        Finding("a", Severity.LOW, "r2", "m", Origin("main.tf", 2)),
        Finding("a", Severity.HIGH, "r3", "m", Origin("main.tf", 3)),
        Finding("a", Severity.MEDIUM, "r4", "m", Origin("main.tf", 4)),
    )
    document = sarif.to_document(Report("0.1.0", "fr-state", "t", ("main.tf",), (), findings, ()), max_results=2)
    run = document["runs"][0]
    assert [r["properties"]["address"] for r in run["results"]] == ["r3", "r4"]
    assert run["invocations"][0]["toolExecutionNotifications"][0]["properties"] == {"leftOut": 2, "total": 4, "bySeverity": {"critical": 1, "low": 1}}
    assert "2 of 4 results left out (1 critical, 1 low; 1 of them suppressed)" in run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]


def test_rules_carry_precision_and_a_severity_github_reads():
    document = json.loads(render("demo", "sarif")[1])
    rules = {r["id"]: r["properties"] for r in document["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["sensitive-data-without-secnumcloud"]["precision"] == "high"
    assert rules["sensitive-data-hosting-unverified"]["precision"] == "medium"
    assert rules["unclassified-resource"]["precision"] == "very-high"
    for properties in rules.values():
        assert properties["precision"] in ("very-high", "high", "medium", "low")
        assert "security" in properties["tags"] and len(properties["tags"]) <= 20  # GitHub reads security-severity of rules tagged security
        assert 0.0 < float(properties["security-severity"]) <= 10.0


def test_a_rule_of_severity_info_has_a_problem_severity_instead():
    from scanner.report import sarif

    rule = sarif.rule_descriptor(SimpleNamespace(id="r", kind="unverified", severity=Severity.INFO, summary="s" * 2000, why="w", references=(), levels=frozenset(), example_pass="", example_fail="", enabled=True), "fr-state")
    assert "security-severity" not in rule["properties"] and rule["properties"]["problem.severity"] == "recommendation"
    assert len(rule["shortDescription"]["text"]) == 1024  # GitHub's limit


def test_a_file_judged_under_several_roots_names_the_roots_in_each_message(monkeypatch):
    """Three roots call one module: every result names its roots and links their module calls; a rule failing differently in two roots says how in each."""
    document = _sarif(monkeypatch, ROOT, "fixtures/terraform/shared-module-judged-per-root")
    jsonschema.Draft4Validator(SCHEMA).validate(document)
    case = "fixtures/terraform/shared-module-judged-per-root"
    module, dev, prod, test = f"{case}/modules/archive/main.tf", f"{case}/envs/dev", f"{case}/envs/prod", f"{case}/envs/test"
    got = [
        (r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["locations"][0]["physicalLocation"]["region"]["startLine"], r["message"]["text"],
         [(x["id"], x["physicalLocation"]["artifactLocation"]["uri"], x["physicalLocation"]["region"]["startLine"]) for x in r["relatedLocations"]])
        for r in document["runs"][0]["results"]
    ]  # fmt: skip
    exposed = "run by Amazon Web Services, Inc., which is exposed to US_CLOUD_ACT, US_FISA_702."
    no_snc = "which has no valid SecNumCloud: AWS commercial regions (aws-commercial) has SecNumCloud status 'none' (No SecNumCloud qualification found for AWS (absence not confirmed against the ANSSI list))."
    assert got == [
        ("personal-data-exposed-to-foreign-law", "note", module, 11, f"Root module [{dev}](1): Personal data on aws us-east-1 (US), {exposed}", [(1, f"{dev}/main.tf", 5)]),
        ("personal-data-outside-eea", "warning", module, 11, f"Root module [{dev}](1): Personal data stored in aws us-east-1 (US), outside the EEA and the countries with an adequacy decision.", [(1, f"{dev}/main.tf", 5)]),
        ("sensitive-data-exposed-to-foreign-law", "error", module, 11,
         f"In root module [{prod}](1): Sensitive data on aws eu-west-3 (FR), {exposed} In root module [{test}](2): Sensitive data on aws us-east-1 (US), {exposed}",
         [(1, f"{prod}/main.tf", 5), (2, f"{test}/main.tf", 5)]),
        ("sensitive-data-outside-eu", "error", module, 11, f"Root module [{test}](1): Sensitive data stored in aws us-east-1 (US), outside the European Union.", [(1, f"{test}/main.tf", 5)]),
        ("sensitive-data-without-secnumcloud", "error", module, 11,
         f"In root module [{prod}](1): Sensitive data on aws eu-west-3 (FR), {no_snc} In root module [{test}](2): Sensitive data on aws us-east-1 (US), {no_snc}",
         [(1, f"{prod}/main.tf", 5), (2, f"{test}/main.tf", 5)]),
    ]  # fmt: skip
    # no two results of one rule on one line: GitHub would keep one of them
    assert len({(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in document["runs"][0]["results"]}) == len(got)


def test_results_of_a_shared_module_differing_in_suppression_stay_apart():
    from scanner.model import Finding, Origin, Resource
    from scanner.model.located import Located
    from scanner.report import sarif

    def item(root: str, suppressed: bool) -> Located:
        finding = Finding("r", Severity.HIGH, "module.m.aws_s3_bucket.b", "m", Origin("modules/m/main.tf", 3), suppressed=suppressed, suppression={"kind": "inline", "reason": "ok"} if suppressed else None)
        resource = Resource(finding.address, "aws_s3_bucket", "aws", "eu-west-3", finding.origin, module_calls=(Origin(f"{root}/main.tf", 5),), root=root)
        return Located(finding, resource, "modules/m/main.tf", 3, root, root)

    groups = sarif.grouped([item("envs/a", False), item("envs/b", True), item("envs/c", False)])
    assert [[x.root for x in g] for g in groups] == [["envs/a", "envs/c"], ["envs/b"]]


def test_a_single_root_keeps_its_messages_plain():
    document = json.loads(render("demo", "sarif")[1])
    for result in document["runs"][0]["results"]:
        assert not result["message"]["text"].startswith("Root module") and "relatedLocations" not in result


def test_text_that_would_read_as_a_link_is_escaped():
    from scanner.report.sarif import _root_message

    assert _root_message('bucket b["x"](2) is exposed') == 'bucket b\\["x"\\](2) is exposed'
    assert _root_message('bucket b["x"] (declared at m.tf:2)') == 'bucket b["x"] (declared at m.tf:2)'
