"""Every folder under fixtures/terraform/ proves one case: its expected.yaml lists the exact
resources (provider, cloud, region, country, sensitivity…) and findings (rule, address, line),
and optionally the report's verdict. Every report is also checked against the published JSON
Schema (tests/support.py, scan_document)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import FIXTURES, finding_keys, load_expected, scan_document

CASES = sorted(p for p in (FIXTURES / "terraform").iterdir() if (p / "expected.yaml").is_file())


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_fixture(case: Path, monkeypatch):
    monkeypatch.chdir(case.parent.parent.parent)
    expected = load_expected(case)
    doc = scan_document(case.relative_to(case.parent.parent.parent), **expected.get("options", {}))

    resources = {r["address"]: r for r in doc["resources"]}
    assert sorted(resources) == sorted(expected.get("resources", {})), "resources differ"
    for address, fields in expected.get("resources", {}).items():
        for key, value in fields.items():
            assert resources[address][key] == value, f"{address}: {key} is {resources[address][key]!r}, expected {value!r}"

    want = sorted((f["rule"], f["address"], f["line"]) for f in expected.get("findings") or [])
    assert finding_keys(doc) == want

    if "verdict" in expected:
        assert doc["summary"]["verdict"] == expected["verdict"]

    want_errors = sorted((e["file"], e.get("line"), e["message"]) for e in expected.get("errors") or [])
    got_errors = sorted((e["file"], e["line"], e["message"]) for e in doc["errors"])
    assert len(got_errors) == len(want_errors), f"errors: {got_errors}"
    for (gf, gl, gm), (wf, wl, wm) in zip(got_errors, want_errors, strict=False):
        assert gf.endswith(wf) and gl == wl and wm in gm, (gf, gl, gm)
