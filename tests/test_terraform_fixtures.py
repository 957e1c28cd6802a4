"""Every folder under fixtures/terraform/ proves one case: its expected.yaml lists the exact
resources (provider, cloud, region, zone, country, sensitivity…), findings (rule, address, line)
and input problems (file, line, message, kind).

Options of expected.yaml: ``options`` (var_files, variables, environment, config, pack) as the
scan takes them; ``cd`` runs the scan from that folder of the case (``cd envs/prod && sovscan
scan .``); ``uncalled`` the module folders listed as not judged; ``inputs`` what the report lists
as read (the scanned folder, then what was read outside it); ``exit`` the exit code of the real
``sovscan scan`` (run through the CLI, with ``args``); ``verdict`` the report's verdict. Every report
is also checked against the published JSON Schema (tests/support.py, scan_document).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli.app import cli
from tests.support import FIXTURES, finding_keys, load_expected, scan_document

CASES = sorted(p for p in (FIXTURES / "terraform").iterdir() if (p / "expected.yaml").is_file())


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_fixture(case: Path, monkeypatch):
    expected = load_expected(case)
    if expected.get("cd"):
        monkeypatch.chdir(case / expected["cd"])
        target = Path(".")
    else:
        monkeypatch.chdir(case.parent.parent.parent)
        target = case.relative_to(case.parent.parent.parent)
    doc = scan_document(target, **expected.get("options", {}))

    resources = {r["address"]: r for r in doc["resources"]}
    assert sorted(resources) == sorted(expected.get("resources", {})), "resources differ"
    for address, fields in expected.get("resources", {}).items():
        for key, value in fields.items():
            assert resources[address][key] == value, f"{address}: {key} is {resources[address][key]!r}, expected {value!r}"

    want = sorted((f["rule"], f["address"], f["line"]) for f in expected.get("findings") or [])
    assert finding_keys(doc) == want

    if "verdict" in expected:
        assert doc["summary"]["verdict"] == expected["verdict"]

    want_errors = sorted((e["file"], e.get("line"), e["message"], e.get("kind")) for e in expected.get("errors") or [])
    got_errors = sorted((e["file"], e["line"], e["message"], e["kind"]) for e in doc["errors"])
    assert len(got_errors) == len(want_errors), f"errors: {got_errors}"
    for (gf, gl, gm, gk), (wf, wl, wm, wk) in zip(got_errors, want_errors, strict=True):
        assert gf.endswith(wf) and gl == wl and wm in gm and wk in (None, gk), (gf, gl, gm, gk)

    if "uncalled" in expected:
        assert doc["uncalled_modules"] == expected["uncalled"]
    if "inputs" in expected:
        assert doc["inputs"][1:] == expected["inputs"], doc["inputs"]
    if "exit" in expected:
        args = [str(target), "--format", "json", "--no-cache", *expected.get("args", [])]
        result = CliRunner().invoke(cli, ["scan", *args], catch_exceptions=False, env=dict(os.environ))
        assert result.exit_code == expected["exit"], result.output[-2000:]
