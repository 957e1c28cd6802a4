"""Plan JSON and state files: resources, regions from recorded values or provider configuration,
origins mapped back to the .tf files beside them, and no secret in any output."""

from __future__ import annotations

import json

import pytest

from tests.support import FIXTURES, ROOT, finding_keys, scan_document


@pytest.fixture(autouse=True)
def _repo_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def resources(doc):
    return {r["address"]: r for r in doc["resources"]}


def test_plan_regions_come_from_the_provider_each_module_resource_uses():
    doc = scan_document(FIXTURES.relative_to(ROOT) / "plans/module-alias/plan.json")
    got = resources(doc)
    assert sorted(got) == [
        "aws_s3_bucket.payroll",
        "module.store.aws_dynamodb_table.events[0]",
        "module.store.aws_dynamodb_table.events[1]",
    ]
    payroll = got["aws_s3_bucket.payroll"]
    assert (payroll["region"], payroll["country"], payroll["sensitivity"], payroll["workload"]) == ("eu-west-3", "FR", "sensitive", "payroll")
    assert payroll["origin"] == {"file": "fixtures/plans/module-alias/main.tf", "line": 22}
    events = got["module.store.aws_dynamodb_table.events[1]"]
    assert (events["region"], events["country"]) == ("us-east-1", "US")
    assert events["origin"] == {"file": "fixtures/plans/module-alias/store/main.tf", "line": 1}
    assert finding_keys(doc) == sorted([
        ("sensitive-data-exposed-to-foreign-law", "aws_s3_bucket.payroll", 22),
        ("sensitive-data-without-secnumcloud", "aws_s3_bucket.payroll", 22),
        ("personal-data-exposed-to-foreign-law", "module.store.aws_dynamodb_table.events[0]", 1),
        ("personal-data-outside-eea", "module.store.aws_dynamodb_table.events[0]", 1),
        ("personal-data-exposed-to-foreign-law", "module.store.aws_dynamodb_table.events[1]", 1),
        ("personal-data-outside-eea", "module.store.aws_dynamodb_table.events[1]", 1),
    ])


def test_a_region_the_plan_does_not_resolve_stays_unknown(tmp_path):
    plan = json.loads((FIXTURES / "plans/module-alias/plan.json").read_text())
    del plan["variables"]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    got = resources(scan_document(path))
    assert got["aws_s3_bucket.payroll"]["region"] == "unknown"
    assert "var.region" in got["aws_s3_bucket.payroll"]["region_unknown_reason"]


def test_state_regions_come_from_recorded_values_and_arns():
    doc = scan_document(FIXTURES.relative_to(ROOT) / "state/v4-with-modules/terraform.tfstate")
    got = resources(doc)
    assert sorted(got) == [
        "aws_db_instance.citizens",
        "aws_s3_bucket.no_region_recorded",
        'module.files.google_storage_bucket.docs["archive"]',
        'module.files.google_storage_bucket.docs["public"]',
    ]
    assert (got["aws_db_instance.citizens"]["region"], got["aws_db_instance.citizens"]["country"]) == ("eu-central-2", "CH")
    assert got['module.files.google_storage_bucket.docs["archive"]']["region"] == "europe-west9"
    assert got["aws_s3_bucket.no_region_recorded"]["region"] == "unknown"
    assert ("sensitive-data-without-secnumcloud", 'module.files.google_storage_bucket.docs["archive"]', None) in [
        (f["rule"], f["address"], f["origin"]["line"]) for f in doc["findings"]
    ]


def test_no_secret_from_the_state_reaches_the_report():
    doc = scan_document(FIXTURES.relative_to(ROOT) / "state/v4-with-modules/terraform.tfstate")
    assert "hunter2" not in json.dumps(doc)


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"format_version": "2.0", "planned_values": {"root_module": {}}}', "plan format_version 2.0 is not supported"),
        ('{"format_version": "1.2", "planned_values": {}}', "no planned_values.root_module"),
        ('{"version": 3, "terraform_version": "0.11.0", "resources": []}', "state version 3 is not supported"),
        ('{"format_version": "1.2", "planned_values": {"root_module": ', "not valid JSON"),
    ],
)
def test_broken_plans_and_states_are_one_clear_error(tmp_path, content, message):
    path = tmp_path / "input.json"
    path.write_text(content)
    doc = scan_document(path)
    assert doc["resources"] == []
    assert len(doc["errors"]) == 1 and message in doc["errors"][0]["message"], doc["errors"]
