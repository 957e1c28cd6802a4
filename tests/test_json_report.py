"""The JSON report's published schema (scanner/report/sovscan-report.schema.json), as_of and summary.verdict.

Every fixture's report is validated against the schema where it is made
(tests/support.py, ``scan_document``); here: the schema itself, that it
documents every field the report carries, and the verdict's definition.
"""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest
from click.testing import CliRunner

from scanner.cli.app import cli
from scanner.model import Assessment, Classification, Finding, Hosting, Origin, Report, Resource, ScanError, Severity, Unknown
from scanner.report import json_report, verdict
from scanner.report.merge import merge_reports
from scanner.report.saved import DocumentError
from tests.support import FIXTURES, REPORT_SCHEMA, REPORT_VALIDATOR, ROOT, scan_document


def _scan(monkeypatch, *args: str) -> dict:
    monkeypatch.chdir(ROOT)
    return json.loads(CliRunner().invoke(cli, ["scan", *args, "--format", "json"], catch_exceptions=False).stdout)


def test_the_schema_ships_in_the_package_and_is_a_valid_schema():
    text = (resources.files("scanner.report") / json_report.SCHEMA_FILE).read_text(encoding="utf-8")
    assert json_report.SCHEMA_FILE.endswith("report.schema.json")
    jsonschema.Draft202012Validator.check_schema(json.loads(text))
    assert REPORT_SCHEMA["$id"] == json_report.SCHEMA_ID


