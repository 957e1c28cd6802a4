"""The CI reporters: golden files for the demo and the suppression fixture, and the behaviour each format promises.

Golden files are regenerated with ``python -m tests.regenerate_ci_golden``;
review the diff before committing it.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from scanner.cli.app import cli
from scanner.model import Finding, Origin, Report, Severity
from scanner.report import csv_report, junit, markdown
from tests.regenerate_ci_golden import CASES, SUFFIXES, golden_path, render
from tests.support import ROOT

HINT = "outputs differ from the golden file; if the change is intended run `python -m tests.regenerate_ci_golden` and review the diff"


@pytest.mark.parametrize("fmt", sorted(SUFFIXES))
@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(case, fmt):
    code, text = render(case, fmt)
    assert code == 1  # both cases keep active high findings, whatever the format
    assert text == golden_path(case, fmt).read_text(encoding="utf-8"), HINT


def _scan(monkeypatch, *args):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, ["scan", *args], catch_exceptions=False)
    return result


# --------------------------------------------------------------------------- GitLab code quality


def test_gitlab_issues_point_at_exact_lines_and_leave_suppressed_out(monkeypatch):
    result = _scan(monkeypatch, "fixtures/terraform/suppress-exceptions", "--format", "gitlab")
    issues = json.loads(result.stdout)
    got = [(i["check_name"], i["description"].split(":")[0], i["location"]["path"], i["location"]["lines"]["begin"], i["severity"]) for i in issues]
    path = "fixtures/terraform/suppress-exceptions/main.tf"
    assert got == [
        ("sensitive-data-exposed-to-foreign-law", "aws_s3_bucket.archives", path, 15, "critical"),
        ("sensitive-data-without-secnumcloud", "aws_s3_bucket.archives", path, 15, "critical"),
        ("sensitive-data-exposed-to-foreign-law", "aws_s3_bucket.exports", path, 21, "critical"),
        ("sensitive-data-without-secnumcloud", "aws_s3_bucket.exports", path, 21, "critical"),
    ]
    assert all(set(i) == {"description", "check_name", "fingerprint", "severity", "location"} for i in issues)


def test_gitlab_fingerprints_are_unique_and_severities_mapped(monkeypatch):
    issues = json.loads(_scan(monkeypatch, "fixtures/demo", "--format", "gitlab").stdout)
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    by_rule = {i["check_name"]: i["severity"] for i in issues}
    assert by_rule["personal-data-outside-eea"] == "major"  # medium
    assert by_rule["unclassified-resource"] == "minor"  # low
    assert by_rule["sensitive-data-without-secnumcloud"] == "critical"  # high


def test_gitlab_same_address_in_two_roots_gives_two_fingerprints(monkeypatch):
    issues = json.loads(_scan(monkeypatch, "fixtures/terraform/baseline-two-roots", "--format", "gitlab").stdout)
    rule = [i for i in issues if i["check_name"] == "sensitive-data-without-secnumcloud"]
    assert [i["description"].split(":")[0] for i in rule] == ["module.store.aws_s3_bucket.files"] * 2
    assert rule[0]["fingerprint"] != rule[1]["fingerprint"]


def test_gitlab_inventory_issues_point_at_the_account_and_region(monkeypatch):
    issues = json.loads(_scan(monkeypatch, "fixtures/inventory/against/terraform-vs-snapshot/snapshot.json", "--format", "gitlab").stdout)
    payroll = [i["location"] for i in issues if i["description"].startswith("arn:aws:s3:::payroll-files: ")]
    assert payroll and all(place == {"path": "sovscan-inventory/aws/111122223333/us-east-1", "lines": {"begin": 1}} for place in payroll)


# --------------------------------------------------------------------------- JUnit


def test_junit_one_suite_per_rule_one_case_per_finding(monkeypatch):
    result = _scan(monkeypatch, "fixtures/terraform/suppress-exceptions", "--format", "junit")
    root = ET.fromstring(result.stdout)
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    secnumcloud = suites["sensitive-data-without-secnumcloud"]
    cases = [(c.get("name"), c.get("line"), "failure" if c.find("failure") is not None else "skipped" if c.find("skipped") is not None else "pass") for c in secnumcloud.findall("testcase")]
    root_module = " (root module fixtures/terraform/suppress-exceptions)"
    assert cases == [(f"aws_s3_bucket.payroll{root_module}", "10", "skipped"), (f"aws_s3_bucket.archives{root_module}", "15", "failure"), (f"aws_s3_bucket.exports{root_module}", "21", "failure")]
    assert (secnumcloud.get("tests"), secnumcloud.get("failures"), secnumcloud.get("skipped")) == ("3", "2", "1")
    skipped = secnumcloud.find("testcase/skipped")
    assert skipped.get("message") == "suppressed (inline until 2027-06-30): Moving to a SecNumCloud offer, ticket INFRA-42"
    # a rule without finding shows as one passing case
    outside = suites["sensitive-data-outside-eu"]
    assert [(c.get("name"), list(c)) for c in outside.findall("testcase")] == [("no finding", [])]
    assert {p.get("name"): p.get("value") for p in outside.findall("properties/property")} == {"severity": "high", "fail-on": "high"}
    # input problems are errors of their own suite
    problems = suites["input-problems"]
    assert problems.get("errors") == "6"
    assert problems[0].get("name") == "fixtures/terraform/suppress-exceptions/.sovscan-waivers.yml:9"
    assert root.get("failures") == "4" and root.get("skipped") == "4" and root.get("errors") == "6"


def _junit_cases(xml: str) -> list[tuple[str, str, str, str]]:
    """(rule, test name, outcome, message) of every finding's test case."""
    cases = []
    for suite in ET.fromstring(xml).findall("testsuite"):
        for case in suite.findall("testcase"):
            outcome = next((child for child in case if child.tag in ("failure", "skipped", "error")), None)
            if case.get("name") != "no finding":
                cases.append((suite.get("name"), case.get("name"), outcome.tag if outcome is not None else "passed", outcome.get("message") if outcome is not None else ""))
    return cases


