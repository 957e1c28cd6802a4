"""Every folder under fixtures/inventory/exports/ proves one case of the export readers (Azure Resource Graph,
Google Cloud Asset Inventory, the generic CSV/YAML inventory): its expected.yaml lists the exact
resources (type, provider, cloud, region, country, sensitivity, line), findings (rule, address, line)
and errors (file, line, message), read through ``sovscan scan``'s own detection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.model import Origin, Resource
from scanner.pipeline import build_report, load_policy
from scanner.report import json_report
from scanner.sources import collect
from scanner.sources.detect import detect
from scanner.sources.terraform.module.inputs import VariableOptions
from tests.support import AS_OF, FIXTURES, load_expected

CASES = sorted(p for p in (FIXTURES / "inventory" / "exports").iterdir() if (p / "expected.yaml").is_file())
LOCATE_ONLY = ("cloud", "country")  # fields that need the catalog match of an inventory API


def locate_knows_inventory_apis() -> bool:
    """Whether locate matches an inventory's API ("azure") to the catalog's detect.inventory_apis."""
    from scanner.locate import locate

    policy = load_policy(None, None, AS_OF)
    probe = Resource("probe", "microsoft.storage/storageaccounts", "azure", "francecentral", Origin(api="azure resource graph"))
    return locate(probe, policy.catalog, AS_OF).cloud == "azure"


def scan_case(case: Path, inputs: list[str]) -> dict:
    policy = load_policy(None, None, AS_OF, search_from=case)
    resources, errors = [], []
    for name in inputs:
        result = collect(case / name, VariableOptions())
        assert result.scanned == 1, result.errors
        resources += result.resources
        errors += result.errors
    return json.loads(json_report.render(build_report([str(case)], resources, errors, policy)))


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_export_fixture(case: Path, monkeypatch):
    monkeypatch.chdir(FIXTURES.parent)
    expected = load_expected(case)
    relative = case.relative_to(FIXTURES.parent)
    for name in expected["inputs"]:
        kind, problem, _ = detect(relative / name)
        assert kind in ("azure-resource-graph", "gcp-asset-inventory", "generic-inventory"), problem
    doc = scan_case(relative, expected["inputs"])
    located = expected.get("needs") != "inventory-apis" or locate_knows_inventory_apis()

    resources = {r["address"]: r for r in doc["resources"]}
    assert sorted(resources) == sorted(expected["resources"])
    for address, fields in expected["resources"].items():
        got = resources[address]
        for key, value in fields.items():
            actual = got["origin"]["line"] if key == "line" else got[key]
            if key in LOCATE_ONLY and not located:
                continue
            assert actual == value, f"{address}: {key} is {actual!r}, expected {value!r}"
        assert got["origin"]["file"] == f"{relative.as_posix()}/{Path(got['origin']['file']).name}"

    errors = sorted((Path(e["file"]).name, e["line"], e["message"]) for e in doc["errors"])
    assert errors == sorted((e["file"], e["line"], e["message"]) for e in expected.get("errors") or [])

    if not located:
        pytest.skip("cloud, country and findings need locate to match inventory APIs (the locate.py diff of the inventory report)")
    findings = sorted((f["rule"], f["address"], f["origin"]["line"]) for f in doc["findings"] if not f["suppressed"])
    assert findings == sorted((f["rule"], f["address"], f["line"]) for f in expected.get("findings") or [])
