"""The command line facing bad usage: exit code 2 with one line, never a traceback unless --debug asks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile.harness import ROOT, _environment, copy_case, run_cli, run_scan


@pytest.mark.parametrize(
    "value, shown",
    [
        ("novalue", "'novalue'"),
        ("=eu-west-3", "'=eu-west-3'"),
        ("my region=eu-west-3", "'my region=eu-west-3'"),
        ("", "''"),
        ("reg\nion=eu-west-3", "'reg\\nion=eu-west-3'"),
    ],
)
def test_a_malformed_var_is_a_usage_error_on_one_line(value: str, shown: str, tmp_path: Path):
    case = copy_case("binary-file", tmp_path)
    done = run_cli(case, "scan", ".", "--var", value)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == f"Error: --var {shown}: expected NAME=VALUE\n"


def test_a_var_of_a_complex_type_that_does_not_parse_is_an_input_error(tmp_path: Path):
    """NAME=VALUE is well formed, the value is not HCL: the scan goes on and says where it came from."""
    case = copy_case("binary-file", tmp_path)
    (case / "variables.tf").write_text('variable "owners" {\n  type = map(string)\n}\n', encoding="utf-8")
    run = run_scan(case, "--var", "owners={ team = ")
    assert run.exit_code == 1
    assert ("--var owners", None, None, "value of owners is not a valid expression: syntax error: this '{' is never closed") in run.errors()
    assert "Traceback" not in run.stderr


def test_a_missing_var_file_is_one_error_and_the_scan_goes_on(tmp_path: Path):
    case = copy_case("binary-file", tmp_path)
    run = run_scan(case, "--var-file", "missing.tfvars")
    assert ("missing.tfvars", None, None, "--var-file: no such file") in run.errors()
    assert run.exit_code == 1


@pytest.mark.parametrize("target", ["does-not-exist", "empty-folder"])
def test_nothing_to_scan_exits_2_without_a_traceback(target: str, tmp_path: Path):
    (tmp_path / "empty-folder").mkdir()
    run = run_scan(tmp_path, paths=(target,))
    assert run.exit_code == 2
    assert "Traceback" not in run.stderr
    assert [e[0] for e in run.errors()] == [target]


INTERNAL_ERROR = """
import scanner.pipeline
def broken(*args, **kwargs):
    raise ZeroDivisionError("a planted bug")
scanner.pipeline.build_report = broken
from scanner.cli.app import main
main({args!r}, prog_name="sovscan")
"""


def _run_with_a_bug(folder: Path, *args: str) -> subprocess.CompletedProcess:
    script = INTERNAL_ERROR.format(args=list(args))
    return subprocess.run([sys.executable, "-c", script], cwd=folder, capture_output=True, text=True, timeout=120, env=_environment())


def test_an_internal_error_is_a_short_bug_report_without_traceback(tmp_path: Path):
    case = copy_case("binary-file", tmp_path)
    done = _run_with_a_bug(case, "scan", ".")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[0] == "sovscan: internal error: ZeroDivisionError: a planted bug"
    assert "--debug shows the traceback" in done.stderr


def test_debug_shows_the_traceback_of_an_internal_error(tmp_path: Path):
    case = copy_case("binary-file", tmp_path)
    done = _run_with_a_bug(case, "--debug", "scan", ".")
    assert done.returncode != 0
    assert "Traceback (most recent call last)" in done.stderr
    assert "ZeroDivisionError: a planted bug" in done.stderr


def test_the_demo_scans_without_a_traceback():
    done = run_cli(ROOT, "scan", "fixtures/demo")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr


DEEP = "[" * 100_000 + "]" * 100_000  # json.loads raises RecursionError, not ValueError, on this


@pytest.mark.parametrize(
    "command, error",
    [
        (("diff", "deep.json", "deep.json"), "Error: deep.json: not valid JSON (nested too deeply to read)\n"),
        (("merge", "deep.json"), "Error: deep.json: not valid JSON (nested too deeply to read)\n"),
        (("report", "deep.json"), "Error: deep.json: not valid JSON: nested too deeply to read\n"),
        (("scan", "demo", "--baseline", "deep.json"), "Error: deep.json: not a sovscan baseline (invalid JSON: nested too deeply to read)\n"),
    ],
)
def test_json_nested_too_deeply_is_one_line_in_every_command_that_reads_saved_json(command: tuple[str, ...], error: str, tmp_path: Path):
    (tmp_path / "deep.json").write_text(DEEP, encoding="utf-8")
    shutil.copytree(ROOT / "fixtures" / "demo", tmp_path / "demo")
    done = run_cli(tmp_path, *command)
    assert (done.returncode, done.stderr) == (2, error)


MESSAGES = {
    "plan.json": "not valid JSON (nested too deeply to read)",
    "terraform.tfstate": "not a readable state file (nested too deeply to read)",
    "snapshot.json": "not valid JSON (nested too deeply to read)",
}


@pytest.mark.parametrize(
    "name, text",
    [
        ("plan.json", DEEP),
        ("terraform.tfstate", DEEP),
        ("snapshot.json", '{"kind": "sovscan-inventory", "resources": ' + DEEP + "}"),
    ],
)
def test_json_nested_too_deeply_is_an_input_error_and_the_scan_goes_on(name: str, text: str, tmp_path: Path):
    shutil.copytree(ROOT / "fixtures" / "demo", tmp_path / "demo")
    (tmp_path / name).write_text(text, encoding="utf-8")
    run = run_scan(tmp_path, paths=("demo", name))
    assert run.exit_code == 1
    assert [e for e in run.errors() if e[0] == name] == [(name, None, None, MESSAGES[name])]
    assert ("aws_s3_bucket.payroll", "demo/main.tf") in {(f[1], f[2]) for f in run.findings()}


def test_an_inventory_snapshot_nested_too_deeply_is_an_input_error_of_against(tmp_path: Path):
    (tmp_path / "deep.json").write_text('{"kind": "sovscan-inventory", "resources": ' + DEEP + "}", encoding="utf-8")
    shutil.copytree(ROOT / "fixtures" / "demo", tmp_path / "demo")
    run = run_scan(tmp_path, "--against", "deep.json", paths=("demo",))
    assert run.exit_code == 1
    assert ("deep.json", None, None, "not valid JSON (nested too deeply to read)") in run.errors()
    assert "Traceback" not in run.stderr
