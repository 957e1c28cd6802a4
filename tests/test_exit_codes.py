"""An honest exit code (issue 14, item 3): 3 when part of the input was not judged.

0 only when everything given was judged and no active finding reaches
``--fail-on``; 1 findings at or above it; 2 usage errors or nothing
scanned; 3 part of the input was not judged and no finding reaches
``--fail-on``, unless ``--allow-incomplete``. Every kind of skipped input
counts; an expression over an unknown value does not (it stays unknown, with
its reason), nor does a suppression that no longer applies.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli.app import cli

PUBLIC_BUCKET = 'provider "aws" {\n  region = "eu-west-3"\n}\n\nresource "aws_s3_bucket" "ok" {\n  bucket = "ok"\n  tags   = { data_classification = "public" }\n}\n'
HEALTH_BUCKET = 'resource "aws_s3_bucket" "records" {\n  bucket = "records"\n  tags   = { data_classification = "health" }\n}\n'


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    """A repository (a .git folder) holding one root module with a public bucket: a complete, clean scan."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "main.tf").write_text(PUBLIC_BUCKET, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def scan(*args: str) -> tuple[int, dict, str]:
    result = CliRunner().invoke(cli, ["scan", *(args or (".",)), "--format", "json", "--no-cache"], catch_exceptions=False)
    document = json.loads(result.stdout) if result.stdout.startswith("{") else {}
    return result.exit_code, document, result.stderr


def kinds(document: dict) -> list[str]:
    return [e["kind"] for e in document["errors"]]


def test_everything_judged_and_no_finding_is_0(repo):
    code, doc, _ = scan()
    assert (code, doc["errors"], doc["summary"]["incomplete"]) == (0, [], False)


def test_a_finding_at_or_above_fail_on_is_1(repo):
    (repo / "records.tf").write_text(HEALTH_BUCKET, encoding="utf-8")
    assert scan()[0] == 1


@pytest.mark.parametrize(
    "files, args, kind, message",
    [
        ({"remote.tf": 'module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n'}, (), "module", "is not downloaded"),
        ({"outside.tf": 'module "up" {\n  source = "../../elsewhere"\n}\n'}, (), "module", "leads outside the repository"),
        ({"broken.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = \n}\n'}, (), "syntax", "syntax error"),
        ({"binary.tf": "x = 1\n\x00\x01"}, (), "unreadable", "binary file"),
        ({}, ("--var-file", "prod.tfvars"), "input", "--var-file: no such file"),
        ({".sovscan.yml": "flavour: strict\n"}, (), "configuration", "unknown key 'flavour'"),
        ({"notes.json": '{"hello": "world"}'}, ("notes.json",), "input", "JSON of a shape sovscan does not know"),
        ({"dup.tf": 'resource "aws_s3_bucket" "ok" {\n  bucket = "again"\n  tags   = { data_classification = "public" }\n}\n'}, (), "terraform", "is declared twice"),
    ],
    ids=["module-not-downloaded", "module-outside-repository", "unparsable-file", "unreadable-file", "missing-var-file",
         "invalid-sovscan-yml", "unrecognised-input", "duplicate-address"],
)
def test_every_kind_of_unjudged_input_is_3(repo, files, args, kind, message):
    for name, text in files.items():
        (repo / name).write_text(text, encoding="utf-8")
    paths = (".", *args) if args[:1] == ("notes.json",) else (".",)
    options = () if args[:1] == ("notes.json",) else args
    code, doc, stderr = scan(*paths, *options)
    assert code == 3, doc.get("errors")
    assert kind in kinds(doc) and any(message in e["message"] for e in doc["errors"])
    assert doc["summary"]["incomplete"] is True
    assert "incomplete:" in stderr and "--allow-incomplete" in stderr
    assert scan(*paths, *options, "--allow-incomplete")[0] == 0


def test_a_finding_reaching_fail_on_wins_over_incomplete(repo):
    (repo / "records.tf").write_text(HEALTH_BUCKET, encoding="utf-8")
    (repo / "remote.tf").write_text('module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n', encoding="utf-8")
    assert scan()[0] == 1
    assert scan("--allow-incomplete")[0] == 1
    assert scan("--fail-on", "never")[0] == 3  # no finding reaches it: the scan is still incomplete


def test_soft_fail_passes_findings_but_not_incomplete_input(repo):
    (repo / "records.tf").write_text(HEALTH_BUCKET, encoding="utf-8")
    assert scan("--soft-fail")[0] == 0
    (repo / "remote.tf").write_text('module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n', encoding="utf-8")
    assert scan("--soft-fail")[0] == 3
    assert scan("--soft-fail", "--allow-incomplete")[0] == 0


def test_an_expression_over_an_unknown_value_is_no_input_problem(repo):
    """lookup() on an unset map was 614 of 912 'problems' on cloud-foundation-fabric: it stays unknown, silently."""
    (repo / "main.tf").write_text(
        'variable "regions" {\n  type = map(string)\n}\n\nprovider "aws" {\n  region = lookup(var.regions, "prod", "eu-west-3")\n}\n\n'
        'resource "aws_s3_bucket" "b" {\n  tags = { data_classification = contains(keys(var.regions), "x") ? "public" : "internal" }\n}\n',
        encoding="utf-8",
    )
    code, doc, _ = scan()
    assert doc["errors"] == []
    (bucket,) = doc["resources"]
    assert bucket["region"] == "unknown" and "variable \"regions\" has no default" in bucket["region_unknown_reason"]
    assert code == 0


def test_an_expression_sovscan_cannot_evaluate_is_listed_but_judged(repo):
    (repo / "count.tf").write_text('resource "aws_s3_bucket" "many" {\n  count = "three"\n  tags  = { data_classification = "public" }\n}\n', encoding="utf-8")
    code, doc, _ = scan()
    assert kinds(doc) == ["evaluation"] and doc["summary"]["incomplete"] is False
    assert code == 0


def test_an_expired_waiver_does_not_make_the_scan_incomplete(repo):
    (repo / "records.tf").write_text(HEALTH_BUCKET, encoding="utf-8")
    (repo / ".sovscan-waivers.yml").write_text(
        "waivers:\n  - rule: sensitive-data-exposed-to-foreign-law\n    address: aws_s3_bucket.records\n    reason: transition\n    expires: 2020-01-01\n    approver: RSSI\n",
        encoding="utf-8",
    )
    code, doc, _ = scan("--fail-on", "critical")
    assert kinds(doc) == ["exception"] and code == 0


def test_nothing_scanned_is_still_2(repo):
    assert scan("no/such/folder")[0] == 2
