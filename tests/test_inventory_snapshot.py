"""Inventory snapshots (``--save``): what is written is what ``sovscan scan`` reads back, and a damaged
snapshot gives one error per bad entry, naming the line."""

from __future__ import annotations

import json

from scanner.model import DataCopy, Origin, Resource, ScanError, Tag, Unknown
from scanner.sources.aws.audit import Inventory
from scanner.sources.detect import detect
from scanner.sources.snapshot import read_snapshot, render

ACCOUNT = "111122223333"


def inventory() -> Inventory:
    found = Inventory("aws", "aws", shard="2/4", covered=1)
    tag_origin = Origin(account=ACCOUNT, api="tagging:GetResources")
    found.resources = [
        Resource(
            "arn:aws:s3:::payroll", "s3:bucket", "aws", "eu-west-3", Origin(account=ACCOUNT, api="s3:ListBuckets"),
            tags=(Tag("data_classification", "sensitive", tag_origin, via="inventory"),),
            copies=(DataCopy("s3-replication", "aws", Unknown("the location of arn:aws:s3:::far was not read"), {"destination": "arn:aws:s3:::far"}, Origin(account=ACCOUNT, api="s3 replication rule r to arn:aws:s3:::far")),),
        ),
        Resource("arn:aws:cloudfront::111122223333:distribution/E1", "cloudfront:distribution", "aws", Unknown("a global resource"), Origin(account=ACCOUNT, api="tagging:GetResources"), tags_complete=Unknown("the Resource Groups Tagging API failed")),
        Resource("arn:aws:ec2:eu-west-3:111122223333:security-group/sg-1", "ec2:security-group", "aws", "eu-west-3", Origin(account=ACCOUNT, api="tagging:GetResources"), holds_data=False),
    ]
    found.errors = [ScanError(f"aws:{ACCOUNT}:eu-central-1", None, "every listing failed (access denied)")]
    found.regions = {ACCOUNT: ["eu-west-3"]}
    found.skipped = [(ACCOUNT, "ap-east-1", "opt-in status not-opted-in")]
    return found


def test_a_snapshot_reads_back_into_the_same_resources(tmp_path):
    original = inventory()
    path = tmp_path / "snapshot.json"
    path.write_text(render(original, "2026-11-27T06:00:00Z"))
    assert detect(path) == ("sovscan-inventory", None, None)
    document = json.loads(path.read_text())
    assert (document["taken_at"], document["shard"], document["accounts"], document["skipped"]) == (
        "2026-11-27T06:00:00Z", "2/4", [ACCOUNT], [{"account": ACCOUNT, "region": "ap-east-1", "reason": "opt-in status not-opted-in"}],
    )
    read = read_snapshot(path, "snapshot.json")
    assert read.scanned == 1
    assert read.resources == original.resources
    assert read.errors == original.errors


def test_damaged_entries_are_skipped_one_error_each(tmp_path):
    document = json.loads(render(inventory(), "2026-11-27T06:00:00Z"))
    document["resources"][0]["tags"] = ["data_classification=sensitive"]
    del document["resources"][1]["address"]
    document["resources"][2]["copies"] = [{"kind": "s3-replication"}]
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(document, indent=2))
    lines = path.read_text().splitlines()
    first = lines.index('  "resources": [')
    starts = [i + 1 for i, line in enumerate(lines) if i > first and line == "    {"][:3]  # the three resource entries
    read = read_snapshot(path, "snapshot.json")
    assert read.resources == []
    assert [(e.line, e.message) for e in read.errors[:3]] == [
        (starts[0], 'resource entry skipped: arn:aws:s3:::payroll: "tags" must map strings to strings'),
        (starts[1], 'resource entry skipped: "address" must be a non-empty string, got null'),
        (starts[2], 'resource entry skipped: arn:aws:ec2:eu-west-3:111122223333:security-group/sg-1: copy: "provider" must be a non-empty string, got null'),
    ]


def test_a_snapshot_of_another_version_or_not_json_is_one_error(tmp_path):
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({"kind": "sovscan-inventory", "schema_version": 2, "resources": []}))
    read = read_snapshot(newer, "newer.json")
    assert (read.scanned, [(e.file, e.line, e.message) for e in read.errors]) == (0, [("newer.json", None, "snapshot schema_version 2 is not supported by this sovscan (it reads version 1)")])
    broken = tmp_path / "broken.json"
    broken.write_text('{"kind": "sovscan-inventory",\n')
    read = read_snapshot(broken, "broken.json")
    assert [(e.line, e.message) for e in read.errors] == [(2, "not valid JSON (Expecting property name enclosed in double quotes)")]
