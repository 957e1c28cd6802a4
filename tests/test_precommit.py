"""The pre-commit hook: which root modules a change selects, and a real ``pre-commit`` run of the hook.

The real runs install sovscan into pre-commit's own virtualenv from a
committed copy of this repository, as ``language: python`` does for users.
To stay offline and fast, pip gets no index (``PIP_NO_INDEX``) and finds the
build backend and the runtime dependencies on ``PYTHONPATH``: a folder of
links to the ones this test environment already has, sovscan itself left
out, so the hook runs the sovscan pip built from the copy (its version is
marked to prove it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from scanner import __version__
from scanner.cli.app import cli
from scanner.cli.precommit import select_roots
from scanner.sources.terraform.module.project import Project
from tests.support import ROOT

MODULE = """variable "name" {
  type = string
}

# Payroll exports
resource "aws_s3_bucket" "exports" {
  bucket = var.name
  tags   = { data_classification = "sensitive" }
}
"""

PROD = """provider "aws" {
  region = var.region
}

module "db" {
  source = "../../modules/db"
  name   = "prod-exports"
}
"""

DEV = """provider "aws" {
  region = "us-east-1"
}

resource "aws_dynamodb_table" "scratch" {
  name = "scratch"
  tags = { data_classification = "personal" }
}
"""

GIT_ENV = {
    "GIT_AUTHOR_NAME": "test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def _infra(folder: Path) -> Path:
    """Two root modules (prod calls a local module and sets its region in tfvars; dev does not), and a stray tfvars."""
    files = {
        "modules/db/main.tf": MODULE,
        "envs/prod/main.tf": PROD,
        "envs/prod/variables.tf": 'variable "region" {\n  type = string\n}\n',
        "envs/prod/terraform.tfvars": 'region = "eu-west-3"\n',
        "envs/dev/main.tf": DEV,
        "shared/defaults.tfvars": 'region = "eu-west-1"\n',
    }
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


# --------------------------------------------------------------------------- which roots


@pytest.mark.parametrize(
    "changed, roots, unused",
    [
        (["modules/db/main.tf"], ("envs/prod",), ()),
        (["envs/prod/terraform.tfvars"], ("envs/prod",), ()),
        (["envs/dev/main.tf"], ("envs/dev",), ()),
        (["envs/dev/main.tf", "modules/db/main.tf"], ("envs/dev", "envs/prod"), ()),
        (["shared/defaults.tfvars"], (), ("shared/defaults.tfvars",)),
        (["modules/other/main.tf"], (), ("modules/other/main.tf",)),
    ],
)
def test_select_roots(tmp_path, changed, roots, unused):
    project = Project(_infra(tmp_path))
    selection = select_roots(project, changed)
    assert (selection.roots, selection.unused) == (roots, unused)


def test_a_module_called_through_another_module_selects_the_root(tmp_path):
    _infra(tmp_path)
    (tmp_path / "modules/wrapper").mkdir(parents=True)
    (tmp_path / "modules/wrapper/main.tf").write_text('module "db" {\n  source = "../db"\n  name   = "x"\n}\n', encoding="utf-8")
    (tmp_path / "envs/dev/main.tf").write_text(DEV + '\nmodule "wrapped" {\n  source = "../../modules/wrapper"\n}\n', encoding="utf-8")
    assert select_roots(Project(tmp_path), ["modules/db/main.tf"]).roots == ("envs/dev", "envs/prod")


# --------------------------------------------------------------------------- the command


def _precommit(monkeypatch, folder: Path, *args: str):
    monkeypatch.chdir(folder)
    return CliRunner().invoke(cli, ["pre-commit", *args], catch_exceptions=False)


def test_a_changed_module_is_scanned_with_its_callers_variables(monkeypatch, tmp_path):
    result = _precommit(monkeypatch, _infra(tmp_path), "modules/db/main.tf", "--format", "csv")
    assert result.exit_code == 1
    assert result.stderr == "sovscan: scanning root module envs/prod\n"
    rows = [line.split(",")[:6] for line in result.stdout.splitlines()[1:]]
    # the region comes from envs/prod/terraform.tfvars through var.region: eu-west-3, not unknown
    assert rows == [
        ["high", "sensitive-data-exposed-to-foreign-law", "module.db.aws_s3_bucket.exports", "modules/db/main.tf", "6", "envs/prod"],
        ["high", "sensitive-data-without-secnumcloud", "module.db.aws_s3_bucket.exports", "modules/db/main.tf", "6", "envs/prod"],
    ]


def test_a_changed_root_is_scanned_alone(monkeypatch, tmp_path):
    result = _precommit(monkeypatch, _infra(tmp_path), "envs/dev/main.tf", "--format", "csv", "--fail-on", "medium")
    assert result.exit_code == 1
    assert [line.split(",")[1:3] for line in result.stdout.splitlines()[1:]] == [
        ["personal-data-exposed-to-foreign-law", "aws_dynamodb_table.scratch"],
        ["personal-data-outside-eea", "aws_dynamodb_table.scratch"],
    ]


def test_files_no_root_reads_scan_nothing(monkeypatch, tmp_path):
    result = _precommit(monkeypatch, _infra(tmp_path), "shared/defaults.tfvars", ".terraform/modules/x/main.tf")
    assert result.exit_code == 0
    assert result.stderr == "sovscan: no root module reads the changed files; nothing to scan\n"


def test_an_incomplete_root_fails_the_hook_with_code_3_unless_allowed(monkeypatch, tmp_path):
    """A root whose registry module was never downloaded (no terraform init): the commit cannot be shown compliant."""
    _infra(tmp_path)
    (tmp_path / "envs/dev/main.tf").write_text(
        'provider "aws" {\n  region = "eu-west-3"\n}\n\nmodule "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n', encoding="utf-8"
    )
    result = _precommit(monkeypatch, tmp_path, "envs/dev/main.tf")
    assert result.exit_code == 3
    assert "is not downloaded" in result.stdout and "incomplete:" in result.stderr
    assert _precommit(monkeypatch, tmp_path, "envs/dev/main.tf", "--allow-incomplete").exit_code == 0


def test_problems_of_other_roots_are_not_reported(monkeypatch, tmp_path):
    _infra(tmp_path)
    (tmp_path / "envs/dev/broken.tf").write_text("resource {\n", encoding="utf-8")
    result = _precommit(monkeypatch, tmp_path, "modules/db/main.tf", "--format", "json")
    assert result.exit_code == 1
    assert '"errors": []' in result.stdout


# --------------------------------------------------------------------------- a real pre-commit run


def _dependency_folder(target: Path) -> Path:
    """Links to the installed build backend and runtime dependencies of sovscan, sovscan itself left out."""
    wanted = [Requirement(r).name for r in metadata.requires("sovscan") or [] if not Requirement(r).marker] + ["hatchling"]
    seen: dict[str, metadata.Distribution] = {}
    while wanted:
        name = canonicalize_name(wanted.pop())
        if name in seen or name == "sovscan":
            continue
        dist = metadata.distribution(name)
        seen[name] = dist
        for text in dist.requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                wanted.append(requirement.name)
    target.mkdir()
    for dist in seen.values():
        for top in {Path(str(f)).parts[0] for f in dist.files or []}:
            if top in ("..", "__pycache__") or top.endswith(".pth"):
                continue
            source = Path(dist.locate_file(top))
            if source.exists() and not (target / top).exists():
                (target / top).symlink_to(source)
    return target


def _git(folder: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, env={**os.environ, **GIT_ENV})


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> tuple[Path, str, dict]:
    """A committed copy of sovscan (as users' pre-commit clones it) and the environment for an offline install."""
    base = tmp_path_factory.mktemp("precommit")
    repo = base / "sovscan"
    repo.mkdir()
    for name in ("scanner", "policies"):
        shutil.copytree(ROOT / name, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml"):
        shutil.copy(ROOT / name, repo / name)
    marked = f"{__version__}+hooktest"
    init = repo / "scanner" / "__init__.py"
    init.write_text(init.read_text(encoding="utf-8").replace(f'"{__version__}"', f'"{marked}"'), encoding="utf-8")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "sovscan")
    env = {
        **os.environ,
        **GIT_ENV,
        "PRE_COMMIT_HOME": str(base / "pre-commit-home"),
        "PIP_NO_INDEX": "1",
        "PIP_NO_BUILD_ISOLATION": "0",  # pip reads this variable inverted: "0" turns build isolation off
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PYTHONPATH": str(_dependency_folder(base / "deps")),
        "SOVSCAN_TODAY": os.environ.get("SOVSCAN_TODAY", "2026-11-27"),
    }
    return repo, marked, env


def _user_repo(folder: Path) -> Path:
    folder.mkdir()
    _infra(folder)
    _git(folder, "init", "-q")
    _git(folder, "add", "-A")
    _git(folder, "commit", "-q", "-m", "infra")
    return folder


def test_hook_definition():
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert (hook["id"], hook["entry"], hook["language"], hook["pass_filenames"], hook["require_serial"]) == ("sovscan", "sovscan pre-commit", "python", True, True)
    import re

    pattern = re.compile(hook["files"])
    assert [f for f in ("a/main.tf", "x.tf.json", "prod.tfvars", "p.tfvars.json", "README.md", "main.tf.bak") if pattern.search(f)] == ["a/main.tf", "x.tf.json", "prod.tfvars", "p.tfvars.json"]


def test_pre_commit_try_repo(hook_repo, tmp_path):
    repo, marked, env = hook_repo
    user = _user_repo(tmp_path / "infra")
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(repo), "sovscan", "--files", "modules/db/main.tf", "--color", "never"],
        cwd=user,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "- hook id: sovscan\n- exit code: 1" in output
    assert "sovscan: scanning root module envs/prod\n" in output
    assert "modules/db/main.tf:6  module.db.aws_s3_bucket.exports  [aws eu-west-3 FR · sensitive]" in output
    assert "  HIGH     sensitive-data-without-secnumcloud" in output
    assert "aws_dynamodb_table.scratch" not in output  # envs/dev was not touched
    assert f"sovscan {marked}" in output  # the sovscan pip installed from the hook repository ran


