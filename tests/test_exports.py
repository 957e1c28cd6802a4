"""The export readers one behaviour at a time: detection by shape, line numbers in errors, the CSV and
YAML generic inventory's checks, zones and the S3NS universe of Cloud Asset Inventory."""

from __future__ import annotations

import json

import pytest

from scanner.model import Unknown
from scanner.sources.detect import detect
from scanner.sources.exports import read_azure_resource_graph, read_gcp_asset_inventory, read_generic_inventory
from scanner.sources.exports.jsonitems import items_with_lines

AZURE_ITEM = {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a", "type": "microsoft.storage/storageaccounts", "location": "francecentral", "subscriptionId": "s", "resourceGroup": "rg"}


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "document, kind",
    [
        ({"count": 0, "data": [], "skip_token": None, "total_records": 0}, "azure-resource-graph"),
        ({"count": 1, "data": [AZURE_ITEM], "total_records": 1}, "azure-resource-graph"),
        ([{"broken": True}, AZURE_ITEM], "azure-resource-graph"),  # a malformed first item does not hide the export
        ([{"name": "//storage.googleapis.com/b", "assetType": "storage.googleapis.com/Bucket"}], "gcp-asset-inventory"),
    ],
)
def test_exports_are_recognised_by_their_shape(tmp_path, document, kind):
    assert detect(write(tmp_path, "export.json", json.dumps(document))) == (kind, None, None)


def test_an_empty_list_is_not_taken_for_an_export(tmp_path):
    assert detect(write(tmp_path, "export.json", "[]")) == (None, "an empty JSON list: no resources to read (an export of nothing?)", None)


def test_an_empty_resource_graph_answer_is_read_as_nothing(tmp_path):
    read = read_azure_resource_graph(write(tmp_path, "export.json", '{"count": 0, "data": [], "skip_token": null, "total_records": 0}'), "export.json")
    assert (read.scanned, read.resources, read.errors) == (1, [], [])


def test_items_carry_the_line_they_start_on():
    text = '{\n  "count": 2,\n  "nested": {"data": [1]},\n  "data": [\n    {"a": 1},\n\n    {"b": [\n      2]}\n  ]\n}'
    assert items_with_lines(text, "data") == [(5, {"a": 1}), (7, {"b": [2]})]
    assert items_with_lines('[\n1,\n  "x"]', None) == [(2, 1), (3, "x")]
    assert items_with_lines('{"data": 3}', "data") is None


def test_azure_locations_are_normalised_and_global_is_unknown(tmp_path):
    items = [{**AZURE_ITEM, "location": "France Central"}, {**AZURE_ITEM, "id": AZURE_ITEM["id"] + "2", "location": "global"}, {**AZURE_ITEM, "id": AZURE_ITEM["id"] + "3", "location": ""}]
    read = read_azure_resource_graph(write(tmp_path, "export.json", json.dumps(items)), "export.json")
    regions = [r.region for r in read.resources]
    assert regions[0] == "francecentral"
    assert [r.reason for r in regions[1:]] == ["a global Azure resource: Resource Graph gives no single location", f"the export gives no location for {AZURE_ITEM['id']}3"]


def test_gcp_zones_become_regions_and_s3ns_names_carry_their_universe(tmp_path):
    items = [
        {"name": "//compute.googleapis.com/projects/p/zones/europe-west9-b/disks/d", "assetType": "compute.googleapis.com/Disk", "location": "europe-west9-b", "project": "projects/1"},
        {"name": "//storage.s3nsapis.fr/b", "assetType": "storage.googleapis.com/Bucket", "location": "u-france-east1", "labels": {"data_classification": "sensitive"}},
        {"name": "//storage.googleapis.com/multi", "assetType": "storage.googleapis.com/Bucket", "location": "EU"},
    ]
    read = read_gcp_asset_inventory(write(tmp_path, "assets.json", json.dumps(items, indent=1)), "assets.json")
    assert [(r.region, dict(r.hints), r.origin.line, r.origin.account) for r in read.resources] == [
        ("europe-west9", {}, 2, "projects/1"),
        ("u-france-east1", {"universe_domain": "s3nsapis.fr"}, 8, None),
        ("eu", {}, 16, None),
    ]


