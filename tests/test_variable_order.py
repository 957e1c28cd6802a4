"""--var and --var-file apply in command-line order, the later winning, as Terraform's -var and -var-file (issue 14, item 5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli.app import cli

MAIN = (
    'variable "region" {\n  default = "fr-par"\n}\n\n'
    'resource "scaleway_object_bucket" "b" {\n  name   = "b"\n  region = var.region\n  tags   = { data_classification = "public" }\n}\n'
)


@pytest.fixture
def root(tmp_path, monkeypatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "main.tf").write_text(MAIN, encoding="utf-8")
    (tmp_path / "terraform.tfvars").write_text('region = "nl-ams"\n', encoding="utf-8")  # below every option
    (tmp_path / "waw.tfvars").write_text('region = "pl-waw"\n', encoding="utf-8")
    (tmp_path / "par.tfvars").write_text('region = "fr-par"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def region(*args: str, command: str = "scan") -> tuple[str, list]:
    paths = ["."] if command == "scan" else ["main.tf"]
    result = CliRunner().invoke(cli, [command, *paths, *args, "--format", "json", "--no-cache"], catch_exceptions=False)
    doc = json.loads(result.stdout)
    (bucket,) = doc["resources"]
    return bucket["region"], [step["what"] for step in bucket["trace"]["region"]]


@pytest.mark.parametrize(
    "args, expected",
    [
        ((), "nl-ams"),
        (("--var-file", "waw.tfvars"), "pl-waw"),
        (("--var", "region=fr-par", "--var-file", "waw.tfvars"), "pl-waw"),  # the file comes later: it wins
        (("--var-file", "waw.tfvars", "--var", "region=fr-par"), "fr-par"),
        (("--var-file", "waw.tfvars", "--var-file", "par.tfvars"), "fr-par"),
        (("--var-file=par.tfvars", "--var=region=pl-waw", "--var-file", "waw.tfvars", "--var", "region=nl-ams"), "nl-ams"),
        (("--var", "region=pl-waw", "--format", "json", "--var-file=par.tfvars"), "fr-par"),  # other options in between
    ],
)
def test_the_later_option_wins(root, args, expected):
    got, trace = region(*args)
    assert got == expected
    assert trace[0].startswith(("region in", "--var region")), trace


def test_the_trace_names_the_option_that_won(root):
    _, trace = region("--var", "region=fr-par", "--var-file", "waw.tfvars")
    assert trace[0] == "region in --var-file waw.tfvars"


def test_the_pre_commit_hook_keeps_the_order_too(root):
    assert region("--var-file", "waw.tfvars", "--var", "region=fr-par", command="pre-commit")[0] == "fr-par"
    assert region("--var", "region=fr-par", "--var-file", "waw.tfvars", command="pre-commit")[0] == "pl-waw"


def test_a_replayed_scan_is_not_one_with_the_options_in_another_order(root, tmp_path, monkeypatch):
    monkeypatch.setenv("SOVSCAN_CACHE_DIR", str(tmp_path / "cache"))

    def cached(*args: str) -> str:
        result = CliRunner().invoke(cli, ["scan", ".", *args, "--format", "json"], catch_exceptions=False)
        return json.loads(result.stdout)["resources"][0]["region"]

    assert cached("--var", "region=fr-par", "--var-file", "waw.tfvars") == "pl-waw"
    assert cached("--var-file", "waw.tfvars", "--var", "region=fr-par") == "fr-par"
