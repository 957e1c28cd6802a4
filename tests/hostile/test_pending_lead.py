"""Hostile-input failures in code outside the parsing layer, written as tests that fail today.

Each test is ``xfail(strict=True)``: it fails now, and the day the fix lands
it passes, which makes the suite fail until the mark is removed (and the
test moved beside its kind). The report of issue 9 lists each with a
minimal reproduction and the proposed change. Battery cases whose
expected.yaml says ``pending`` run here too.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.hostile.harness import HOSTILE, load_expected, run_scan
from tests.hostile.test_battery import check_case

PENDING_CASES = sorted(p.name for p in HOSTILE.iterdir() if (p / "expected.yaml").is_file() and "pending" in load_expected(p))


@pytest.mark.parametrize(
    "name",
    [pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=load_expected(HOSTILE / name)["pending"])) for name in PENDING_CASES],
)
def test_battery_case(name: str, tmp_path: Path):
    check_case(name, tmp_path)


def test_a_fifo_does_not_hang_the_parse_cache(tmp_path: Path):
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "main.tf").write_text('provider "aws" {\n  region = "eu-west-3"\n}\n', encoding="utf-8")
    os.mkfifo(folder / "pipe.tf")
    run = run_scan(folder, timeout=8)  # the parse cache is on, as by default
    assert ("pipe.tf", None, None, "not a regular file (a named pipe); skipped") in run.errors()