def test_gcp_labels_must_be_text(tmp_path):
    items = [{"name": "//storage.googleapis.com/b", "assetType": "storage.googleapis.com/Bucket", "location": "europe-west9", "labels": {"data_classification": 3}}]
    read = read_gcp_asset_inventory(write(tmp_path, "assets.json", json.dumps(items)), "assets.json")
    assert [(e.line, e.message) for e in read.errors] == [(1, 'Cloud Asset Inventory export item skipped: tag "data_classification" must have a string value, got 3')]


def test_not_valid_json_names_the_line(tmp_path):
    read = read_gcp_asset_inventory(write(tmp_path, "assets.json", '[\n{"name": "x",\n}]'), "assets.json")
    assert [(e.file, e.line, e.message) for e in read.errors] == [("assets.json", 3, "not valid JSON (Expecting property name enclosed in double quotes)")]


@pytest.mark.parametrize(
    "header, message",
    [
        ("provider,region,id,typ", "unknown column 'typ'; expected provider, id, type, region, account, endpoint, offer, tags or tag:KEY"),
        ("provider,region,id", "missing column type; a generic inventory needs provider, id and type (and region)"),
        ("provider,region,id,type,region", "column 'region' appears twice"),
        ("", "not a CSV inventory: the first row must name the columns (provider, region, id, type, tag:KEY…)"),
    ],
)
def test_csv_headers_are_checked(tmp_path, header, message):
    read = read_generic_inventory(write(tmp_path, "inventory.csv", header + "\nscaleway,fr-par,b,bucket\n"), "inventory.csv")
    assert (read.scanned, [(e.line, e.message) for e in read.errors]) == (0, [(1, message)])


def test_csv_rows_spanning_lines_keep_their_first_line(tmp_path):
    text = 'provider,region,id,type,tags\nscaleway,fr-par,"multi\nline",bucket,data_classification=internal\nscaleway,fr-par,next,bucket,\n'
    read = read_generic_inventory(write(tmp_path, "inventory.csv", text), "inventory.csv")
    assert [(r.address, r.origin.line, [(t.key, t.value) for t in r.tags]) for r in read.resources] == [("multi\nline", 2, [("data_classification", "internal")]), ("next", 4, [])]


def test_csv_row_without_region_has_an_unknown_region(tmp_path):
    read = read_generic_inventory(write(tmp_path, "inventory.csv", "provider,region,id,type\nscaleway,,b,bucket\n"), "inventory.csv")
    assert isinstance(read.resources[0].region, Unknown) and read.resources[0].region.reason == "the inventory gives no region for b"


def test_yaml_inventory_refuses_duplicate_keys_and_names_bad_entries(tmp_path):
    duplicate = read_generic_inventory(write(tmp_path, "inventory.yml", "resources:\n  - provider: scaleway\n    provider: ovh\n    id: b\n    type: bucket\n"), "inventory.yml")
    assert duplicate.scanned == 0 and [e.line for e in duplicate.errors] == [3] and "provider" in duplicate.errors[0].message
    text = "resources:\n  - {provider: scaleway, region: fr-par, id: ok, type: bucket}\n  - {provider: scaleway, regoin: fr-par, id: typo, type: bucket}\n  - just a string\n  - {provider: scaleway, id: t, type: bucket, tags: [a, b]}\n"
    read = read_generic_inventory(write(tmp_path, "inventory.yml", text), "inventory.yml")
    assert [r.address for r in read.resources] == ["ok"]
    assert [(e.line, e.message) for e in read.errors] == [
        (3, "resource skipped: unknown key 'regoin'; expected provider, id, type, region, account, endpoint, offer, tags"),
        (4, "resource skipped: expected a mapping with provider, region, id, type, tags"),
        (5, "resource skipped: 'tags' must map tag names to text values"),
    ]


def test_a_yaml_file_that_is_not_an_inventory_is_one_error(tmp_path):
    read = read_generic_inventory(write(tmp_path, "compose.yml", "services:\n  web:\n    image: nginx\n"), "compose.yml")
    assert (read.scanned, [(e.line, e.message) for e in read.errors]) == (0, [(1, "not a sovscan inventory: expected a 'resources' list of {provider, region, id, type, tags}")])
