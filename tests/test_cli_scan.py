"""``sovscan scan``: exit codes, --fail-on thresholds, --soft-fail, output combinations, the JSON contract, packaging."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner import __version__
from scanner.cli.app import cli
from scanner.cli.scan import render_options
from tests.regenerate_ci_golden import golden_path
from tests.support import ROOT

DEMO = "fixtures/demo"


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def scan(*args: str):
    return CliRunner().invoke(cli, ["scan", *args], catch_exceptions=False)


# --------------------------------------------------------------------------- exit codes


@pytest.mark.parametrize(
    "fail_on, code",
    [("info", 1), ("low", 1), ("medium", 1), ("high", 1), ("critical", 0), ("never", 0)],
)
def test_fail_on_thresholds(fail_on, code):
    """The demo's worst findings are high, then medium and low: critical and never pass."""
    assert scan(DEMO, "--fail-on", fail_on).exit_code == code


def test_default_threshold_is_high(tmp_path):
    case = tmp_path / "case"
    case.mkdir()
    (case / "main.tf").write_text(  # one medium finding only: personal data in the US
        'provider "aws" {\n  region = "us-east-1"\n}\n\nresource "aws_dynamodb_table" "t" {\n  tags = { data_classification = "personal" }\n}\n',
        encoding="utf-8",
    )
    assert scan(str(case)).exit_code == 0
    assert scan(str(case), "--fail-on", "medium").exit_code == 1


def test_fail_on_from_the_configuration(tmp_path):
    config = tmp_path / "sovscan.yml"
    config.write_text("fail_on: never\n", encoding="utf-8")
    assert scan(DEMO, "--config", str(config)).exit_code == 0
    assert scan(DEMO, "--config", str(config), "--fail-on", "high").exit_code == 1  # the option wins


def test_soft_fail_exits_zero_on_findings_but_not_on_usage_errors():
    assert scan(DEMO, "--soft-fail").exit_code == 0
    assert scan("no/such/folder", "--soft-fail").exit_code == 2
    assert scan(DEMO, "--soft-fail", "--var", "not valid").exit_code == 2


@pytest.mark.parametrize(
    "args, message",
    [
        (("no/such/folder",), None),
        ((DEMO, "--var", "nope"), "--var 'nope': expected NAME=VALUE"),
        ((DEMO, "--as-of", "2026-13-01"), "--as-of '2026-13-01': expected a date YYYY-MM-DD"),
        ((DEMO, "--pack", "nope"), "nope"),  # the wording is the pack loader's
        ((DEMO, "--format", "nope"), "Invalid value for '--format'"),
    ],
)
def test_usage_and_input_errors_exit_2(args, message):
    result = scan(*args)
    assert result.exit_code == 2
    if message:
        assert message in result.output


def test_same_exit_code_whatever_the_formats(tmp_path):
    codes = {fmt: scan(DEMO, "--format", fmt).exit_code for fmt in ("text", "json", "sarif", "junit", "markdown", "csv", "gitlab")}
    assert set(codes.values()) == {1}, codes
    every = ["--format", "text"] + [a for fmt in ("json", "sarif", "junit", "markdown", "csv", "gitlab") for a in ("--output", f"{fmt}={tmp_path / fmt}")]
    assert scan(DEMO, *every).exit_code == 1
    assert scan(DEMO, *every, "--fail-on", "critical").exit_code == 0


# --------------------------------------------------------------------------- outputs


def test_text_on_stdout_and_sarif_to_a_file(tmp_path):
    target = tmp_path / "results.sarif"
    result = scan(DEMO, "--format", "text", "--format", "sarif", "--output", f"sarif={target}")
    assert result.stdout == golden_path("demo", "text").read_text(encoding="utf-8")
    assert target.read_text(encoding="utf-8") == golden_path("demo", "sarif").read_text(encoding="utf-8")


def test_output_format_equals_file_adds_the_format(tmp_path):
    target = tmp_path / "out" / "report.csv"  # missing folders are created
    result = scan(DEMO, "--output", f"csv={target}")
    assert result.stdout == golden_path("demo", "text").read_text(encoding="utf-8")
    assert target.read_text(encoding="utf-8") == golden_path("demo", "csv").read_text(encoding="utf-8")


def test_output_file_alone_with_one_format(tmp_path):
    target = tmp_path / "report.json"
    result = scan(DEMO, "--format", "json", "--output", str(target))
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8") == golden_path("demo", "json").read_text(encoding="utf-8")
    assert "sovscan: 11 findings; wrote json to" in result.stderr


