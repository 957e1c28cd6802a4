"""Helpers shared by the tests: run the real pipeline on a folder and return the JSON document."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import yaml

from scanner.model import Report
from scanner.pipeline import build_report, load_policy
from scanner.report import json_report
from scanner.sources import collect
from scanner.sources.terraform.module.inputs import VariableOptions

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
AS_OF = "2026-11-27"


# The published JSON Schema of the report, read from the installed package as a user's tool would.
REPORT_SCHEMA = json.loads((resources.files("scanner.report") / json_report.SCHEMA_FILE).read_text(encoding="utf-8"))
REPORT_VALIDATOR = jsonschema.Draft202012Validator(REPORT_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def scan_report(
    path: Path,
    *,
    var_files=(),
    variables=(),
    environment=None,
    config: Path | None = None,
    pack: str | None = None,
    as_of: str = AS_OF,
    repo_root: Path | None = None,
) -> Report:
    """The real pipeline (collect, classify, locate, evaluate) on ``path``, as the CLI runs it (inputs read outside listed)."""
    policy = load_policy(config, pack, as_of, search_from=path)
    result = collect(path, VariableOptions(tuple(Path(f) for f in var_files), tuple(variables), environment or {}), repo_root=repo_root)
    inputs = [str(path)] + sorted(result.read_outside)
    return build_report(inputs, result.resources, result.errors, policy, uncalled=result.uncalled)


def scan_document(path: Path, **options) -> dict:
    """The JSON report of ``scan_report``, checked against the published schema."""
    document = json.loads(json_report.render(scan_report(path, **options)))
    REPORT_VALIDATOR.validate(document)
    return document


def load_expected(case: Path) -> dict:
    return yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8")) or {}


def finding_keys(doc: dict) -> list[tuple[str, str, int]]:
    return sorted((f["rule"], f["address"], f["origin"]["line"]) for f in doc["findings"] if not f["suppressed"])
