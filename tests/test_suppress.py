"""Inline suppressions and the waiver file: each silences exactly the findings it names, until its date."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli.app import cli
from scanner.evaluate.suppress import load_waivers, read_inline
from tests.support import ROOT

RULES = {"sensitive-data-without-secnumcloud", "sensitive-data-exposed-to-foreign-law", "unclassified-resource"}
FIXTURE = "fixtures/terraform/suppress-exceptions"
MAIN = f"{FIXTURE}/main.tf"
WAIVERS = f"{FIXTURE}/.sovscan-waivers.yml"


def _json(monkeypatch, *args, cwd: Path = ROOT) -> tuple[int, dict]:
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(cli, ["scan", *args, "--format", "json"], catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


def _findings(doc: dict) -> list[tuple]:
    return [(f["rule"], f["address"], f["origin"]["line"], f["suppressed"], (f.get("suppression") or {}).get("kind")) for f in doc["findings"]]


def _errors(doc: dict) -> list[tuple]:
    return [(e["file"], e["line"], e["message"]) for e in doc["errors"]]


# --------------------------------------------------------------------------- reading comments


@pytest.mark.parametrize(
    "line, rules, reason, until, approver",
    [
        ('# sovscan:ignore[unclassified-resource] reason="Legacy, ticket 7"', ("unclassified-resource",), "Legacy, ticket 7", None, None),
        ("// sovscan:ignore[unclassified-resource] reason=short until=2027-06-30", ("unclassified-resource",), "short", "2027-06-30", None),
        ('  /* sovscan:ignore[unclassified-resource, sensitive-data-without-secnumcloud] reason="two" approver="RSSI" */', ("unclassified-resource", "sensitive-data-without-secnumcloud"), "two", None, "RSSI"),
        ('  tags = {} # sovscan:ignore[unclassified-resource] reason="after code"', ("unclassified-resource",), "after code", None, None),
    ],
)
def test_reads_a_suppression(line, rules, reason, until, approver):
    source, errors = read_inline(f"\n{line}\n", "main.tf", RULES)
    assert errors == []
    [s] = source.suppressions
    assert (s.kind, s.rules, s.reason, s.until, s.approver, s.file, s.line) == ("inline", rules, reason, until, approver, "main.tf", 2)


@pytest.mark.parametrize(
    "line, message",
    [
        ("# sovscan:ignore[unclassified-resource]", 'sovscan:ignore has no reason: a reason="…" is mandatory; this suppression does not apply'),
        ('# sovscan:ignore[unclassified-resource] reason=""', 'sovscan:ignore has no reason: a reason="…" is mandatory; this suppression does not apply'),
        ('# sovscan:ignore reason="x"', 'sovscan:ignore names no rule: write sovscan:ignore[rule-id] reason="…"; this suppression does not apply'),
        ('# sovscan:ignore[unclassified-resource] reason="x" until=2027-02-30', "sovscan:ignore until='2027-02-30' is not a date written YYYY-MM-DD; this suppression does not apply"),
        ('# sovscan:ignore[unclassified-resource] reason="x" expires=2027-01-01', "sovscan:ignore has an unknown key 'expires'; expected reason, until, approver; this suppression does not apply"),
        ('# sovscan:ignore[unclassified-resource] reason="x" junk', "sovscan:ignore cannot read 'junk': expected key=value or key=\"text\"; this suppression does not apply"),
        ('# sovscan:ignore[no-such-rule] reason="x"', "sovscan:ignore names unknown rule(s) no-such-rule; see `sovscan rules`; this suppression does not apply"),
    ],
)
def test_a_malformed_suppression_is_an_error_and_does_not_apply(line, message):
    source, errors = read_inline(f"resource {{}}\n{line}\n", "main.tf", RULES)
    assert [(e.file, e.line, e.message) for e in errors] == [("main.tf", 2, message)]
    assert source.suppressions == ()


def test_unknown_rule_among_known_ones_keeps_the_known():
    source, errors = read_inline('# sovscan:ignore[unclassified-resource,nope] reason="x"\n', "main.tf", RULES)
    assert [s.rules for s in source.suppressions] == [("unclassified-resource",)]
    assert [e.line for e in errors] == [1]


def test_comment_lines_just_above_a_block():
    source, _ = read_inline('\n# one\n// two\nresource "a" "b" {\n}\n', "main.tf", RULES)
    assert source.above(4) == 2
    assert source.above(2) == 2


# --------------------------------------------------------------------------- applying them


def test_fixture_suppresses_exactly_what_it_names(monkeypatch):
    code, doc = _json(monkeypatch, FIXTURE)
    assert code == 1
    assert _findings(doc) == [
        ("sensitive-data-exposed-to-foreign-law", "aws_s3_bucket.payroll", 10, True, "waiver"),
        ("sensitive-data-without-secnumcloud", "aws_s3_bucket.payroll", 10, True, "inline"),
        ("sensitive-data-exposed-to-foreign-law", "aws_s3_bucket.archives", 15, False, None),
        ("sensitive-data-without-secnumcloud", "aws_s3_bucket.archives", 15, False, None),
        ("sensitive-data-exposed-to-foreign-law", "aws_s3_bucket.exports", 21, False, None),
        ("sensitive-data-without-secnumcloud", "aws_s3_bucket.exports", 21, False, None),
        ("unclassified-resource", "module.legacy.aws_s3_bucket.logs", 1, True, "inline"),
        ("unclassified-resource", "module.legacy.aws_s3_bucket.tmp", 5, True, "inline"),
    ]
    assert _errors(doc) == [
        (WAIVERS, 9, "waiver for sensitive-data-exposed-to-foreign-law on aws_s3_bucket.decommissioned matches no finding; remove it"),
        (WAIVERS, 15, "waiver for sensitive-data-without-secnumcloud on aws_s3_bucket.archives expired on 2026-06-30; it no longer applies (reason given: Old derogation)"),
        (WAIVERS, 21, "waiver 'waivers[3]' lacks the required key 'approver' (who approved the exception)"),
        (MAIN, 16, "sovscan:ignore[sensitive-data-exposed-to-foreign-law] expired on 2026-01-31; it no longer applies (reason given: Accepted until the 2025 migration)"),
        (MAIN, 22, 'sovscan:ignore has no reason: a reason="…" is mandatory; this suppression does not apply'),
        (MAIN, 27, "sovscan:ignore[classified-data-in-commercial-cloud] matches no finding; remove it"),
    ]
    assert doc["summary"]["findings"] == 4 and doc["summary"]["suppressed"] == 4


def test_suppression_entry_in_json(monkeypatch):
    _, doc = _json(monkeypatch, FIXTURE)
    by_key = {(f["rule"], f["address"]): f for f in doc["findings"]}
    assert by_key[("sensitive-data-without-secnumcloud", "aws_s3_bucket.payroll")]["suppression"] == {
        "kind": "inline",
        "reason": "Moving to a SecNumCloud offer, ticket INFRA-42",
        "until": "2027-06-30",
        "approver": "RSSI",
        "file": MAIN,
        "line": 9,
    }
    assert by_key[("sensitive-data-exposed-to-foreign-law", "aws_s3_bucket.payroll")]["suppression"] == {
        "kind": "waiver",
        "reason": "Contract clause with the provider, legal opinion 2026-031",
        "until": "2027-12-31",
        "approver": "DPO of the ministry",
        "file": WAIVERS,
        "line": 3,
    }


def test_a_dated_exception_holds_through_its_date_and_stops_the_day_after(monkeypatch):
    key = ("sensitive-data-without-secnumcloud", "aws_s3_bucket.payroll")
    _, on_the_date = _json(monkeypatch, FIXTURE, "--as-of", "2027-06-30")
    assert {(f["rule"], f["address"]): f["suppressed"] for f in on_the_date["findings"]}[key] is True
    code, after = _json(monkeypatch, FIXTURE, "--as-of", "2027-07-01")
    assert {(f["rule"], f["address"]): f["suppressed"] for f in after["findings"]}[key] is False
    assert (MAIN, 9, "sovscan:ignore[sensitive-data-without-secnumcloud] expired on 2027-06-30; it no longer applies (reason given: Moving to a SecNumCloud offer, ticket INFRA-42)") in _errors(after)
    assert code == 1


def test_module_suppression_covers_only_that_modules_resources(monkeypatch, tmp_path):
    copy = tmp_path / "case"
    shutil.copytree(ROOT / FIXTURE, copy)
    (copy / ".sovscan-waivers.yml").unlink()
    main = copy / "main.tf"
    main.write_text(main.read_text(encoding="utf-8") + '\nresource "aws_s3_bucket" "outside" {\n  bucket = "outside"\n}\n', encoding="utf-8")
    _, doc = _json(monkeypatch, "case", cwd=tmp_path)
    unclassified = [(f["address"], f["suppressed"]) for f in doc["findings"] if f["rule"] == "unclassified-resource"]
    assert unclassified == [("aws_s3_bucket.outside", False), ("module.legacy.aws_s3_bucket.logs", True), ("module.legacy.aws_s3_bucket.tmp", True)]


def test_comments_inside_a_downloaded_remote_module_are_ignored(monkeypatch):
    _, doc = _json(monkeypatch, "fixtures/terraform/suppress-remote-module")
    assert _findings(doc) == [
        ("sensitive-data-exposed-to-foreign-law", "module.storage.aws_s3_bucket.data", 2, True, "inline"),
        ("sensitive-data-without-secnumcloud", "module.storage.aws_s3_bucket.data", 2, False, None),
    ]
    assert doc["errors"] == []


def test_text_hides_suppressed_findings_unless_asked(monkeypatch):
    monkeypatch.chdir(ROOT)
    hidden = CliRunner().invoke(cli, ["scan", FIXTURE]).stdout
    shown = CliRunner().invoke(cli, ["scan", FIXTURE, "--show-suppressed"]).stdout
    assert "aws_s3_bucket.payroll" not in hidden and "4 suppressed" in hidden
    assert "sensitive-data-without-secnumcloud (suppressed)" in shown and "aws_s3_bucket.payroll" in shown


def test_suppressed_findings_do_not_fail_the_scan(monkeypatch, tmp_path):
    case = tmp_path / "case"
    case.mkdir()
    (case / "main.tf").write_text(
        'provider "aws" {\n  region = "eu-west-3"\n}\n\n'
        '# sovscan:ignore[sensitive-data-without-secnumcloud,sensitive-data-exposed-to-foreign-law] reason="Derogation 2026-12"\n'
        'resource "aws_s3_bucket" "b" {\n  tags = { data_classification = "sensitive" }\n}\n',
        encoding="utf-8",
    )
    code, doc = _json(monkeypatch, "case", cwd=tmp_path)
    assert [(f["rule"], f["suppressed"]) for f in doc["findings"]] == [("sensitive-data-exposed-to-foreign-law", True), ("sensitive-data-without-secnumcloud", True)]
    assert code == 0


# --------------------------------------------------------------------------- the waiver file


def _waivers(tmp_path: Path, text: str):
    path = tmp_path / ".sovscan-waivers.yml"
    path.write_text(text, encoding="utf-8")
    return load_waivers(path, ".sovscan-waivers.yml", RULES)


def test_waiver_problems_are_one_sentence_each(tmp_path):
    waivers, errors = _waivers(
        tmp_path,
        "waivers:\n"
        "  - rule: unclassified-resource\n    address: a.b\n    reason: ok\n    expires: 2027-13-01\n    approver: RSSI\n"
        "  - rule: no-such-rule\n    address: a.b\n    reason: ok\n    expires: 2027-01-01\n    approver: RSSI\n"
        "  - rule: unclassified-resource\n    address: a.b\n    reason: ok\n    expires: 2027-01-01\n    approver: RSSI\n    ticket: 12\n"
        "  - rule: unclassified-resource\n    address: a.c\n    reason: ok\n    expires: 2027-01-01\n    approver: RSSI\n",
    )
    assert [(e.line, e.message) for e in errors] == [
        (5, "key 'waivers[0].expires' is the text '2027-13-01'; expected a date written YYYY-MM-DD"),
        (17, "unknown key 'waivers[2].ticket' in waiver; expected one of: rule, address, path, reason, expires, approver"),
        (7, "waiver names unknown rule 'no-such-rule'; see `sovscan rules`; it does not apply"),
    ]
    assert [(w.rules, w.address, w.line) for w in waivers] == [(("unclassified-resource",), "a.c", 18)]


def test_waiver_file_yaml_errors_name_the_line(tmp_path):
    waivers, errors = _waivers(tmp_path, "waivers:\n  - rule: unclassified-resource\n    rule: again\n")
    assert waivers == []
    assert [(e.file, e.line, e.message) for e in errors] == [(".sovscan-waivers.yml", 3, "duplicate key 'rule' (first at line 2)")]


def test_waiver_address_patterns_and_paths(monkeypatch, tmp_path):
    shutil.copytree(ROOT / "fixtures/terraform/baseline-two-roots", tmp_path / "repo")
    (tmp_path / "repo" / ".git").mkdir()
    (tmp_path / "repo" / ".sovscan-waivers.yml").write_text(
        "waivers:\n"
        "  - rule: sensitive-data-without-secnumcloud\n    address: module.store.*\n    path: envs/staging\n"
        "    reason: Staging holds synthetic data only\n    expires: 2027-01-01\n    approver: RSSI\n",
        encoding="utf-8",
    )
    _, doc = _json(monkeypatch, ".", cwd=tmp_path / "repo")
    rows = [(f["rule"], f["suppressed"]) for f in doc["findings"]]
    # same address in two root modules: only the staging one is waived
    assert rows == [
        ("sensitive-data-exposed-to-foreign-law", False),
        ("sensitive-data-exposed-to-foreign-law", False),
        ("sensitive-data-without-secnumcloud", False),
        ("sensitive-data-without-secnumcloud", True),
    ]
    assert doc["errors"] == []


def test_explicit_waiver_file(monkeypatch, tmp_path):
    waivers = tmp_path / "exceptions.yml"
    waivers.write_text(
        "waivers:\n  - rule: unclassified-resource\n    address: scaleway_object_bucket.scratch\n    reason: Scratch bucket, emptied nightly\n    expires: 2027-01-01\n    approver: RSSI\n",
        encoding="utf-8",
    )
    _, doc = _json(monkeypatch, "fixtures/demo", "--waivers", str(waivers))
    assert [(f["rule"], f["address"]) for f in doc["findings"] if f["suppressed"]] == [("unclassified-resource", "scaleway_object_bucket.scratch")]


def test_brackets_in_addresses_are_literal(monkeypatch, tmp_path):
    from scanner.support.patterns import name_matches

    assert name_matches('aws_s3_bucket.b["a"]', 'aws_s3_bucket.b["a"]')
    assert not name_matches("aws_s3_bucket.b0", "aws_s3_bucket.b[0]")
    assert name_matches("module.x.aws_s3_bucket.b[1]", "module.*.aws_s3_bucket.b[?]")


def test_waiver_paths_are_gitignore_patterns_anchored_at_the_repository_root():
    from scanner.evaluate.suppress import _path_matches

    assert _path_matches("envs/staging", "envs/staging/main.tf")
    assert _path_matches("envs/staging", "envs/staging")
    assert not _path_matches("envs/staging", "envs/staging-old/main.tf")
    assert not _path_matches("staging", "envs/staging/main.tf")  # anchored: relative to the waiver file's folder
    assert _path_matches("envs/*/main.tf", "envs/prod/main.tf")
    assert not _path_matches("envs/*.tf", "envs/prod/main.tf")  # * stops at /
    assert _path_matches("envs/**/main.tf", "envs/a/b/main.tf")
    assert _path_matches(".", "anything/at/all.tf")


def test_waiver_paths_are_relative_to_the_waiver_files_folder(monkeypatch, tmp_path):
    shutil.copytree(ROOT / "fixtures/terraform/baseline-two-roots", tmp_path / "repo")
    (tmp_path / "repo" / ".git").mkdir()
    (tmp_path / "repo" / "envs" / "waivers.yml").write_text(
        "waivers:\n"
        "  - rule: sensitive-data-without-secnumcloud\n    address: module.store.*\n    path: staging\n"
        "    reason: Staging holds synthetic data only\n    expires: 2027-01-01\n    approver: RSSI\n",
        encoding="utf-8",
    )
    _, doc = _json(monkeypatch, ".", "--waivers", "envs/waivers.yml", cwd=tmp_path / "repo")
    assert [f["suppressed"] for f in doc["findings"] if f["rule"] == "sensitive-data-without-secnumcloud"] == [False, True]
    assert doc["errors"] == []
