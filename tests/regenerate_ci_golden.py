"""Golden files of the CI output formats, for the demo and the suppression fixture.

Regenerate them after an intended change, then review the diff:

    .venv/bin/python -m tests.regenerate_ci_golden

Each file is exactly what ``sovscan scan CASE --format FORMAT`` writes from
the repository root, on the pinned date the tests use (all formats of a case
come from one run with ``--output FORMAT=FILE``, which must not change them).
The GitLab security report records when the scan ran: ``SOURCE_DATE_EPOCH``
pins that clock to midnight of the same date.
"""

from __future__ import annotations

import datetime
import functools
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "ci"
TODAY = "2026-11-27"  # the date tests/conftest.py pins
SCAN_EPOCH = str(int(datetime.datetime.fromisoformat(TODAY).replace(tzinfo=datetime.UTC).timestamp()))

CASES = {
    "demo": ("fixtures/demo",),
    "suppress-exceptions": ("fixtures/terraform/suppress-exceptions",),
}
# format -> golden file suffix (no bare .sarif: .gitignore ignores *.sarif)
SUFFIXES = {
    "text": "txt",
    "json": "json",
    "sarif": "sarif.json",
    "junit": "junit.xml",
    "markdown": "md",
    "csv": "csv",
    "gitlab": "gitlab.json",
    "gitlab-sast": "gitlab-sast.json",
}


def golden_path(case: str, fmt: str) -> Path:
    return GOLDEN / f"{case}.{SUFFIXES[fmt]}"


def render(case: str, fmt: str) -> tuple[int, str]:
    """(exit code, output) of ``sovscan scan CASE --format FORMAT``, from the repository root."""
    code, outputs = render_all(case)
    return code, outputs[fmt]


@functools.cache
def render_all(case: str) -> tuple[int, dict[str, str]]:
    """Every format of one case from a single in-process scan: text on stdout, the others to files."""
    from click.testing import CliRunner

    from scanner.cli.app import cli

    previous = Path.cwd()
    with tempfile.TemporaryDirectory() as folder:
        files = {fmt: Path(folder) / f"out.{suffix}" for fmt, suffix in SUFFIXES.items() if fmt != "text"}
        args = ["scan", *CASES[case], "--format", "text"]
        for fmt, file in files.items():
            args += ["--output", f"{fmt}={file}"]
        os.chdir(ROOT)
        clock = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = SCAN_EPOCH
        try:
            result = CliRunner().invoke(cli, args, catch_exceptions=False)
        finally:
            os.chdir(previous)
            if clock is None:
                del os.environ["SOURCE_DATE_EPOCH"]
            else:
                os.environ["SOURCE_DATE_EPOCH"] = clock
        outputs = {fmt: file.read_text(encoding="utf-8") for fmt, file in files.items()}
    outputs["text"] = result.stdout
    return result.exit_code, outputs


def main() -> int:
    os.environ["SOVSCAN_TODAY"] = TODAY
    os.environ.setdefault("SOVSCAN_CACHE_DIR", "")
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        for fmt in SUFFIXES:
            code, text = render(case, fmt)
            golden_path(case, fmt).write_text(text, encoding="utf-8")
            print(f"{golden_path(case, fmt).relative_to(ROOT)} (exit {code})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
