"""Scan mode opens no socket, runs nothing, reads nothing outside the scanned root, and leaks no secret.

Scans run in this process under ``guard.guarded`` (stubs plus an audit
hook), through ``scanner.cli.app.main`` as the ``sovscan`` command does.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
from pathlib import Path

import pytest

from scanner.report import FORMATS
from tests.hostile.guard import Refused, guarded
from tests.hostile.harness import ROOT, copy_case


def _sovscan(*args: str) -> int:
    from scanner.cli.app import main

    try:
        main(list(args), prog_name="sovscan")
    except SystemExit as exit:
        return int(exit.code or 0)
    return 0


def _cache() -> Path:
    return Path(os.environ["SOVSCAN_CACHE_DIR"])


# --------------------------------------------------------------------------- the guard itself can fail a test


def test_the_guard_refuses_and_records_what_it_forbids(monkeypatch, tmp_path: Path):
    with guarded(monkeypatch, reads=[tmp_path], writes=[tmp_path]) as guard:
        with pytest.raises(PermissionError):
            socket.create_connection(("192.0.2.1", 80), timeout=0.1)
        with pytest.raises(PermissionError):
            socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        with pytest.raises(PermissionError):
            subprocess.run(["true"])
        with pytest.raises(PermissionError):
            os.system("true")
        with pytest.raises(PermissionError):
            Path("/etc/hostname").read_text()
        (tmp_path / "inside.txt").write_text("fine")
        try:
            Path("/etc/passwd").read_bytes()
        except Refused:
            pass  # swallowed, as careless code would: still recorded
    assert len(guard.violations) == 6
    assert guard.violations[-1] == "read /etc/passwd"


# --------------------------------------------------------------------------- nothing fetched, run or read outside


def test_the_demo_scan_opens_no_socket_runs_nothing_and_reads_only_the_demo(monkeypatch, tmp_path: Path):
    monkeypatch.chdir(ROOT)
    report = tmp_path / "report.json"
    with guarded(monkeypatch, reads=[ROOT / "fixtures" / "demo", _cache()], writes=[_cache(), tmp_path]) as guard:
        code = _sovscan("scan", "fixtures/demo", "--format", "json", "-o", str(report))
    assert guard.violations == []
    assert code == 1
    assert (ROOT / "fixtures" / "demo" / "main.tf").resolve() in guard.opened, "the guard saw the scan read its input"


def test_remote_modules_external_programs_and_files_outside_are_left_alone(monkeypatch, tmp_path: Path):
    case = copy_case("remote-and-external", tmp_path)
    (tmp_path / "outside.txt").write_text("health-from-outside\n", encoding="utf-8")
    (tmp_path.parent / "x.tpl").write_text("template-from-outside", encoding="utf-8")
    monkeypatch.chdir(case)
    report = tmp_path / "report.json"
    with guarded(monkeypatch, reads=[case, _cache()], writes=[_cache(), tmp_path]) as guard:
        code = _sovscan("scan", ".", "--format", "json", "-o", str(report))
    assert guard.violations == []
    assert code == 1
    assert not (case / "pwned-by-external").exists()
    document = json.loads(report.read_text(encoding="utf-8"))
    reads = next(r for r in document["resources"] if r["address"] == "aws_s3_bucket.reads")
    assert reads["tags"] == {"data_classification": "unknown", "files": "unknown", "page": "unknown"}
    assert reads["classification_status"] == "unresolved"
    text = report.read_text(encoding="utf-8")
    for leaked in ("root:x:0:0", "health-from-outside", "template-from-outside"):
        assert leaked not in text


def test_a_yaml_config_that_asks_to_run_a_command_runs_nothing(monkeypatch, tmp_path: Path):
    case = copy_case("config-python-tag", tmp_path)
    monkeypatch.chdir(case)
    report = tmp_path / "report.json"
    with guarded(monkeypatch, reads=[case, _cache()], writes=[_cache(), tmp_path]) as guard:
        code = _sovscan("scan", ".", "--format", "json", "-o", str(report))
    assert guard.violations == []
    assert code == 1
    assert not (case / "pwned-by-yaml").exists()


# --------------------------------------------------------------------------- secrets


def test_secrets_from_tfvars_appear_in_no_output_format(monkeypatch, tmp_path: Path, capsys):
    case = copy_case("secrets-in-tfvars", tmp_path)
    monkeypatch.chdir(case)
    secrets = ["Tr0ub4dor-3-db-password", "correct-horse-battery-staple"]
    outputs = []
    for fmt in FORMATS:
        target = tmp_path / f"report.{fmt}"
        with guarded(monkeypatch, reads=[case, _cache()], writes=[_cache(), tmp_path]) as guard:
            code = _sovscan("scan", ".", "--format", fmt, "-o", str(target))
        assert guard.violations == [] and code == 1, fmt
        outputs.append((fmt, target.read_text(encoding="utf-8")))
    document = json.loads(dict(outputs)["json"])
    capsys.readouterr()
    for address in [r["address"] for r in document["resources"]]:
        _sovscan("scan", ".", "--explain", address)
        explanation = capsys.readouterr().out
        assert address in explanation
        outputs.append((f"--explain {address}", explanation))
    assert {"text", "json"} <= {fmt for fmt, _ in outputs}
    for fmt, text in outputs:
        for secret in secrets:
            assert secret not in text, f"{secret} leaked into {fmt}"


# --------------------------------------------------------------------------- paths


def test_paths_in_the_report_are_relative(monkeypatch, tmp_path: Path):
    monkeypatch.chdir(tmp_path)
    report = tmp_path / "report.json"
    code = _sovscan("scan", str(ROOT / "fixtures" / "demo"), "--format", "json", "-o", str(report))
    assert code == 1
    document = json.loads(report.read_text(encoding="utf-8"))
    origins = [r["origin"] for r in document["resources"]] + [f["origin"] for f in document["findings"]] + document["errors"]
    files = {o.get("file") for o in origins if o.get("file")}
    assert files and all(not f.startswith("/") for f in files), files
    assert document["inputs"] == ["demo"]
    assert str(ROOT) not in json.dumps(document)