def test_pre_commit_run_with_a_config(hook_repo, tmp_path):
    repo, marked, env = hook_repo
    user = _user_repo(tmp_path / "infra")
    sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True).stdout.strip()
    config = {"repos": [{"repo": str(repo), "rev": sha, "hooks": [{"id": "sovscan", "args": ["--fail-on", "medium"]}]}]}
    (user / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")

    def run(*files: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", "--color", "never", "--files", *files],
            cwd=user,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    tfvars = run("envs/prod/terraform.tfvars")
    assert tfvars.returncode == 1, tfvars.stdout + tfvars.stderr
    assert "sovscan: scanning root module envs/prod\n" in tfvars.stdout
    assert "module.db.aws_s3_bucket.exports" in tfvars.stdout and "aws_dynamodb_table.scratch" not in tfvars.stdout

    untouched = run("README.md")
    assert untouched.returncode == 0
    assert "(no files to check)Skipped" in untouched.stdout


def test_exceptions_for_other_roots_are_not_called_stale(monkeypatch, tmp_path):
    _infra(tmp_path)
    (tmp_path / ".sovscan-waivers.yml").write_text(
        "waivers:\n"
        "  - rule: personal-data-outside-eea\n    address: aws_dynamodb_table.scratch\n    reason: Test data only\n    expires: 2027-01-01\n    approver: RSSI\n"
        "  - rule: sensitive-data-without-secnumcloud\n    address: module.db.*\n    reason: Old\n    expires: 2026-01-01\n    approver: RSSI\n",
        encoding="utf-8",
    )
    result = _precommit(monkeypatch, tmp_path, "modules/db/main.tf", "--format", "json")
    errors = [(e["file"], e["line"], e["message"].split(";")[0]) for e in json.loads(result.stdout)["errors"]]
    # the dev waiver is not stale (dev was not scanned); the expired one is still said
    assert errors == [(".sovscan-waivers.yml", 7, "waiver for sensitive-data-without-secnumcloud on module.db.* expired on 2026-01-01")]
