"""Hostile values met while evaluating: each ends as a value, an Unknown or one error line, never a crash or a hang."""

from __future__ import annotations

import os
from pathlib import Path

from tests.hostile.harness import run_scan


def _folder(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "case"
    folder.mkdir(exist_ok=True)
    (folder / "main.tf").write_text('provider "aws" {\n  region = "eu-west-3"\n}\n\n' + text, encoding="utf-8")
    return folder


def test_file_on_a_fifo_does_not_hang(tmp_path: Path):
    """A named pipe read through file() would wait for a writer forever."""
    folder = _folder(tmp_path, 'resource "aws_s3_bucket" "b" {\n  tags = { data_classification = file("${path.module}/pipe") }\n}\n')
    os.mkfifo(folder / "pipe")
    run = run_scan(folder, "--no-cache", timeout=30)
    assert run.exit_code == 0
    assert run.document["resources"][0]["classification_status"] == "unresolved"


def test_length_of_an_unknown_is_unknown_not_an_error(tmp_path: Path):
    folder = _folder(tmp_path, 'variable "names" {}\n\nlocals {\n  n = length(var.names)\n}\n')
    run = run_scan(folder)
    assert run.errors() == []
    assert run.exit_code == 0


def test_a_lone_surrogate_from_jsondecode_does_not_crash_the_report(tmp_path: Path):
    folder = _folder(tmp_path, 'resource "aws_s3_bucket" "b" {\n  tags = { data_classification = "health", note = jsondecode("\\"\\\\ud800\\"") }\n}\n')
    run = run_scan(folder)
    assert "internal error" not in run.stderr
    assert run.exit_code == 1
    assert run.document["resources"][0]["tags"]["note"] == "\ufffd"


def test_an_error_quoting_a_value_with_a_line_break_stays_one_line(tmp_path: Path):
    folder = _folder(tmp_path, 'module "db" {\n  source = "./db\\nprod"\n}\n')
    run = run_scan(folder)
    assert run.errors() == [("main.tf", 5, None, 'module "db": no readable Terraform file in db\\nprod')]
    assert '  main.tf:5: module "db": no readable Terraform file in db\\nprod\n' in run.text
