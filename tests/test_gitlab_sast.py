"""GitLab security report (--format gitlab-sast): valid against GitLab's published schema, and what the Vulnerability Report needs.

The schema is ``tests/data/gitlab-sast-report-format-15.0.7.json``, GitLab's
``dist/sast-report-format.json`` of security-report-schemas v15.0.7, as
GitLab vendors it (see ``tests/data/README.md``).
"""

from __future__ import annotations

import datetime
import json
import re
import shutil
import uuid
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from scanner.cli.app import cli
from scanner.report import gitlab_sast
from tests.support import FIXTURES, ROOT, scan_report
from tests.test_sarif import _snapshot

SCHEMA = json.loads((ROOT / "tests" / "data" / "gitlab-sast-report-format-15.0.7.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)
TERRAFORM_CASES = sorted(p for p in (FIXTURES / "terraform").iterdir() if (p / "expected.yaml").is_file())
OTHER_CASES = [FIXTURES / "demo", FIXTURES / "inventory" / "against" / "terraform-vs-snapshot" / "snapshot.json", *sorted((FIXTURES / "inventory" / "exports").iterdir())]


def _field(vulnerability: dict, name: str) -> str:
    """A ``- Name: value`` line of the description, unescaped (the description is Markdown)."""
    line = next(line for line in vulnerability["description"].splitlines() if line.startswith(f"- {name}: "))
    return re.sub(r"\\(.)", r"\1", line.removeprefix(f"- {name}: "))


def _sast(monkeypatch, cwd: Path, *args: str) -> dict:
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(cli, ["scan", *args, "--format", "gitlab-sast"], catch_exceptions=False)
    return json.loads(result.stdout)


@pytest.mark.parametrize("case", TERRAFORM_CASES + OTHER_CASES, ids=lambda p: p.name)
def test_every_fixture_gives_a_valid_report(case: Path, monkeypatch):
    monkeypatch.chdir(ROOT)
    report = scan_report(case.relative_to(ROOT))
    document = gitlab_sast.to_document(report, scan_times=(datetime.datetime(2026, 11, 27, 8, 0, 0), datetime.datetime(2026, 11, 27, 8, 0, 3)))
    VALIDATOR.validate(document)
    active = [f for f in report.findings if not f.suppressed]
    assert len(document["vulnerabilities"]) == len(active)
    assert len({v["id"] for v in document["vulnerabilities"]}) == len(active)  # unique in the report


def test_schema_rejects_a_broken_report():
    """The validation above can fail: a vulnerability without identifiers, or a scan without its times, is refused."""
    document = json.loads((ROOT / "tests" / "golden" / "ci" / "demo.gitlab-sast.json").read_text(encoding="utf-8"))
    VALIDATOR.validate(document)
    broken = json.loads(json.dumps(document))
    del broken["vulnerabilities"][0]["identifiers"]
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(broken)
    broken = json.loads(json.dumps(document))
    broken["scan"]["start_time"] = "2026-11-27T08:00:00Z"  # GitLab wants no zone
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(broken)


def test_the_report_carries_what_the_vulnerability_report_shows(monkeypatch):
    document = _sast(monkeypatch, ROOT, "fixtures/demo")
    assert (document["version"], document["schema"]) == ("15.0.7", "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v15.0.7/dist/sast-report-format.json")
    scan = document["scan"]
    assert scan["type"] == "sast" and scan["status"] == "success"
    assert scan["analyzer"] == scan["scanner"] == {"id": "sovscan", "name": "sovscan", "url": "https://github.com/sovscan/sovscan", "vendor": {"name": "sovscan contributors"}, "version": "0.1.0"}
    first = document["vulnerabilities"][0]
    assert first["name"] == "Data of particular sensitivity is run by an operator exposed to non-EU extraterritorial law."
    assert first["severity"] == "High"
    assert first["location"] == {"file": "fixtures/demo/main.tf", "start_line": 46, "end_line": 46}
    assert first["description"].startswith("Sensitive data on aws eu-west-3 (FR), run by Amazon Web Services, Inc., which is exposed to US\\_CLOUD\\_ACT, US\\_FISA\\_702.\n\n")
    assert (_field(first, "Resource"), _field(first, "Root module"), _field(first, "Sensitivity")) == ("aws_s3_bucket.payroll", "fixtures/demo", "sensitive, workload payroll")
    assert _field(first, "Hosting") == "aws eu-west-3 (FR), operated by Amazon Web Services, Inc."
    assert "# sovscan:ignore[sensitive-data-exposed-to-foreign-law]" in first["solution"] and 'provider "outscale"' in first["solution"]
    primary, rule, *references = first["identifiers"]
    assert (primary["type"], primary["name"]) == ("sovscan_finding", "sensitive-data-exposed-to-foreign-law")
    assert rule == {"type": "sovscan_rule", "name": "sensitive-data-exposed-to-foreign-law", "value": "sensitive-data-exposed-to-foreign-law", "url": primary["url"]}
    assert [r["value"] for r in references] == ["fr-state:SNC196", "fr-state:SREN31", "fr-state:R9"]
    severities = {(v["identifiers"][1]["value"], v["location"]["start_line"]): v["severity"] for v in document["vulnerabilities"]}
    assert severities[("personal-data-outside-eea", 63)] == "Medium" and severities[("unclassified-resource", 107)] == "Low"


def test_ids_are_stable_across_runs_and_edits(monkeypatch, tmp_path):
    """Derived from rule, address and root module: a line moved or a resource added above changes no id."""
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "fixtures" / "demo", copy / "demo")
    (copy / ".git").mkdir()
    before = _sast(monkeypatch, copy, "demo")
    assert _sast(monkeypatch, copy, "demo")["vulnerabilities"] == before["vulnerabilities"]
    main = copy / "demo" / "main.tf"
    main.write_text(
        'resource "aws_s3_bucket" "added_first" {\n  tags = { data_classification = "sensitive" }\n}\n\n' + main.read_text(encoding="utf-8"), encoding="utf-8"
    )
    after = _sast(monkeypatch, copy, "demo")

    def keyed(document):
        return {(v["identifiers"][1]["value"], _field(v, "Resource")): (v["id"], v["identifiers"][0]["value"], v["location"]["start_line"]) for v in document["vulnerabilities"]}

    old, new = keyed(before), keyed(after)
    added = {key for key in new if key[1] == "aws_s3_bucket.added_first"}
    assert added and set(new) - added == set(old)
    for key, (vid, primary, line) in old.items():
        assert new[key][:2] == (vid, primary) and new[key][2] == line + 4
        assert uuid.UUID(vid).version == 5


def test_one_module_under_several_roots_is_one_vulnerability_per_root(monkeypatch):
    """GitLab merges findings that share the primary identifier and the location: the primary identifier includes the root module."""
    document = _sast(monkeypatch, ROOT, "fixtures/terraform/shared-module-judged-per-root", "--fail-on", "never")
    VALIDATOR.validate(document)
    case = "fixtures/terraform/shared-module-judged-per-root"
    module = f"{case}/modules/archive/main.tf"
    got = sorted((v["identifiers"][1]["value"], v["location"]["file"], v["location"]["start_line"], v["severity"], _field(v, "Root module")) for v in document["vulnerabilities"])
    assert got == [
        ("personal-data-exposed-to-foreign-law", module, 11, "Low", f"{case}/envs/dev"),
        ("personal-data-outside-eea", module, 11, "Medium", f"{case}/envs/dev"),
        ("sensitive-data-exposed-to-foreign-law", module, 11, "High", f"{case}/envs/prod"),
        ("sensitive-data-exposed-to-foreign-law", module, 11, "High", f"{case}/envs/test"),
        ("sensitive-data-outside-eu", module, 11, "High", f"{case}/envs/test"),
        ("sensitive-data-without-secnumcloud", module, 11, "High", f"{case}/envs/prod"),
        ("sensitive-data-without-secnumcloud", module, 11, "High", f"{case}/envs/test"),
    ]
    assert len({(v["identifiers"][0]["value"], json.dumps(v["location"])) for v in document["vulnerabilities"]}) == 7  # none merged by GitLab


def test_suppressed_findings_are_left_out_and_input_problems_are_messages(monkeypatch):
    document = _sast(monkeypatch, ROOT, "fixtures/terraform/suppress-exceptions")
    VALIDATOR.validate(document)
    addresses = sorted({_field(v, "Resource") for v in document["vulnerabilities"]})
    assert addresses == ["aws_s3_bucket.archives", "aws_s3_bucket.exports"]  # payroll's and the legacy module's findings are suppressed
    messages = document["scan"]["messages"]
    assert [m["level"] for m in messages] == ["warn"] * 6 + ["info"]
    assert messages[0]["value"].startswith("fixtures/terraform/suppress-exceptions/.sovscan-waivers.yml:9: ")
    assert messages[-1]["value"] == "4 suppressed findings left out, each with its justification in sovscan's JSON report"


def test_scan_times_are_when_the_scan_ran(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795766400")  # 2026-11-27T08:00:00Z
    document = _sast(monkeypatch, ROOT, "fixtures/demo", "--no-cache")
    assert (document["scan"]["start_time"], document["scan"]["end_time"]) == ("2026-11-27T08:00:00", "2026-11-27T08:00:00")
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    before = datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0)
    document = _sast(monkeypatch, ROOT, "fixtures/demo", "--no-cache")
    after = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    started, ended = (datetime.datetime.fromisoformat(document["scan"][k]) for k in ("start_time", "end_time"))
    assert before <= started <= ended <= after


def test_nothing_readable_is_a_failed_scan(monkeypatch, tmp_path):
    (tmp_path / "broken.tf").write_text('resource "aws_s3_bucket" "b" {\n', encoding="utf-8")
    document = _sast(monkeypatch, tmp_path, ".", "--no-cache")
    VALIDATOR.validate(document)
    assert document["scan"]["status"] == "failure" and document["vulnerabilities"] == []
    assert document["scan"]["messages"][0]["level"] == "warn" and document["scan"]["messages"][0]["value"].startswith("broken.tf:")


def test_inventory_findings_point_at_a_stable_path(monkeypatch, tmp_path):
    (tmp_path / ".git").mkdir()
    _snapshot(tmp_path / "aws-2026-11.json", sensitive=1, personal=0, unclassified=0)
    document = _sast(monkeypatch, tmp_path, "aws-2026-11.json")
    VALIDATOR.validate(document)
    assert {json.dumps(v["location"]) for v in document["vulnerabilities"]} == {'{"file": "sovscan-inventory/aws/111122223333/us-east-1"}'}
    assert _field(document["vulnerabilities"][0], "Account") == "111122223333 (s3:ListBuckets)"


def test_repository_text_cannot_become_markdown_in_gitlab(monkeypatch, tmp_path):
    """GitLab renders description and solution as Markdown: an address or tag value from the repository stays text."""
    (tmp_path / "main.tf").write_text(
        'provider "aws" {\n  region = "us-east-1"\n}\n\n'
        'resource "aws_s3_bucket" "b" {\n  for_each = toset(["[login](https://evil.example)<img src=x onerror=alert(1)>"])\n  bucket   = each.key\n}\n',
        encoding="utf-8",
    )
    document = _sast(monkeypatch, tmp_path, ".", "--no-cache", "--fail-on", "never")
    VALIDATOR.validate(document)
    [vulnerability] = document["vulnerabilities"]
    description = vulnerability["description"]
    assert re.search(r"(?<!\\)[<\[]", description) is None  # every < and [ escaped: no link, image or HTML
    assert "\\[login\\](https://evil.example)\\<img src=x onerror=alert(1)\\>" in description
    assert _field(vulnerability, "Resource") == 'aws_s3_bucket.b["[login](https://evil.example)<img src=x onerror=alert(1)>"]'
    assert "```\n# sovscan:ignore[unclassified-resource]" in vulnerability["solution"]