def _undocumented(document, schema: dict, where: str = "$") -> list[str]:
    """Keys of ``document`` that the schema does not name: the schema must describe every field sovscan writes."""
    if "$ref" in schema:
        schema = REPORT_SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[-1]]
    found = []
    if isinstance(document, dict):
        named = schema.get("properties")
        free = schema.get("additionalProperties")
        for key, value in document.items():
            if named is not None and key in named:
                found += _undocumented(value, named[key], f"{where}.{key}")
            elif isinstance(free, dict):
                found += _undocumented(value, free, f"{where}.{key}")
            elif named is not None:
                found.append(f"{where}.{key}")
    elif isinstance(document, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(document):
            found += _undocumented(item, schema["items"], f"{where}[{index}]")
    return found


@pytest.mark.parametrize(
    "case",
    ["demo", "terraform/suppress-exceptions", "terraform/suppress-remote-module", "terraform/s3-replicated-outside-eu", "terraform/unknown-region-unset-variable", "terraform/module-count-unknown", "inventory/against/terraform-vs-snapshot/snapshot.json"],
)
def test_the_schema_documents_every_field(case, monkeypatch):
    if not (FIXTURES / case).exists():
        pytest.skip(f"{case} is not in this tree")
    document = _scan(monkeypatch, f"fixtures/{case}", "--fail-on", "never")
    REPORT_VALIDATOR.validate(document)
    assert _undocumented(document, REPORT_SCHEMA) == []


def test_the_demo_report_is_valid_and_the_validation_can_fail(monkeypatch):
    document = _scan(monkeypatch, "fixtures/demo")
    REPORT_VALIDATOR.validate(document)
    for broken in (
        {k: v for k, v in document.items() if k != "as_of"},
        {**document, "as_of": "27/11/2026"},
        {**document, "summary": {**document["summary"], "verdict": "compliant with reservations"}},
        {**document, "findings": [{**document["findings"][0], "severity": "severe"}]},
    ):
        with pytest.raises(jsonschema.ValidationError):
            REPORT_VALIDATOR.validate(broken)


def test_as_of_is_the_date_of_the_verdict(monkeypatch):
    assert _scan(monkeypatch, "fixtures/demo")["as_of"] == "2026-11-27"  # today, as tests/conftest.py pins it
    assert _scan(monkeypatch, "fixtures/demo", "--as-of", "2031-01-15")["as_of"] == "2031-01-15"
    assert list(_scan(monkeypatch, "fixtures/demo"))[:4] == ["schema_version", "tool", "as_of", "policy"]  # at the top level


def test_the_verdict_is_documented_in_the_schema_and_the_readme():
    described = REPORT_SCHEMA["$defs"]["summary"]["properties"]["verdict"]
    assert tuple(described["enum"]) == verdict.VERDICTS
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in verdict.VERDICTS:
        assert f"{name}:" in described["description"] and f"`{name}`" in readme


# --------------------------------------------------------------------------- the verdict's definition, case by case

HOSTING = Hosting("aws", None, "eu-west-3", frozenset({"FR"}), True, True, True, "Amazon Web Services, Inc.", "US", "exposed")


def _assessment(address: str, level: str | None, holds_data: bool = True) -> Assessment:
    resource = Resource(address, "aws_s3_bucket", "aws", "eu-west-3", Origin("main.tf", 1), holds_data=holds_data)
    classification = Classification(level, frozenset({level} if level else ()), None, "classified" if level else "unclassified")
    return Assessment(resource, classification, HOSTING)


def _rule(rule_id: str, kind: str):
    from scanner.model import Rule

    return Rule(rule_id, kind, frozenset(), Severity.HIGH, {}, None, (), (), "s", "w", "", "")


RULES = {r.id: r for r in (_rule("no-snc", "qualification"), _rule("unverified", "unverified"), _rule("unclassified", "unclassified"), _rule("drift", "inventory-comparison"))}


def _verdict(assessments, findings=(), errors=()) -> str:
    return verdict.verdict(Report("0", "fr-state", "1", ("main.tf",), tuple(assessments), tuple(findings), tuple(errors), RULES, "2026-11-27"))


def _finding(rule: str, severity: Severity = Severity.HIGH, **kwargs) -> Finding:
    return Finding(rule, severity, "aws_s3_bucket.a", "m", Origin("main.tf", 1), **kwargs)


def test_a_broken_requirement_is_non_compliant_whatever_its_severity():
    assert _verdict([_assessment("a", "sensitive")], [_finding("no-snc", Severity.LOW)]) == "non-compliant"
    assert _verdict([_assessment("a", "sensitive")], [_finding("a-rule-the-report-does-not-describe")]) == "non-compliant"


def test_what_cannot_be_shown_is_reservations():
    classified = [_assessment("a", "sensitive"), _assessment("b", None)]
    assert _verdict(classified, [_finding("unverified")]) == "reservations"
    assert _verdict(classified, [_finding("unclassified", Severity.LOW)]) == "reservations"
    assert _verdict(classified, [_finding("drift", Severity.MEDIUM)]) == "reservations"
    assert _verdict([_assessment("a", "sensitive")], errors=[ScanError("main.tf", 3, "does not parse")]) == "reservations"


def test_nothing_classified_is_not_assessable():
    assert _verdict([]) == "not-assessable"
    assert _verdict([_assessment("a", None), _assessment("role", "sensitive", holds_data=False)], [_finding("unclassified", Severity.LOW)]) == "not-assessable"
    assert _verdict([], errors=[ScanError("main.tf", 1, "does not parse")]) == "not-assessable"
    assert _verdict([_assessment("a", None)], [_finding("no-snc")]) == "non-compliant"  # a broken requirement still says more


def test_suppressed_and_informational_findings_do_not_count():
    classified = [_assessment("a", "sensitive")]
    assert _verdict(classified) == "compliant"
    assert _verdict(classified, [_finding("no-snc", suppressed=True, suppression={"kind": "waiver", "reason": "DINUM derogation"})]) == "compliant"
    assert _verdict(classified, [_finding("no-snc", Severity.INFO)]) == "compliant"


def test_the_verdict_does_not_follow_fail_on(monkeypatch):
    assert {_scan(monkeypatch, "fixtures/demo", "--fail-on", level)["summary"]["verdict"] for level in ("low", "critical", "never")} == {"non-compliant"}


def test_saved_reports_give_the_same_verdict():
    """sovscan merge recomputes the verdict from a saved report's entries: the same one the scan gave."""
    for case in ("demo", "terraform/verdict-compliant", "terraform/verdict-not-assessable", "terraform/verdict-reservations", "terraform/suppress-exceptions"):
        document = scan_document(FIXTURES / case)
        assert verdict.document_verdict(document) == document["summary"]["verdict"], case
        assert verdict.document_counts(document) == (document["summary"]["data_resources"], document["summary"]["data_resources_without_level"])


# --------------------------------------------------------------------------- merge


def test_merge_keeps_as_of_and_recomputes_the_verdict():
    compliant = scan_document(FIXTURES / "terraform" / "verdict-compliant")
    reservations = scan_document(FIXTURES / "terraform" / "verdict-reservations")
    merged = merge_reports([("a.json", compliant), ("b.json", reservations)])
    REPORT_VALIDATOR.validate(merged)
    assert merged["as_of"] == "2026-11-27" and merged["summary"]["verdict"] == "reservations"
    assert merged["summary"]["data_resources"] == 3


def test_merge_refuses_reports_judged_on_different_dates():
    first = scan_document(FIXTURES / "terraform" / "verdict-compliant")
    later = scan_document(FIXTURES / "terraform" / "verdict-reservations", as_of="2026-11-28")
    with pytest.raises(DocumentError, match=r"b.json: judged as of 2026-11-28, a.json as of 2026-11-27; merge reports of one date"):
        merge_reports([("a.json", first), ("b.json", later)])
    older = {k: v for k, v in later.items() if k != "as_of"}  # a report from before as_of existed
    assert merge_reports([("a.json", first), ("old.json", older)])["as_of"] == "2026-11-27"


def test_unknown_values_keep_the_contract():
    """A report whose every hosting field is unknown still validates: unknown is a value."""
    unknown = Unknown("no region")
    hosting = Hosting(unknown, None, unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown)
    resource = Resource("aws_s3_bucket.a", "aws_s3_bucket", "aws", unknown, Origin("main.tf", 1))
    assessment = Assessment(resource, Classification(None, frozenset(), None, "unresolved", reason="tag from an unset variable"), hosting)
    document = json.loads(json_report.render(Report("0", "fr-state", "1", ("main.tf",), (assessment,), (), (), {}, "2026-11-27")))
    REPORT_VALIDATOR.validate(document)
    assert document["resources"][0]["country"] == "unknown" and document["summary"]["verdict"] == "not-assessable"
