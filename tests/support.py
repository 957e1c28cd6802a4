"""Helpers shared by the tests: run the real pipeline on a folder and return the JSON document."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from scanner.pipeline import build_report, load_policy
from scanner.report import json_report
from scanner.sources import collect
from scanner.sources.terraform.module.inputs import VariableOptions

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
AS_OF = "2026-11-27"


def scan_document(
    path: Path,
    *,
    var_files=(),
    variables=(),
    environment=None,
    config: Path | None = None,
    pack: str | None = None,
    as_of: str = AS_OF,
    repo_root: Path | None = None,
) -> dict:
    """The JSON report of a scan of ``path``, as ``sovscan scan`` builds it (inputs read outside listed)."""
    policy = load_policy(config, pack, as_of, search_from=path)
    result = collect(path, VariableOptions(tuple(Path(f) for f in var_files), tuple(variables), environment or {}), repo_root=repo_root)
    inputs = [str(path)] + sorted(result.read_outside)
    report = build_report(inputs, result.resources, result.errors, policy, uncalled=result.uncalled)
    return json.loads(json_report.render(report))


def load_expected(case: Path) -> dict:
    return yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8")) or {}


def finding_keys(doc: dict) -> list[tuple[str, str, int]]:
    return sorted((f["rule"], f["address"], f["origin"]["line"]) for f in doc["findings"] if not f["suppressed"])
