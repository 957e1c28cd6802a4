"""Every folder under fixtures/hostile/ is one bad input beside a good resource.

Its expected.yaml pins the exact errors (file, line, column, message), the
resources and findings that must survive, and the exit code. Each case is
scanned by the real command line in a subprocess: no traceback, every error
on one line of the text report, and the same errors in the JSON report.

What git cannot hold (symlinks, a FIFO, an unreadable or a 20 MB file, a
name with control characters, a file above the scanned root) is made in the
copy by the function ``SETUPS`` registers for the case.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.hostile.harness import HOSTILE, Run, copy_case, expected_errors, expected_findings, load_expected, run_scan, same_errors, severities


def _oversized(case: Path) -> None:
    """A 20 MB .tf, made here rather than committed."""
    line = b'# padding padding padding padding padding padding padding padding padding padding\n'
    with (case / "huge.tf").open("wb") as handle:
        for _ in range(20 * 1024 * 1024 // len(line) + 1):
            handle.write(line)


def _symlink_loops(case: Path) -> None:
    (case / "modules").mkdir()
    os.symlink(".", case / "modules" / "again")  # a folder that contains itself
    os.symlink("..", case / "modules" / "up")  # back to the scanned root
    os.symlink("self.tf", case / "self.tf")  # a link to itself
    os.symlink("pong.tf", case / "ping.tf")  # two links to each other
    os.symlink("ping.tf", case / "pong.tf")


def _symlinks_outside(case: Path) -> None:
    outside = case.parent / "outside"
    outside.mkdir()
    (outside / "secret.tf").write_text('resource "aws_s3_bucket" "outside" {\n  tags = { data_classification = "secret" }\n}\n', encoding="utf-8")
    os.symlink("../outside/secret.tf", case / "borrowed.tf")
    os.symlink("../outside", case / "shared")
    os.symlink("/etc", case / "etc")
    os.symlink("/etc/passwd", case / "passwd.tf")
    os.symlink("/etc/hostname", case / "notes.txt")  # not Terraform: none of sovscan's business


def _hostile_names(case: Path) -> None:
    """A broken file whose name holds a terminal escape and a line break."""
    (case / "evil\x1b[2J\nname.tf").write_text('resource "x" "y" {\n', encoding="utf-8")


def _a_file_above(case: Path) -> None:
    """What ``file("../outside.txt")`` would read if sovscan left the root."""
    (case.parent / "outside.txt").write_text("health-from-outside\n", encoding="utf-8")


def _unreadable(case: Path) -> None:
    locked = case / "locked.tf"
    locked.write_text('resource "aws_s3_bucket" "locked" {\n  tags = { data_classification = "health" }\n}\n', encoding="utf-8")
    locked.chmod(0)
    os.mkfifo(case / "pipe.tf")  # reading it would wait for a writer forever
    os.symlink("nowhere.tf", case / "dangling.tf")


SETUPS = {
    "hostile-file-names": _hostile_names,
    "oversized-file": _oversized,
    "remote-and-external": _a_file_above,
    "symlink-loop": _symlink_loops,
    "symlink-outside-root": _symlinks_outside,
    "unreadable-file": _unreadable,
}

CASES = sorted(p.name for p in HOSTILE.iterdir() if (p / "expected.yaml").is_file())


def _unprivileged() -> tuple[str, ...]:
    """A command prefix that makes root obey file permissions; () when not root.

    Root reads a chmod 000 file anyway (CAP_DAC_OVERRIDE); ``setpriv`` drops
    those capabilities from the bounding set, so the scan sees what a CI user
    without privileges would. Without setpriv, root cannot run this case
    honestly: test_unreadable_file_as_root says what root gets instead.
    """
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: chmod 000 cannot stop root (see test_unreadable_file_as_root)")
    return (setpriv, "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search", "--")


@pytest.mark.parametrize("name", CASES)
def test_case(name: str, tmp_path: Path):
    check_case(name, tmp_path)


def check_case(name: str, tmp_path: Path) -> None:
    """Scan the case and compare everything its expected.yaml pins."""
    case = copy_case(name, tmp_path)
    if name in SETUPS:
        SETUPS[name](case)
    expected = load_expected(case)
    wrapper = _unprivileged() if name == "unreadable-file" else ()
    run = run_scan(case, *expected.get("arguments", ()), paths=tuple(expected.get("paths", (".",))), wrapper=wrapper)

    assert "Traceback" not in run.stderr, run.stderr
    assert "\x1b" not in run.text, "a control character reached the terminal"
    _assert_pinned(run, expected)
    _assert_one_line_each(run)
    for secret in expected.get("secrets") or []:
        assert secret not in run.text + json.dumps(run.document), f"{secret} leaked into a report"


def _assert_pinned(run: Run, expected: dict) -> None:
    assert same_errors(run.errors(), expected_errors(expected)), run.errors()
    if "resources" in expected:
        assert run.resources() == sorted(expected["resources"] or [])
    if "findings" in expected:
        assert run.findings() == expected_findings(expected)
    regions = {r["address"]: r["region"] for r in run.document.get("resources", [])}
    for address, region in (expected.get("regions") or {}).items():
        assert regions[address] == region, f"{address} is in {regions[address]}"
    for finding in expected.get("findings") or []:
        if "severity" in finding:
            assert severities(run)[finding["rule"], finding["address"]] == finding["severity"]
    assert run.exit_code == expected["exit_code"], run.stderr


def _assert_one_line_each(run: Run) -> None:
    """Each problem is one line of the text report, naming its file (and line and column when known)."""
    for file, line, column, message in run.errors():
        shown = file + (f":{line}" if line else "") + (f":{column}" if line and column else "")
        assert f"  {shown}: {message}\n" in run.text
        assert "\n" not in file + message


def test_unreadable_file_as_root(tmp_path: Path):
    """Root reads a chmod 000 file: sovscan then scans it, and says nothing false about it."""
    if os.geteuid() != 0:
        pytest.skip("only root can read a chmod 000 file")
    case = copy_case("unreadable-file", tmp_path)
    _unreadable(case)
    run = run_scan(case, "--no-cache")
    assert "aws_s3_bucket.locked" in run.resources()
    assert ("locked.tf", None, None, "cannot read the file: Permission denied") not in run.errors()
    assert ("pipe.tf", None, None, "not a regular file (a named pipe); skipped") in run.errors()
