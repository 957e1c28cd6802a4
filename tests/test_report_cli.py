"""``sovscan report REPORT.json``: the saved report rendered as HTML, Markdown or text; bad input is one clear line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli.app import cli
from scanner.report.html.load import line_of
from tests.html_cases import DEMO, SUPPRESS, scanned
from tests.support import ROOT

ENGLISH = {"LC_ALL": None, "LC_MESSAGES": None, "LANG": "C.UTF-8"}
FRENCH = {"LC_ALL": None, "LC_MESSAGES": None, "LANG": "fr_FR.UTF-8"}


def run(*args, env=ENGLISH):
    return CliRunner(env=env).invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def demo_json(tmp_path) -> Path:
    path = tmp_path / "demo.json"
    path.write_text(json.dumps(scanned(DEMO), indent=2), encoding="utf-8")
    return path


def test_scan_html_and_report_of_the_saved_json_are_the_same_page(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    saved, direct, rendered = tmp_path / "r.json", tmp_path / "scan.html", tmp_path / "report.html"
    assert run("scan", DEMO, "--format", "json", "--output", str(saved)).exit_code == 1  # high findings
    run("scan", DEMO, "--format", "html", "--output", str(direct))
    result = run("report", str(saved), "-o", str(rendered))
    assert (result.exit_code, result.stdout) == (0, "")
    assert rendered.read_text(encoding="utf-8") == direct.read_text(encoding="utf-8")
    assert rendered.read_text(encoding="utf-8").startswith('<!DOCTYPE html>\n<html lang="en">')


def test_text_and_markdown_formats_say_the_same_as_the_page(demo_json):
    text = run("report", str(demo_json), "--format", "text").stdout.splitlines()
    assert text[:2] == ["Data hosting audit", "=================="]
    assert "✗ Not compliant: 8 findings of high or critical severity on 4 resources." in text
    start = text.index("Active findings by severity (suppressed findings not counted)")
    assert text[start + 1 : start + 9] == [
        "Severity    Count", "----------  -----", "‼ Critical      0", "▲ High          8", "◆ Medium        1", "▼ Low           2", "ℹ Info          0", "Total          11"]
    markdown = run("report", str(demo_json), "--format", "markdown").stdout.splitlines()
    assert markdown[0] == "# Data hosting audit"
    assert "| ▲ **High** | 8 |" in markdown
    assert "| Health (HDS) | 0 | 0 | 1 | 0 | 0 | 1 |" in markdown
    assert "### ▲ **High** `sensitive-data-exposed-to-foreign-law` — `aws_s3_bucket.payroll`" in markdown


def test_the_language_comes_from_the_locale_unless_given(demo_json):
    assert run("report", str(demo_json), "--format", "text", env=FRENCH).stdout.startswith("Audit de l'hébergement des données\n")
    assert run("report", str(demo_json), "--format", "text", env={**FRENCH, "LC_ALL": "en_US.UTF-8"}).stdout.startswith("Data hosting audit\n")
    assert run("report", str(demo_json), "--format", "text", "--lang", "en", env=FRENCH).stdout.startswith("Data hosting audit\n")
    assert '<html lang="fr">' in run("report", str(demo_json), "--lang", "fr").stdout


def test_previous_reports_give_the_trend(demo_json, tmp_path):
    before = scanned(DEMO)
    before["findings"] = [f for f in before["findings"] if f["rule"] != "unclassified-resource"]
    old = tmp_path / "january.json"
    old.write_text(json.dumps(before), encoding="utf-8")
    text = run("report", str(demo_json), "--previous", str(old), "--format", "text").stdout.splitlines()
    start = text.index("Trend")
    assert text[start + 3] == f"Compared with {old}, the most recent of the earlier reports given (1). A finding is the same when its rule, address and root module are."
    assert [" ".join(line.split()) for line in text[start + 8 : start + 12]] == ["+ New 1", "− Fixed 0", "= Unchanged 10", "~ Now suppressed 0"]


def test_an_unreadable_previous_report_is_named_and_left_out(demo_json, tmp_path):
    broken, good = tmp_path / "broken.json", tmp_path / "good.json"
    broken.write_text('{\n  "schema_version": 1,\n  "findings": [\n', encoding="utf-8")
    good.write_text(json.dumps(scanned(DEMO)), encoding="utf-8")
    out = tmp_path / "report.html"
    result = run("report", str(demo_json), "--previous", str(broken), "--previous", str(good), "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {broken}:4: not valid JSON: Expecting value (column 1) (left out of the trend)\n"
    page = out.read_text(encoding="utf-8")
    assert f"Compared with {good}, the most recent of the earlier reports given (1)." in page


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"schema_version": 1,\n "tool": {}\n', ":3: not valid JSON: Expecting ',' delimiter (column 1)"),
        ("[1, 2]", ":1: expected a JSON object (a report from `sovscan scan --format json`)"),
        ('{"kind": "sovscan-baseline", "version": 1, "findings": []}', ":1: no schema_version: not a sovscan JSON report (write one with `sovscan scan --format json`)"),
        ('{"schema_version": 7}', ":1: schema_version: schema 7 is not one this sovscan reads (1); use the sovscan that wrote it"),
        ('{"schema_version": 1, "tool": {}, "policy": {},\n"resources": {}, "findings": []}', ":2: resources: expected a list"),
        ('{"schema_version": 1, "x": NaN}', ": not valid JSON: NaN is not a JSON number"),
        (b'{"schema_version": 1,\n"a": "\xff"}', ":2: not UTF-8 text; expected a JSON report from `sovscan scan --format json`"),
    ],
)
def test_a_file_that_is_not_a_report_is_one_clear_line(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = run("report", str(path))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {path}{message}\n"
    assert result.stdout == ""


def test_a_wrong_field_is_named_with_its_line(tmp_path):
    doc = scanned(SUPPRESS)
    doc["findings"][2]["severity"] = "severe"
    doc["resources"][1]["holds_data"] = "yes"
    path = tmp_path / "edited.json"
    text = json.dumps(doc, indent=2)
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    line = next(i for i, row in enumerate(lines, 1) if '"holds_data": "yes"' in row)
    result = run("report", str(path))
    assert result.exit_code == 2
    # the first problem, in document order: resources come before findings
    assert result.stderr == f"Error: {path}:{line}: resources[1].holds_data: expected true or false\n"
    doc["resources"][1]["holds_data"] = True
    text = json.dumps(doc, indent=2)
    path.write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if '"severity": "severe"' in row)
    assert run("report", str(path)).stderr == f"Error: {path}:{line}: findings[2].severity: expected one of: critical, high, medium, low, info\n"


def test_a_missing_report_or_an_unwritable_output_is_one_clear_line(tmp_path, demo_json):
    missing = tmp_path / "nowhere.json"
    result = run("report", str(missing))
    assert (result.exit_code, result.stderr) == (2, f"Error: {missing}: cannot read the report: No such file or directory\n")
    target = tmp_path / "no-such-folder" / "report.html"
    result = run("report", str(demo_json), "-o", str(target))
    assert (result.exit_code, result.stderr) == (2, f"Error: {target}: cannot write the report: No such file or directory\n")


def test_line_of_walks_nested_objects_and_lists():
    text = '{\n "a": [\n  {"b": 1},\n  {\n   "c": [10,\n    20]\n  }\n ],\n "d": {"e": "x"}\n}'
    assert line_of(text, ("a",)) == 2
    assert line_of(text, ("a", 1)) == 4
    assert line_of(text, ("a", 1, "c", 1)) == 6
    assert line_of(text, ("d", "e")) == 9
    assert line_of(text, ("a", 5)) == 2  # past the end: the closest enclosing value
    assert line_of(text, ("missing",)) == 1
