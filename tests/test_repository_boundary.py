"""The repository is the module boundary (issue 14, item 1).

Local module sources are followed anywhere inside the repository of the
scanned folder: the nearest folder holding ``.git`` (a folder, or a file in a
worktree or submodule), else the nearest holding ``.sovscan.yml``, unless
``--repo-root`` says otherwise; with none, as Terraform follows them. A
source leaving the repository is refused and named; what was read outside
the scanned folder is listed in the report's inputs. Each case is a copy of
``fixtures/terraform/repo-envs-prod-calls-modules`` in a temporary folder
(outside sovscan's own repository), given the markers it is about.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli.app import cli
from tests.support import FIXTURES, scan_document

LAYOUT = FIXTURES / "terraform" / "repo-envs-prod-calls-modules"
LEAVES = "module \"db\" source '../../modules/db' leads outside the repository"


@pytest.fixture
def checkout(tmp_path) -> Path:
    """The layout copied to tmp/checkout, with no marker yet."""
    folder = tmp_path / "checkout"
    shutil.copytree(LAYOUT, folder)
    (folder / "expected.yaml").unlink()
    return folder


def prod(monkeypatch, checkout: Path, **options) -> dict:
    monkeypatch.chdir(checkout / "envs" / "prod")
    return scan_document(Path("."), **options)


def regions(doc: dict) -> dict[str, str]:
    return {r["address"]: r["region"] for r in doc["resources"]}


def module_errors(doc: dict) -> list[tuple[str, int, str, str]]:
    return [(e["file"], e["line"], e["message"], e["kind"]) for e in doc["errors"]]


PROD = {"module.db.aws_db_instance.main": "eu-west-3", "module.db.aws_s3_bucket.dumps": "eu-west-3"}


def test_a_git_folder_marks_the_repository(monkeypatch, checkout):
    (checkout / ".git").mkdir()
    doc = prod(monkeypatch, checkout)
    assert regions(doc) == PROD
    assert doc["errors"] == []
    assert doc["inputs"] == [".", "../../modules/db"]
    origins = {r["address"]: r["origin"] for r in doc["resources"]}
    assert origins["module.db.aws_db_instance.main"] == {"file": "../../modules/db/main.tf", "line": 5}


def test_a_git_file_marks_it_too_as_in_a_worktree_or_a_submodule(monkeypatch, checkout):
    (checkout / ".git").write_text("gitdir: /somewhere/else/.git/worktrees/checkout\n", encoding="utf-8")
    assert regions(prod(monkeypatch, checkout)) == PROD


def test_the_nearest_git_wins_and_a_source_leaving_it_is_refused_and_named(monkeypatch, checkout):
    (checkout / ".git").mkdir()
    (checkout / "envs" / ".git").write_text("gitdir: ../.git/modules/envs\n", encoding="utf-8")  # envs/ is a submodule
    doc = prod(monkeypatch, checkout)
    assert regions(doc) == {}
    assert module_errors(doc) == [("main.tf", 7, f"{LEAVES} (the nearest folder holding .git); not followed", "module")]


def test_without_git_the_folder_of_the_nearest_sovscan_yml_is_the_repository(monkeypatch, checkout):
    (checkout / ".sovscan.yml").write_text("version: 1\n", encoding="utf-8")
    assert regions(prod(monkeypatch, checkout)) == PROD
    (checkout / ".sovscan.yml").unlink()
    (checkout / "envs" / "prod" / ".sovscan.yml").write_text("version: 1\n", encoding="utf-8")
    doc = prod(monkeypatch, checkout)
    assert module_errors(doc) == [("main.tf", 7, f"{LEAVES} (the nearest folder holding .sovscan.yml); not followed", "module")]


def test_repo_root_overrides_the_markers(monkeypatch, checkout):
    (checkout / "envs" / "prod" / ".git").mkdir()  # the nearest marker would stop at envs/prod
    doc = prod(monkeypatch, checkout, repo_root=checkout)
    assert regions(doc) == PROD
    doc = prod(monkeypatch, checkout, repo_root=checkout / "envs")
    assert module_errors(doc) == [("main.tf", 7, f"{LEAVES} given by --repo-root; not followed", "module")]


def test_repo_root_must_hold_what_is_scanned(monkeypatch, checkout, tmp_path):
    monkeypatch.chdir(checkout / "envs" / "prod")
    result = CliRunner().invoke(cli, ["scan", ".", "--repo-root", str(checkout / "modules"), "--no-cache"])
    assert result.exit_code == 2
    assert "is not inside it" in result.output


def test_without_any_repository_relative_sources_are_followed_as_terraform_does(monkeypatch, checkout):
    doc = prod(monkeypatch, checkout)
    assert regions(doc) == PROD
    assert doc["inputs"] == [".", "../../modules/db"]


def test_scanning_the_parent_folder_judges_each_environment_in_its_region(monkeypatch, checkout):
    (checkout / ".git").mkdir()
    monkeypatch.chdir(checkout)
    doc = scan_document(Path("."))
    got = sorted((r["root"], r["address"], r["region"]) for r in doc["resources"])
    assert got == [
        ("envs/dev", "module.db.aws_db_instance.main", "eu-west-1"),
        ("envs/dev", "module.db.aws_s3_bucket.dumps", "eu-west-1"),
        ("envs/prod", "module.db.aws_db_instance.main", "eu-west-3"),
        ("envs/prod", "module.db.aws_s3_bucket.dumps", "eu-west-3"),
    ]
    assert doc["uncalled_modules"] == [] and doc["inputs"] == ["."]  # modules/db is called, and inside the scanned folder


def test_an_example_of_a_module_repository_reads_the_module_two_levels_up(monkeypatch, tmp_path):
    repo = tmp_path / "terraform-aws-bucket"
    shutil.copytree(FIXTURES / "terraform" / "repo-module-with-examples", repo)
    (repo / ".git").mkdir()
    monkeypatch.chdir(repo / "examples" / "complete")
    doc = scan_document(Path("."))
    assert regions(doc) == {"module.complete.aws_s3_bucket.this": "eu-west-3", "module.complete.module.logs.aws_s3_bucket.logs": "eu-west-3"}
    assert doc["inputs"] == [".", "../..", "../../modules/logs"]
    assert doc["errors"] == [] and doc["uncalled_modules"] == []


def test_a_symlinked_tfvars_inside_the_repository_is_read(monkeypatch, checkout):
    """terraform-example-foundation links envs/<env>/terraform.tfvars to ../../terraform.tfvars."""
    (checkout / ".git").mkdir()
    (checkout / "modules" / "db" / "main.tf").write_text(
        'variable "name" {}\nvariable "region" {}\nresource "aws_s3_bucket" "b" {\n  bucket = var.name\n  region = var.region\n}\n', encoding="utf-8"
    )
    (checkout / "envs" / "prod" / "main.tf").write_text(
        'variable "region" {}\nmodule "db" {\n  source = "../../modules/db"\n  name   = "b"\n  region = var.region\n}\n', encoding="utf-8"
    )
    (checkout / "terraform.tfvars").write_text('region = "eu-west-3"\n', encoding="utf-8")
    (checkout / "envs" / "prod" / "terraform.tfvars").symlink_to("../../terraform.tfvars")
    doc = prod(monkeypatch, checkout)
    assert regions(doc) == {"module.db.aws_s3_bucket.b": "eu-west-3"}
    assert doc["errors"] == []


def test_a_replayed_scan_sees_a_changed_module_outside_the_scanned_folder(monkeypatch, checkout, tmp_path):
    """The scan cache hashes the scanned folder before the scan; what it read outside is checked before a replay."""
    (checkout / ".git").mkdir()
    monkeypatch.chdir(checkout / "envs" / "prod")
    monkeypatch.setenv("SOVSCAN_CACHE_DIR", str(tmp_path / "cache"))

    def scan() -> dict:
        result = CliRunner().invoke(cli, ["scan", ".", "--format", "json"], catch_exceptions=False)
        return json.loads(result.stdout)

    assert regions(scan()) == PROD
    module = checkout / "modules" / "db" / "main.tf"
    module.write_text(module.read_text(encoding="utf-8").replace('tags           = { data_classification = "public" }', 'region = "us-east-1"\n  tags = {}'), encoding="utf-8")
    assert regions(scan())["module.db.aws_db_instance.main"] == "us-east-1"
