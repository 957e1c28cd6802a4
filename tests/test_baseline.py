"""Baselines: --create-baseline accepts today's findings, --baseline then reports only new ones."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from scanner.cli.app import cli
from tests.support import ROOT


def _repo(tmp_path: Path, fixture: str) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / fixture, repo)
    (repo / ".git").mkdir()  # the repository root: paths in the baseline are relative to it
    return repo


def _scan(monkeypatch, repo: Path, *args: str):
    monkeypatch.chdir(repo)
    return CliRunner().invoke(cli, ["scan", ".", *args], catch_exceptions=False)


def test_create_then_use_a_baseline(monkeypatch, tmp_path):
    repo = _repo(tmp_path, "fixtures/demo")
    created = _scan(monkeypatch, repo, "--create-baseline", "sovscan-baseline.json", "--format", "json")
    assert created.exit_code == 0  # what the baseline accepts no longer fails the run
    assert "sovscan: wrote the baseline sovscan-baseline.json (11 findings accepted)" in created.stderr
    document = json.loads((repo / "sovscan-baseline.json").read_text(encoding="utf-8"))
    assert document["kind"] == "sovscan-baseline" and document["version"] == 1
    assert document["findings"][:2] == [
        {"rule": "personal-data-exposed-to-foreign-law", "address": "aws_dynamodb_table.analytics", "root": ".", "file": "main.tf"},
        {"rule": "personal-data-outside-eea", "address": "aws_dynamodb_table.analytics", "root": ".", "file": "main.tf"},
    ]
    assert [(f["rule"], f["address"]) for f in document["findings"]] == [
        ("personal-data-exposed-to-foreign-law", "aws_dynamodb_table.analytics"),
        ("personal-data-outside-eea", "aws_dynamodb_table.analytics"),
        ("sensitive-data-exposed-to-foreign-law", "aws_lambda_function.payslips"),
        ("sensitive-data-exposed-to-foreign-law", "aws_s3_bucket.payroll"),
        ("sensitive-data-exposed-to-foreign-law", "azurerm_storage_account.records"),
        ("sensitive-data-hosting-unverified", "azurerm_storage_account.records"),
        ("sensitive-data-hosting-unverified", "outscale_volume.archives"),
        ("sensitive-data-without-secnumcloud", "aws_lambda_function.payslips"),
        ("sensitive-data-without-secnumcloud", "aws_s3_bucket.payroll"),
        ("sensitive-data-without-secnumcloud", "azurerm_storage_account.records"),
        ("unclassified-resource", "scaleway_object_bucket.scratch"),
    ]

    again = _scan(monkeypatch, repo, "--baseline", "sovscan-baseline.json", "--format", "json")
    assert again.exit_code == 0
    doc = json.loads(again.stdout)
    assert all(f["suppressed"] and f["suppression"]["kind"] == "baseline" for f in doc["findings"])
    assert doc["findings"][0]["suppression"] == {"kind": "baseline", "reason": "accepted in the baseline sovscan-baseline.json", "until": None, "approver": None, "file": "sovscan-baseline.json", "line": None}

    # a new resource: only its finding counts
    main = repo / "main.tf"
    main.write_text(main.read_text(encoding="utf-8") + '\nresource "aws_s3_bucket" "new" {\n  tags = { data_classification = "sensitive" }\n}\n', encoding="utf-8")
    new = _scan(monkeypatch, repo, "--baseline", "sovscan-baseline.json", "--format", "json")
    assert new.exit_code == 1
    active = [(f["rule"], f["address"], f["origin"]["line"]) for f in json.loads(new.stdout)["findings"] if not f["suppressed"]]
    assert active == [
        ("sensitive-data-exposed-to-foreign-law", "aws_s3_bucket.new", 111),
        ("sensitive-data-without-secnumcloud", "aws_s3_bucket.new", 111),
    ]


def test_the_same_address_in_another_root_module_is_new(monkeypatch, tmp_path):
    repo = _repo(tmp_path, "fixtures/terraform/baseline-two-roots")
    staging = tmp_path / "staging"
    shutil.move(repo / "envs" / "staging", staging)  # at first, only prod exists
    assert _scan(monkeypatch, repo, "--create-baseline", "base.json").exit_code == 0
    keys = json.loads((repo / "base.json").read_text(encoding="utf-8"))["findings"]
    assert keys == [
        {"rule": "sensitive-data-exposed-to-foreign-law", "address": "module.store.aws_s3_bucket.files", "root": "envs/prod", "file": "modules/store/main.tf"},
        {"rule": "sensitive-data-without-secnumcloud", "address": "module.store.aws_s3_bucket.files", "root": "envs/prod", "file": "modules/store/main.tf"},
    ]
    shutil.move(staging, repo / "envs" / "staging")
    result = _scan(monkeypatch, repo, "--baseline", "base.json", "--format", "csv")
    assert result.exit_code == 1
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["rule"], r["root"], r["suppressed"]) for r in rows] == [
        ("sensitive-data-exposed-to-foreign-law", "envs/prod", "true"),
        ("sensitive-data-exposed-to-foreign-law", "envs/staging", "false"),
        ("sensitive-data-without-secnumcloud", "envs/prod", "true"),
        ("sensitive-data-without-secnumcloud", "envs/staging", "false"),
    ]


def test_keys_survive_moved_lines(monkeypatch, tmp_path):
    repo = _repo(tmp_path, "fixtures/demo")
    _scan(monkeypatch, repo, "--create-baseline", "base.json")
    main = repo / "main.tf"
    main.write_text("# moved\n\n" + main.read_text(encoding="utf-8"), encoding="utf-8")
    assert _scan(monkeypatch, repo, "--baseline", "base.json").exit_code == 0


def test_baseline_is_deterministic(monkeypatch, tmp_path):
    repo = _repo(tmp_path, "fixtures/demo")
    _scan(monkeypatch, repo, "--create-baseline", "a.json")
    _scan(monkeypatch, repo, "--create-baseline", "b.json")
    assert (repo / "a.json").read_bytes() == (repo / "b.json").read_bytes()


def test_a_bad_baseline_is_a_usage_error(monkeypatch, tmp_path):
    repo = _repo(tmp_path, "fixtures/demo")
    (repo / "bad.json").write_text('{"kind": "something-else"}', encoding="utf-8")
    result = _scan(monkeypatch, repo, "--baseline", "bad.json")
    assert result.exit_code == 2
    assert 'bad.json: not a sovscan baseline (expected "kind": "sovscan-baseline"; write one with --create-baseline)' in result.stderr
    (repo / "broken.json").write_text("{", encoding="utf-8")
    result = _scan(monkeypatch, repo, "--baseline", "broken.json")
    assert result.exit_code == 2 and "broken.json: not a sovscan baseline (invalid JSON" in result.stderr
    missing = _scan(monkeypatch, repo, "--baseline", "missing.json")
    assert missing.exit_code == 2 and "missing.json" in missing.stderr
