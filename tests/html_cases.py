"""Saved JSON reports of real scans, for the audit report tests: what `sovscan scan FOLDER --format json` writes."""

from __future__ import annotations

import copy
import functools
import json
import os
import tempfile
from pathlib import Path

from tests.support import ROOT


@functools.cache
def _scanned(folder: str) -> str:
    from click.testing import CliRunner

    from scanner.cli.app import cli

    previous = Path.cwd()
    os.chdir(ROOT)  # paths in the report relative to the repository root, as the CLI shows them
    try:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "report.json"
            CliRunner().invoke(cli, ["scan", folder, "--format", "json", "--output", str(out)], catch_exceptions=False)
            return out.read_text(encoding="utf-8")
    finally:
        os.chdir(previous)


def scanned(folder: str) -> dict:
    """A fresh copy of the JSON document of one scan (tests may change it)."""
    return copy.deepcopy(json.loads(_scanned(folder)))


DEMO = "fixtures/demo"
SUPPRESS = "fixtures/terraform/suppress-exceptions"
UNKNOWN_REGION = "fixtures/terraform/unknown-region-unset-variable"
COPIES = "fixtures/terraform/copies-dynamodb-rds-kms-backup"
TWO_ROOTS = "fixtures/terraform/baseline-two-roots"
NOT_DOWNLOADED = "fixtures/terraform/registry-module-not-downloaded"