@pytest.mark.parametrize("fail_on, failing", [("high", {"high"}), ("medium", {"high", "medium"}), ("low", {"high", "medium", "low"}), ("never", set())])
def test_junit_fails_only_what_fails_the_job(monkeypatch, fail_on, failing):
    """The demo has high, medium and low findings: the failed tests are those at or above --fail-on, the others are skipped and say why."""
    result = _scan(monkeypatch, "fixtures/demo", "--format", "junit", "--fail-on", fail_on)
    document = json.loads(_scan(monkeypatch, "fixtures/demo", "--format", "json").stdout)
    severity = {(f["rule"], f["address"]): f["severity"] for f in document["findings"]}
    cases = _junit_cases(result.stdout)
    assert len(cases) == 11
    for rule, name, outcome, message in cases:
        address = name.removesuffix(" (root module fixtures/demo)")
        level = severity[(rule, address)]
        if level in failing:
            assert outcome == "failure", (rule, name)
        else:
            assert outcome == "skipped" and message.startswith(f"{level} finding, below --fail-on {fail_on}: "), (rule, name, message)
    root = ET.fromstring(result.stdout)
    assert root.get("failures") == str(sum(1 for level in severity.values() if level in failing))
    assert result.exit_code == (1 if failing else 0)  # the failed tests are exactly what fails the job


def test_junit_below_threshold_details_reach_gitlab():
    """GitLab shows a skipped test's <skipped> text as its output: the details are there, not in a property it ignores."""
    report = _report(Finding("some-rule", Severity.LOW, "aws_s3_bucket.logs", "No data classification tag.", Origin("main.tf", 4)))
    case = ET.fromstring(junit.render(report, fail_on="high")).find("testsuite/testcase")
    skipped = case.find("skipped")
    assert skipped.get("message") == "low finding, below --fail-on high: No data classification tag."
    assert skipped.text.splitlines()[:4] == ["No data classification tag.", "", "resource: aws_s3_bucket.logs", "location: main.tf:4"]


