"""Run sovscan on a hostile case the way a user does, and read back what it said.

Every case is copied to a temporary folder (so the test can add what git
cannot hold: symlinks, FIFOs, unreadable or huge files) and scanned by the
real command line in a subprocess, from inside the case folder, so file
names in the report are the paths a user sees.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "fixtures" / "hostile"


@dataclass(frozen=True)
class Run:
    """What one ``sovscan scan`` printed and returned."""

    exit_code: int
    document: dict[str, Any]
    text: str
    stderr: str

    def errors(self) -> list[tuple[str, int | None, int | None, str]]:
        """Input problems as (file, line, column, message), leaving out sovscan's own policy files."""
        return sorted(
            (e["file"], e["line"], e.get("column"), e["message"])
            for e in self.document.get("errors", [])
            if not _is_policy_file(e["file"])
        )

    def resources(self) -> list[str]:
        return sorted(r["address"] for r in self.document.get("resources", []))

    def findings(self) -> list[tuple[str, str, str, int]]:
        return sorted(
            (f["rule"], f["address"], f["origin"].get("file"), f["origin"].get("line"))
            for f in self.document.get("findings", [])
            if not f["suppressed"]
        )


def _is_policy_file(file: str | None) -> bool:
    return bool(file) and (file.startswith("policies/") or "/policies/" in file)


def copy_case(name: str, destination: Path) -> Path:
    """The fixture folder ``name``, copied under ``destination``; its symlinks stay symlinks.

    The copy is a repository of its own (an empty ``.git`` folder, as in a CI
    checkout): the boundary module sources and file() may not leave.
    """
    target = destination / name
    shutil.copytree(HOSTILE / name, target, symlinks=True)
    (target / ".git").mkdir(exist_ok=True)
    return target


def run_scan(folder: Path, *args: str, paths: tuple[str, ...] = (".",), wrapper: tuple[str, ...] = (), timeout: float = 120) -> Run:
    """``sovscan scan PATHS ARGS`` from inside ``folder``: the JSON report, the text report, stderr, exit code."""
    report = folder.parent / f"{folder.name}.report.json"
    report.unlink(missing_ok=True)
    command = [*wrapper, sys.executable, "-m", "scanner", "scan", *paths, "--format", "text", "--format", "json", "-o", f"json={report}", *args]
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=timeout, env=_environment())
    try:
        document = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        document = {}  # the command died before writing its report: the exit code and stderr say why
    return Run(done.returncode, document, done.stdout, done.stderr)


def run_cli(folder: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Any sovscan command from inside ``folder``."""
    return subprocess.run([sys.executable, "-m", "scanner", *args], cwd=folder, capture_output=True, text=True, timeout=timeout, env=_environment())


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["NO_COLOR"] = "1"
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def load_expected(case: Path) -> dict[str, Any]:
    return yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8")) or {}


def expected_errors(expected: dict[str, Any]) -> list[tuple[str, int | None, int | None, str]]:
    return sorted((e["file"], e.get("line"), e.get("column"), e["message"]) for e in expected.get("errors") or [])


def same_errors(got: list[tuple], want: list[tuple]) -> bool:
    """Equal, except that a wanted message ending in "…" only has to start the message got."""
    if len(got) != len(want):
        return False
    for (gf, gl, gc, gm), (wf, wl, wc, wm) in zip(got, want, strict=False):
        message_ok = gm.startswith(wm[:-1]) if wm.endswith("…") else gm == wm
        if (gf, gl, gc) != (wf, wl, wc) or not message_ok:
            return False
    return True


def severities(run: Run) -> dict[tuple[str, str], str]:
    return {(f["rule"], f["address"]): f["severity"] for f in run.document.get("findings", [])}


def expected_findings(expected: dict[str, Any]) -> list[tuple[str, str, str, int]]:
    return sorted((f["rule"], f["address"], f["file"], f["line"]) for f in expected.get("findings") or [])
