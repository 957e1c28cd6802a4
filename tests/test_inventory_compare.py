"""Declared against deployed (scanner.evaluate.drift): a Terraform scan compared with an inventory
snapshot, as ``sovscan scan TERRAFORM --against SNAPSHOT`` will do."""

from __future__ import annotations

import json

import pytest

from scanner.evaluate.drift import DRIFT, UNDECLARED, compare, match
from scanner.model import Origin, Resource, Tag, Unknown
from scanner.pipeline import against_inventory, assess, build_report, load_policy
from scanner.report import json_report
from scanner.sources import collect
from scanner.sources.terraform.module.inputs import VariableOptions
from tests.support import AS_OF, FIXTURES

CASE = FIXTURES / "inventory" / "against" / "terraform-vs-snapshot"


def test_terraform_against_a_snapshot(monkeypatch):
    monkeypatch.chdir(FIXTURES.parent)
    case = CASE.relative_to(FIXTURES.parent)
    policy = load_policy(None, None, AS_OF, search_from=case)
    declared = collect(case / "terraform", VariableOptions())
    report = build_report([str(case / "terraform")], declared.resources, declared.errors, policy)
    before = {(f.rule, f.address) for f in report.findings}

    report = against_inventory(report, case / "snapshot.json", str(case / "snapshot.json"), policy)
    doc = json.loads(json_report.render(report))
    added = sorted((f["rule"], f["address"], f["origin"].get("line"), f["message"]) for f in doc["findings"] if (f["rule"], f["address"]) not in before)
    assert added == [
        (DRIFT, "aws_s3_bucket.payroll", 6, "Declared in aws eu-west-3 (FR) but deployed in aws us-east-1 (US) (arn:aws:s3:::payroll-files, matched by name tag)."),
        (UNDECLARED, "arn:aws:s3:::shadow-exports", None, "Sensitive data in aws eu-west-3 (FR) that no scanned Terraform declares."),
    ]
    drift = next(f for f in doc["findings"] if f["rule"] == DRIFT)
    assert drift["severity"] == "medium"
    assert drift["evidence"]["deployed"]["origin"] == {"account": "111122223333", "api": "s3:ListBuckets"}
    assert next(f for f in doc["findings"] if f["rule"] == UNDECLARED)["severity"] == "high"
    # the snapshot's own problems travel with it; the rules are described for SARIF and HTML
    assert doc["errors"][-1]["file"] == "aws:111122223333:eu-central-1"
    assert {DRIFT, UNDECLARED} <= set(report.rules)


def _resource(address: str, kind: str, region, *, api: str | None = None, tags: dict | None = None, hints: dict | None = None) -> Resource:
    origin = Origin(account="111122223333", api=api) if api else Origin(file="main.tf", line=1)
    return Resource(address, kind, "aws", region, origin, tuple(Tag(k, v, origin) for k, v in (tags or {}).items()), hints=hints or {})


def test_matching_by_identity_then_name_then_workload():
    policy = load_policy(None, None, AS_OF)
    declared = assess([
        _resource("aws_ebs_volume.data", "aws_ebs_volume", "eu-west-3", hints={"id": "vol-0aaa"}),
        _resource("aws_s3_bucket.logs", "aws_s3_bucket", "eu-west-3", tags={"Name": "logs"}),
        _resource("aws_lambda_function.payslips", "aws_lambda_function", "eu-west-3", tags={"workload": "payroll"}),
        _resource("aws_lambda_function.other", "aws_lambda_function", "eu-west-3", tags={"workload": "web"}),
    ], policy)
    deployed = assess([
        _resource("arn:aws:ec2:eu-west-3:111122223333:volume/vol-0aaa", "ec2:volume", "eu-west-3", api="ec2:DescribeVolumes"),
        _resource("arn:aws:s3:::logs", "s3:bucket", "eu-west-3", api="s3:ListBuckets", tags={"Name": "logs"}),
        _resource("arn:aws:lambda:eu-west-3:111122223333:function:payslips", "lambda:function", "eu-west-3", api="lambda:ListFunctions", tags={"workload": "payroll"}),
        _resource("arn:aws:lambda:eu-west-3:111122223333:function:a", "lambda:function", "eu-west-3", api="lambda:ListFunctions", tags={"workload": "web"}),
        _resource("arn:aws:lambda:eu-west-3:111122223333:function:b", "lambda:function", "eu-west-3", api="lambda:ListFunctions", tags={"workload": "web"}),
    ], policy)
    pairs = sorted((m.declared.resource.address, m.deployed.resource.address, m.how) for m in match(declared, deployed))
    assert pairs == [
        ("aws_ebs_volume.data", "arn:aws:ec2:eu-west-3:111122223333:volume/vol-0aaa", "identity"),
        ("aws_lambda_function.payslips", "arn:aws:lambda:eu-west-3:111122223333:function:payslips", "workload"),
        ("aws_s3_bucket.logs", "arn:aws:s3:::logs", "name tag"),
    ]  # two web functions for one declaration: ambiguous, so no match


def test_an_unknown_place_is_never_called_a_difference():
    policy = load_policy(None, None, AS_OF)
    declared = assess([_resource("aws_s3_bucket.b", "aws_s3_bucket", Unknown("var.region has no value"), tags={"Name": "b", "data_classification": "internal"})], policy)
    deployed = assess([_resource("arn:aws:s3:::b", "s3:bucket", "us-east-1", api="s3:ListBuckets", tags={"Name": "b", "data_classification": "internal"})], policy)
    assert [m.how for m in match(declared, deployed)] == ["name tag"]
    assert compare(declared, deployed) == []


def test_scan_against_a_snapshot_on_the_command_line(monkeypatch):
    from click.testing import CliRunner

    from scanner.cli.app import cli

    runner = CliRunner()
    if "--against" not in runner.invoke(cli, ["scan", "--help"]).output:
        pytest.skip("sovscan scan --against: the scanner/cli/scan.py wiring is proposed in the inventory report")
    monkeypatch.chdir(FIXTURES.parent)
    case = CASE.relative_to(FIXTURES.parent)
    result = runner.invoke(cli, ["scan", str(case / "terraform"), "--against", str(case / "snapshot.json"), "--format", "json"])
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert sorted((f["rule"], f["address"]) for f in doc["findings"] if f["rule"] in (DRIFT, UNDECLARED)) == [
        (DRIFT, "aws_s3_bucket.payroll"),
        (UNDECLARED, "arn:aws:s3:::shadow-exports"),
    ]