def test_junit_names_the_root_module_of_a_shared_module(monkeypatch):
    """One module called by three roots: one test per root and rule, told apart by the root module; failing or not by severity."""
    result = _scan(monkeypatch, "fixtures/terraform/shared-module-judged-per-root", "--format", "junit")
    base = "module.archive.aws_s3_bucket.archive (root module fixtures/terraform/shared-module-judged-per-root/envs/"
    got = sorted((rule, name.removeprefix(base), outcome) for rule, name, outcome, _ in _junit_cases(result.stdout))
    assert got == [
        ("personal-data-exposed-to-foreign-law", "dev)", "skipped"),  # low, below --fail-on high
        ("personal-data-outside-eea", "dev)", "skipped"),  # medium
        ("sensitive-data-exposed-to-foreign-law", "prod)", "failure"),
        ("sensitive-data-exposed-to-foreign-law", "test)", "failure"),
        ("sensitive-data-outside-eu", "test)", "failure"),
        ("sensitive-data-without-secnumcloud", "prod)", "failure"),
        ("sensitive-data-without-secnumcloud", "test)", "failure"),
    ]
    messages = {(rule, name.removeprefix(base)): message for rule, name, _, message in _junit_cases(result.stdout)}
    assert messages[("personal-data-outside-eea", "dev)")] == "medium finding, below --fail-on high: Personal data stored in aws us-east-1 (US), outside the EEA and the countries with an adequacy decision."
    assert messages[("sensitive-data-exposed-to-foreign-law", "test)")] == "Sensitive data on aws us-east-1 (US), run by Amazon Web Services, Inc., which is exposed to US_CLOUD_ACT, US_FISA_702."


def test_junit_keeps_xml_valid_with_control_characters():
    report = _report(Finding("some-rule", Severity.HIGH, "a.b", "bad \x01 byte & <tag>", Origin("main.tf", 3)))
    root = ET.fromstring(junit.render(report))
    failure = root.find("testsuite/testcase/failure")
    assert failure.get("message") == "bad \ufffd byte & <tag>"


# --------------------------------------------------------------------------- CSV


def test_csv_rows_and_formula_cells_stay_text():
    report = _report(
        Finding("some-rule", Severity.LOW, '=HYPERLINK("http://x")', "+1 -1 @x", Origin("main.tf", 7)),
        Finding("other-rule", Severity.HIGH, "aws_s3_bucket.b", "plain", Origin("main.tf", 2), suppressed=True, suppression={"kind": "waiver", "reason": "ok", "until": "2027-01-01", "approver": "RSSI", "file": "w.yml", "line": 3}),
    )
    rows = list(csv.DictReader(io.StringIO(csv_report.render(report))))
    assert [(r["rule"], r["address"], r["line"], r["message"], r["suppressed"]) for r in rows] == [
        ("other-rule", "aws_s3_bucket.b", "2", "plain", "true"),
        ("some-rule", "'=HYPERLINK(\"http://x\")", "7", "'+1 -1 @x", "false"),
    ]
    assert (rows[0]["suppression_kind"], rows[0]["suppression_reason"], rows[0]["suppression_until"], rows[0]["suppression_approver"]) == ("waiver", "ok", "2027-01-01", "RSSI")


def test_csv_has_the_columns_an_audit_tracker_needs(monkeypatch):
    rows = list(csv.DictReader(io.StringIO(_scan(monkeypatch, "fixtures/demo", "--format", "csv").stdout)))
    assert list(rows[0])[:13] == list(csv_report.COLUMNS[:13])  # today's columns keep their place; new ones follow
    place = {(r["rule"], r["address"]): (r["cloud"], r["provider"], r["region"], r["country"], r["sensitivity"], r["workload"], r["operator"], r["account"]) for r in rows}
    assert place[("sensitive-data-without-secnumcloud", "aws_s3_bucket.payroll")] == ("aws", "aws", "eu-west-3", "FR", "sensitive", "payroll", "Amazon Web Services, Inc.", "")
    assert place[("sensitive-data-without-secnumcloud", "azurerm_storage_account.records")] == ("azure", "azurerm", "francecentral", "FR", "health", "", "Microsoft Corporation", "")
    assert place[("personal-data-outside-eea", "aws_dynamodb_table.analytics")] == ("aws", "aws", "us-east-1", "US", "personal", "analytics", "Amazon Web Services, Inc.", "")
    assert place[("unclassified-resource", "scaleway_object_bucket.scratch")] == ("scaleway", "scaleway", "fr-par", "FR", "", "", "Scaleway SAS", "")
    legal = {r["rule"]: r["legal_reference"] for r in rows}
    assert legal["personal-data-outside-eea"] == "GDPR chapter V (art. 44-50)"
    assert legal["sensitive-data-without-secnumcloud"] == "Cloud au centre rule R9 (circulars 6282/SG, 6404/SG); SREN law art. 31 (loi n° 2024-449); Circular 6519/SG (5 Feb 2026)"


