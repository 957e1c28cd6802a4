"""``sovscan diff OLD.json NEW.json``: new and fixed findings, resources that moved, appeared or went away."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli.app import cli
from tests.support import FIXTURES, scan_document

SNAPSHOT = FIXTURES / "inventory" / "against" / "terraform-vs-snapshot" / "snapshot.json"
PAYROLL, SHADOW, HR = "arn:aws:s3:::payroll-files", "arn:aws:s3:::shadow-exports", "arn:aws:rds:eu-west-3:111122223333:db:hr-db"


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> tuple[Path, Path]:
    """Last month: payroll in Virginia and a shadow bucket. This month: payroll back in Paris,
    the shadow bucket deleted, a new health volume in Frankfurt."""
    old = json.loads(SNAPSHOT.read_text())
    new = json.loads(SNAPSHOT.read_text())
    new["resources"][0]["region"] = "eu-west-3"
    new["resources"] = [r for r in new["resources"] if r["address"] != SHADOW]
    new["resources"].append({**new["resources"][-1], "address": "arn:aws:ec2:eu-central-1:111122223333:volume/vol-0def", "region": "eu-central-1", "tags": {"data_classification": "health"}})
    tmp_path = tmp_path_factory.mktemp("diff")
    paths = []
    for name, snapshot in (("old", old), ("new", new)):
        (tmp_path / f"{name}-snapshot.json").write_text(json.dumps(snapshot))
        report = tmp_path / f"{name}.json"
        report.write_text(json.dumps(scan_document(tmp_path / f"{name}-snapshot.json")))
        paths.append(report)
    return paths[0], paths[1]


def test_diff_lists_new_and_fixed_findings_and_moved_resources(reports):
    old, new = reports
    result = CliRunner().invoke(cli, ["diff", str(old), str(new), "--format", "json"])
    assert result.exit_code == 1, result.output  # a new high finding
    doc = json.loads(result.output)
    volume = "arn:aws:ec2:eu-central-1:111122223333:volume/vol-0def"
    assert sorted((f["rule"], f["address"]) for f in doc["new_findings"]) == [
        ("sensitive-data-exposed-to-foreign-law", volume),
        ("sensitive-data-hosting-unverified", volume),
        ("sensitive-data-without-secnumcloud", volume),
    ]
    assert sorted((f["rule"], f["address"]) for f in doc["fixed_findings"]) == sorted([
        ("sensitive-data-outside-eu", PAYROLL),  # back in the EU
        ("sensitive-data-exposed-to-foreign-law", SHADOW),
        ("sensitive-data-without-secnumcloud", SHADOW),
    ])
    assert doc["moved_resources"] == [{"address": PAYROLL, "before": {"cloud": "aws", "region": "us-east-1", "country": "US"}, "after": {"cloud": "aws", "region": "eu-west-3", "country": "FR"}}]
    assert [r["address"] for r in doc["new_resources"]] == [volume]
    assert [r["address"] for r in doc["resources_gone"]] == [SHADOW]
    assert doc["summary"] == {"new_findings": 3, "fixed_findings": 3, "moved_resources": 1, "new_resources": 1, "resources_gone": 1}


def test_diff_text_names_each_change(reports):
    old, new = reports
    result = CliRunner().invoke(cli, ["diff", str(old), str(new), "--fail-on", "critical"])
    assert result.exit_code == 0  # nothing new at critical
    lines = result.output.splitlines()
    assert "Moved resources (1)" in lines
    assert f"  {PAYROLL}  aws us-east-1 (US) → aws eu-west-3 (FR)" in lines
    assert "  HIGH     sensitive-data-outside-eu  arn:aws:s3:::payroll-files" in lines
    assert lines[-1] == "3 new findings, 3 fixed, 1 resources moved, 1 new resources, 1 gone"


def test_an_audit_against_itself_changes_nothing(reports):
    old, _ = reports
    result = CliRunner().invoke(cli, ["diff", str(old), str(old)])
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == "0 new findings, 0 fixed, 0 resources moved, 0 new resources, 0 gone"


def test_a_finding_keeps_its_identity_when_its_line_moves(reports, tmp_path):
    old, _ = reports
    moved = json.loads(old.read_text())
    for finding in moved["findings"]:
        finding["origin"] = {**finding["origin"], "line": 99}
    (tmp_path / "moved.json").write_text(json.dumps(moved))
    result = CliRunner().invoke(cli, ["diff", str(old), str(tmp_path / "moved.json"), "--format", "json"])
    assert json.loads(result.output)["summary"]["new_findings"] == 0


def test_inputs_that_are_not_reports_are_one_line_errors(reports, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema_version": 1,\n "findings": [')
    old, _ = reports
    snapshot = os.path.relpath(SNAPSHOT)
    cases = [
        (broken, f"Error: {broken}:2: not valid JSON (Expecting value)"),
        (SNAPSHOT, f"Error: {snapshot}: an inventory snapshot, not a report; judge it first: sovscan scan {snapshot} --format json -o report.json"),
        (tmp_path / "missing.json", f"Error: {tmp_path / 'missing.json'}: cannot read it (No such file or directory)"),
    ]
    for path, message in cases:
        result = CliRunner().invoke(cli, ["diff", str(old), str(path)])
        assert (result.exit_code, result.output.strip()) == (2, message)
