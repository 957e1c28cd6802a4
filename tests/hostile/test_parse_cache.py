"""Hostile input against the parse cache, which reads the scanned files before the parser does."""

from __future__ import annotations

import os
from pathlib import Path

from tests.hostile.harness import run_scan


def test_a_fifo_does_not_hang_the_parse_cache(tmp_path: Path):
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "main.tf").write_text('provider "aws" {\n  region = "eu-west-3"\n}\n', encoding="utf-8")
    os.mkfifo(folder / "pipe.tf")
    run = run_scan(folder, timeout=8)  # the parse cache is on, as by default
    assert ("pipe.tf", None, None, "not a regular file (a named pipe); skipped") in run.errors()