def test_csv_names_the_account_of_an_inventoried_resource(monkeypatch):
    rows = list(csv.DictReader(io.StringIO(_scan(monkeypatch, "fixtures/inventory/against/terraform-vs-snapshot/snapshot.json", "--format", "csv").stdout)))
    by_address = {(r["rule"], r["address"]): r for r in rows}
    row = by_address[("sensitive-data-outside-eu", "arn:aws:s3:::payroll-files")]
    assert (row["account"], row["provider"], row["region"], row["country"], row["file"], row["line"]) == ("111122223333", "aws", "us-east-1", "US", "", "")


def test_csv_excel_fr_dialect_opens_as_columns_in_french_excel(monkeypatch, tmp_path):
    """Semicolons (the list separator of a French locale), a UTF-8 byte order mark, CRLF; the formula guard still holds."""
    target = tmp_path / "audit.csv"
    _scan(monkeypatch, "fixtures/demo", "--csv-dialect", "excel-fr", "--output", f"csv={target}")
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfseverity;rule;address;file;line;root;")
    assert b"\r\n" in raw and raw.count(b"\r\n") == raw.count(b"\n")
    text = raw.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    assert ("aws_s3_bucket.payroll", "Amazon Web Services, Inc.") in {(r["address"], r["operator"]) for r in rows}  # a comma inside a cell stays in it
    assert rows == list(csv.DictReader(io.StringIO(_scan(monkeypatch, "fixtures/demo", "--format", "csv").stdout)))  # the same cells as the standard dialect
    hostile = _report(Finding("some-rule", Severity.LOW, '=HYPERLINK("http://x")', "-1;+1", Origin("main.tf", 7)))
    [row] = list(csv.DictReader(io.StringIO(csv_report.render(hostile, csv_dialect="excel-fr").lstrip("\ufeff"), newline=""), delimiter=";"))
    assert (row["address"], row["message"]) == ("'=HYPERLINK(\"http://x\")", "'-1;+1")


# --------------------------------------------------------------------------- Markdown


def test_markdown_escapes_repository_text_and_cuts_long_reports():
    findings = [Finding("some-rule", Severity.MEDIUM, f"aws_s3_bucket.b{i}", "a | b <script>", Origin("main.tf", i + 1)) for i in range(3)]
    text = markdown.render(_report(*findings), max_rows=2)
    assert "| 🟠 medium | `some-rule` | `aws_s3_bucket.b0` | `main.tf:1` |" in text
    assert "aws_s3_bucket.b2" not in text
    assert "… and 1 more findings" in text
    assert "a \\| b &lt;script&gt;" in text and "<script>" not in text
    assert "🟣 critical: **0** · 🔴 high: **0** · 🟠 medium: **3** · 🟡 low: **0** · ⚪ info: **0**" in text


def test_markdown_without_findings_says_so():
    text = markdown.render(_report())
    assert text.startswith("### sovscan: no finding\n")
    assert "| Severity |" not in text


# --------------------------------------------------------------------------- located findings


def test_remote_module_findings_point_at_the_module_call(monkeypatch):
    issues = json.loads(_scan(monkeypatch, "fixtures/terraform/suppress-remote-module", "--format", "gitlab").stdout)
    assert [(i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"]) for i in issues] == [
        ("sensitive-data-without-secnumcloud", "fixtures/terraform/suppress-remote-module/main.tf", 10)
    ]
    assert "declared at fixtures/terraform/suppress-remote-module/.terraform/modules/storage/main.tf:2" in issues[0]["description"]


def test_paths_are_relative_to_the_repository_root_from_a_subfolder(monkeypatch):
    monkeypatch.chdir(ROOT / "fixtures")
    result = CliRunner().invoke(cli, ["scan", "demo", "--format", "gitlab"], catch_exceptions=False)
    paths = {i["location"]["path"] for i in json.loads(result.stdout)}
    assert paths == {"fixtures/demo/main.tf"}


def test_paths_of_an_input_outside_the_working_directory(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["scan", str(ROOT / "fixtures/demo"), "--format", "gitlab"], catch_exceptions=False)
    assert {i["location"]["path"] for i in json.loads(result.stdout)} == {"fixtures/demo/main.tf"}


def _report(*findings: Finding) -> Report:
    return Report("0.1.0", "fr-state", "test", ("x",), (), tuple(findings), ())
