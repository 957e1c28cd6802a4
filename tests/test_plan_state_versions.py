"""Plans and states of every Terraform that writes JSON (issue 14, items 7 and 8).

Plan JSON format_version 0.1 (Terraform 0.12, 0.13) and 0.2 (0.14, 0.15)
beside 1.x; files written as UTF-16 or UTF-8 with a BOM (PowerShell's
``terraform show -json > plan.json``); modules that inherit their provider
(a ``provider_config`` entry with only a ``module_address``, or none at all).
States of Terraform 0.12 (``provider.aws``, ``module.x.provider.aws.west``)
and 0.13 (``provider["registry.terraform.io/hashicorp/aws"]``); a folder
holding state files and no .tf is read.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli.app import cli
from tests.support import FIXTURES, ROOT, scan_document

PLAN = FIXTURES / "plans" / "format-0.1-modules-inherit-provider" / "plan.json"
PLAN_REGIONS = {
    "aws_s3_bucket.root": "eu-west-3",
    "module.logs.aws_s3_bucket.this": "eu-west-3",  # module_address only: the root's provider
    "module.logs.module.archive.aws_s3_bucket.this": "eu-west-3",  # no entry: up to the root's
    "module.us.aws_s3_bucket.this": "us-east-1",  # its own provider block
}


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def regions(doc: dict) -> dict[str, str]:
    return {r["address"]: r["region"] for r in doc["resources"]}


@pytest.mark.parametrize("version", ["0.1", "0.2", "1.2"])
def test_plans_of_every_format_version_are_read(tmp_path, version):
    plan = json.loads(PLAN.read_text(encoding="utf-8"))
    plan["format_version"] = version
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    doc = scan_document(path)
    assert regions(doc) == PLAN_REGIONS
    assert doc["errors"] == []


def test_a_plan_format_sovscan_does_not_know_is_refused_and_named(tmp_path):
    plan = json.loads(PLAN.read_text(encoding="utf-8"))
    plan["format_version"] = "2.0"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, indent=1), encoding="utf-8")
    doc = scan_document(path)
    assert [(e["line"], e["message"]) for e in doc["errors"]] == [(2, "plan format_version 2.0 is not supported (expected 0.1, 0.2 or 1.x, from terraform show -json)")]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le-bom", "utf-16-be-bom", "utf-8-sig"])
def test_plans_written_by_powershell_are_decoded(tmp_path, encoding):
    text = PLAN.read_text(encoding="utf-8")
    data = {
        "utf-16": text.encode("utf-16"),
        "utf-16-le-bom": b"\xff\xfe" + text.encode("utf-16-le"),
        "utf-16-be-bom": b"\xfe\xff" + text.encode("utf-16-be"),
        "utf-8-sig": text.encode("utf-8-sig"),
    }[encoding]
    path = tmp_path / "plan.json"
    path.write_bytes(data)
    assert regions(scan_document(path)) == PLAN_REGIONS


def test_a_utf16_inventory_export_is_decoded_too(tmp_path):
    assets = [{"name": "//storage.googleapis.com/b", "assetType": "storage.googleapis.com/Bucket", "location": "europe-west9", "labels": {}}]
    path = tmp_path / "assets.json"
    path.write_bytes(json.dumps(assets).encode("utf-16"))
    assert regions(scan_document(path)) == {"//storage.googleapis.com/b": "europe-west9"}


STATE_REGIONS = {
    "aws_s3_bucket.records": ("aws", "eu-west-3"),
    "module.replica.aws_dynamodb_table.copy": ("aws", "us-west-2"),  # from its ARN
    "google_storage_bucket.archives": ("google", "europe-west9"),
}


@pytest.mark.parametrize("version", ["0.12", "0.13"])
def test_states_of_terraform_0_12_and_0_13_map_to_their_providers(version):
    doc = scan_document(FIXTURES.relative_to(ROOT) / "state" / f"terraform-{version}-provider-names" / "terraform.tfstate")
    assert {r["address"]: (r["provider"], r["region"]) for r in doc["resources"]} == STATE_REGIONS
    assert doc["errors"] == []


def test_a_folder_holding_a_state_and_no_terraform_file_is_read():
    folder = FIXTURES.relative_to(ROOT) / "state" / "terraform-0.12-provider-names"
    result = CliRunner().invoke(cli, ["scan", str(folder), "--format", "json", "--no-cache"], catch_exceptions=False)
    doc = json.loads(result.stdout)
    assert {r["address"]: (r["provider"], r["region"]) for r in doc["resources"]} == STATE_REGIONS
    assert (result.exit_code, doc["errors"]) == (0, [])


def test_a_folder_with_neither_is_still_nothing_to_scan(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing here\n", encoding="utf-8")
    doc = scan_document(Path(tmp_path))
    assert [e["message"] for e in doc["errors"]] == ["no Terraform files (.tf, .tf.json) or state files (.tfstate) found here"]
