"""Placement details the fixtures cannot hold (issue 14, item 6): one address declared twice, the JSON zone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import scan_document


@pytest.fixture
def root(tmp_path, monkeypatch) -> Path:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_one_address_declared_in_two_files_is_an_input_problem_naming_both_and_both_are_judged(root):
    (root / "a.tf").write_text(
        'provider "aws" {\n  region = "eu-west-3"\n}\n\nresource "aws_s3_bucket" "logs" {\n  tags = { data_classification = "public" }\n}\n',
        encoding="utf-8",
    )
    (root / "b.tf").write_text(
        '# a copy left behind, in another region\nresource "aws_s3_bucket" "logs" {\n  region = "us-east-1"\n  tags   = { data_classification = "health" }\n}\n',
        encoding="utf-8",
    )
    doc = scan_document(Path("."))
    assert [(e["file"], e["line"], e["message"], e["kind"]) for e in doc["errors"]] == [
        ("b.tf", 2, "aws_s3_bucket.logs is declared twice (first at a.tf:5); Terraform refuses this module; both are judged", "terraform")
    ]
    assert sorted((r["origin"]["file"], r["address"], r["region"], r["sensitivity"]) for r in doc["resources"]) == [
        ("a.tf", "aws_s3_bucket.logs", "eu-west-3", "public"),
        ("b.tf", "aws_s3_bucket.logs", "us-east-1", "health"),
    ]
    assert {(f["origin"]["file"], f["rule"]) for f in doc["findings"]} >= {("b.tf", "sensitive-data-exposed-to-foreign-law")}
    assert doc["summary"]["incomplete"] is True


def test_the_json_carries_the_zone_beside_the_region(root):
    (root / "main.tf").write_text(
        'provider "aws" {\n  region = "eu-west-3"\n}\n\n'
        'resource "aws_ebs_volume" "zonal" {\n  availability_zone = "eu-west-3b"\n  size = 10\n}\n\n'
        'resource "aws_s3_bucket" "regional" {}\n\n'
        'variable "az" {\n  type = string\n}\n\n'
        'resource "aws_ebs_volume" "somewhere" {\n  availability_zone = var.az\n  size = 10\n}\n',
        encoding="utf-8",
    )
    got = {r["address"]: (r["region"], r["zone"]) for r in scan_document(Path("."))["resources"]}
    assert got == {
        "aws_ebs_volume.zonal": ("eu-west-3", "eu-west-3b"),
        "aws_s3_bucket.regional": ("eu-west-3", None),
        "aws_ebs_volume.somewhere": ("eu-west-3", "unknown"),  # AWS places it by its provider; which zone is not known
    }