def test_output_dash_is_stdout(tmp_path):
    result = scan(DEMO, "--format", "gitlab", "--output", "-", "--output", f"text={tmp_path / 'out.txt'}")
    assert result.stdout == golden_path("demo", "gitlab").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "args, message",
    [
        (("--format", "json", "--format", "sarif"), "formats json, sarif would all print to stdout; send all but one to files with --output FORMAT=FILE"),
        (("--format", "json", "--format", "sarif", "--output", "x.json"), "--output 'x.json': with several formats or outputs, write FORMAT=FILE"),
        (("--output", "a.txt", "--output", "b.txt"), "--output 'b.txt': with several formats or outputs, write FORMAT=FILE"),
        (("--output", "yaml=x.yml"), "--output 'yaml=x.yml': unknown format 'yaml'; expected one of:"),
        (("--output", "sarif="), "--output 'sarif=': no file name after '='"),
    ],
)
def test_ambiguous_outputs_are_usage_errors(args, message):
    result = scan(DEMO, *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_unwritable_output_is_a_usage_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    result = scan(DEMO, "--output", f"sarif={blocker / 'x.sarif'}")
    assert result.exit_code == 2
    assert f"cannot write {blocker / 'x.sarif'}" in result.stderr


def test_explain_still_works():
    result = scan(DEMO, "--explain", "aws_s3_bucket.payroll")
    assert result.stdout.startswith("aws_s3_bucket.payroll  (fixtures/demo/main.tf:46, root .)")
    assert "  findings: sensitive-data-exposed-to-foreign-law, sensitive-data-without-secnumcloud" in result.stdout


def test_lang_goes_to_reporters_that_accept_it():
    def with_lang(report, color=False, lang=None):
        return lang

    def without(report, color=False):
        return None

    def anything(report, color=False, **options):
        return options

    offered = {"lang": "fr", "paths": {}, "show_suppressed": True}
    assert render_options(with_lang, offered) == {"lang": "fr"}
    assert render_options(without, offered) == {}
    assert render_options(anything, offered) == offered
    assert scan(DEMO, "--lang", "fr", "--format", "json").exit_code == 1  # json takes no language: not an error
    assert scan(DEMO, "--lang", "de").exit_code == 2


# --------------------------------------------------------------------------- the JSON contract


def test_json_follows_the_design_contract():
    result = scan(DEMO, "--format", "json")
    doc = json.loads(result.stdout)
    assert result.stdout == golden_path("demo", "json").read_text(encoding="utf-8")
    assert {"schema_version", "tool", "policy", "resources", "findings", "errors", "summary"} <= set(doc)
    assert doc["schema_version"] == 1 and doc["tool"] == {"name": "sovscan", "version": __version__}
    assert doc["policy"]["pack"] == "fr-state"
    resource = {r["address"]: r for r in doc["resources"]}["aws_s3_bucket.payroll"]
    assert {k: resource[k] for k in ("address", "type", "provider", "cloud", "region", "country", "sensitivity", "workload", "origin")} == {
        "address": "aws_s3_bucket.payroll",
        "type": "aws_s3_bucket",
        "provider": "aws",
        "cloud": "aws",
        "region": "eu-west-3",
        "country": "FR",
        "sensitivity": "sensitive",
        "workload": "payroll",
        "origin": {"file": "fixtures/demo/main.tf", "line": 46},
    }
    assert "offer" in resource
    finding = doc["findings"][0]
    assert {"rule", "severity", "address", "message", "evidence", "origin", "suppressed"} <= set(finding)
    assert (finding["rule"], finding["severity"], finding["address"], finding["origin"], finding["suppressed"]) == (
        "sensitive-data-exposed-to-foreign-law",
        "high",
        "aws_s3_bucket.payroll",
        {"file": "fixtures/demo/main.tf", "line": 46},
        False,
    )
    assert doc["summary"]["resources"] == 10 and doc["summary"]["findings"] == 11
    assert doc["summary"]["by_severity"] == {"high": 8, "medium": 1, "low": 2}
    assert doc["errors"] == []


# --------------------------------------------------------------------------- the program


def test_python_m_scanner_version():
    result = subprocess.run([sys.executable, "-m", "scanner", "--version"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0
    assert result.stdout.strip() == f"sovscan, version {__version__}"


@pytest.mark.parametrize("args, code", [(["scan", DEMO, "--format", "json"], 1), (["scan", DEMO, "--format", "json", "--soft-fail"], 0), (["scan", "--format", "nope"], 2)])
def test_the_program_exits_fast_with_its_output_whole_and_its_code(args, code, tmp_path):
    """``entry`` ends the process without tearing the heap down: stdout must still be flushed, the code kept."""
    env = {**os.environ, "SOVSCAN_CACHE_DIR": str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, "-m", "scanner", *args], capture_output=True, text=True, cwd=ROOT, timeout=120, env=env)
    assert result.returncode == code, result.stderr
    if code == 2:
        assert "Invalid value for '--format'" in result.stderr
    else:
        assert result.stdout == scan(*args[1:]).stdout  # the whole document, as the in-process run prints it
        first = json.loads(result.stdout)["findings"][0]
        assert (first["rule"], first["address"]) == ("sensitive-data-exposed-to-foreign-law", "aws_s3_bucket.payroll")


def test_the_wheel_carries_the_policies(tmp_path):
    """A non-editable install must find policies/ inside the package (scanner/policies)."""
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    [wheel] = list(Path(tmp_path).glob("sovscan-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "scanner/policies/packs/fr-state.yml" in names
    assert "scanner/policies/catalog/providers/aws.yml" in names
    assert "scanner/cli/scan.py" in names and "scanner/report/sarif.py" in names
    assert "scanner/report/sovscan-report.schema.json" in names  # the published JSON Schema of the report


def test_lang_reaches_the_html_report(tmp_path):
    import importlib.util

    if importlib.util.find_spec("scanner.report.html.page") is None:
        pytest.skip("the html reporter is not in this tree")
    for lang in ("fr", "en"):
        target = tmp_path / f"{lang}.html"
        assert scan(DEMO, "--lang", lang, "--output", f"html={target}").exit_code == 1
        assert f'<html lang="{lang}">' in target.read_text(encoding="utf-8")


def test_no_cache_holds_for_one_scan_only():
    from scanner.support import cache

    assert cache.cache_dir() is not None
    assert scan(DEMO, "--no-cache").exit_code == 1
    assert cache.cache_dir() is not None  # the next scan in this process caches again
