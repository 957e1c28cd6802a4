"""``sovscan merge``: the JSON reports of N shard jobs combined into the report of one audit."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from scanner.cli.app import cli
from tests.support import FIXTURES, scan_document

SNAPSHOT = FIXTURES / "inventory" / "against" / "terraform-vs-snapshot" / "snapshot.json"


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    """The snapshot split in two shards (by resource), each judged on its own, plus the whole one judged."""
    folder = tmp_path_factory.mktemp("merge")
    whole = json.loads(SNAPSHOT.read_text())
    paths = {}
    for name, resources in (("shard-1", whole["resources"][:2]), ("shard-2", whole["resources"][1:])):  # hr-db is in both
        part = {**whole, "resources": resources, "errors": whole["errors"] if name == "shard-1" else []}
        (folder / f"{name}-snapshot.json").write_text(json.dumps(part))
        paths[name] = folder / f"{name}.json"
        paths[name].write_text(json.dumps(scan_document(folder / f"{name}-snapshot.json")))
    paths["whole"] = folder / "whole.json"
    paths["whole"].write_text(json.dumps(scan_document(SNAPSHOT)))
    return folder, paths


def test_merged_report_equals_one_audit_of_everything(shards):
    folder, paths = shards
    out = folder / "all.json"
    result = CliRunner().invoke(cli, ["merge", str(paths["shard-1"]), str(paths["shard-2"]), "-o", str(out)])
    assert result.exit_code == 0, result.output
    merged, whole = json.loads(out.read_text()), json.loads(paths["whole"].read_text())
    key = lambda e: json.dumps(e, sort_keys=True)  # noqa: E731
    assert sorted(map(key, merged["resources"])) == sorted(map(key, whole["resources"]))  # hr-db once
    assert sorted(map(key, merged["findings"])) == sorted(map(key, whole["findings"]))
    assert merged["errors"] == whole["errors"]
    assert merged["summary"] == whole["summary"] == {
        "resources": 4, "findings": 7, "suppressed": 0, "errors": 1, "incomplete": True, "by_severity": {"high": 5, "low": 2},
        "verdict": "non-compliant", "data_resources": 4, "data_resources_without_level": 1,
    }  # fmt: skip
    assert merged["as_of"] == whole["as_of"] == "2026-11-27"
    assert merged["policy"] == whole["policy"]


def test_merge_to_stdout_and_a_report_merged_with_itself_is_unchanged(shards):
    _, paths = shards
    result = CliRunner().invoke(cli, ["merge", str(paths["whole"]), str(paths["whole"])])
    assert result.exit_code == 0
    merged, whole = json.loads(result.output), json.loads(paths["whole"].read_text())
    assert merged["summary"] == whole["summary"]
    key = lambda e: json.dumps(e, sort_keys=True)  # noqa: E731
    assert sorted(map(key, merged["findings"])) == sorted(map(key, whole["findings"]))
    assert sorted(map(key, merged["resources"])) == sorted(map(key, whole["resources"]))


def test_snapshots_merge_into_one_snapshot(shards, tmp_path):
    folder, _ = shards
    second = json.loads((folder / "shard-2-snapshot.json").read_text())
    second.update(accounts=["444455556666"], regions={"444455556666": ["eu-west-1"]}, taken_at="2026-11-27T05:30:00Z")
    (tmp_path / "other.json").write_text(json.dumps(second))
    result = CliRunner().invoke(cli, ["merge", str(folder / "shard-1-snapshot.json"), str(tmp_path / "other.json")])
    assert result.exit_code == 0, result.output
    merged = json.loads(result.output)
    assert merged["kind"] == "sovscan-inventory"
    assert merged["accounts"] == ["111122223333", "444455556666"]
    assert merged["regions"] == {"111122223333": ["eu-west-3", "us-east-1"], "444455556666": ["eu-west-1"]}
    assert merged["taken_at"] == "2026-11-27T05:30:00Z"  # the earliest
    assert [r["address"] for r in merged["resources"]] == [
        "arn:aws:s3:::payroll-files", "arn:aws:rds:eu-west-3:111122223333:db:hr-db", "arn:aws:s3:::shadow-exports", "arn:aws:ec2:eu-west-3:111122223333:volume/vol-0abc",
    ]


def test_reports_of_different_packs_or_kinds_are_refused(shards, tmp_path):
    _, paths = shards
    other = json.loads(paths["whole"].read_text())
    other["policy"] = {"pack": "eu", "version": "2026.11"}
    (tmp_path / "eu.json").write_text(json.dumps(other))
    result = CliRunner().invoke(cli, ["merge", str(paths["whole"]), str(tmp_path / "eu.json")])
    shown = os.path.relpath(paths["whole"]) if not os.path.relpath(paths["whole"]).startswith("..") else str(paths["whole"])
    assert (result.exit_code, result.output.strip()) == (2, f"Error: {tmp_path / 'eu.json'}: judged with pack eu 2026.11, {shown} with fr-state 2026.11; merge reports of one pack and version")
    mixed = CliRunner().invoke(cli, ["merge", str(paths["whole"]), str(SNAPSHOT)])
    assert (mixed.exit_code, mixed.output.strip()) == (2, f"Error: {os.path.relpath(SNAPSHOT)}: cannot merge reports with inventory snapshots; give only one kind")
