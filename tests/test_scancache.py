"""The scan cache: an unchanged re-scan is replayed byte for byte; any change to anything a scan reads is a miss.

Every test scans a copy of ``fixtures/terraform/scan-cache-every-input``
(a tfvars file, a tag read with ``file()``, a local module) inside its own
cache directory. A miss is seen as a new entry in the cache, and its output
is compared with a ``--no-cache`` scan of the same state: a stale replay
would show the old output.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import scanner.cli.scan as scan_command
from scanner.cli import replay as scancache
from scanner.cli.app import cli
from tests.support import FIXTURES

CASE = FIXTURES / "terraform" / "scan-cache-every-input"


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A copy of the case in a folder of its own (``tmp/work/case``), scanned from ``tmp/work``, with its own cache."""
    work = tmp_path / "work"
    folder = work / "case"
    shutil.copytree(CASE, folder)
    (folder / "expected.yaml").unlink()
    monkeypatch.chdir(work)
    monkeypatch.setenv("SOVSCAN_CACHE_DIR", str(tmp_path / "cache"))
    for name in [n for n in os.environ if n.startswith("TF_VAR_")]:
        monkeypatch.delenv(name)
    return folder


def scan(*args: str):
    result = CliRunner().invoke(cli, ["scan", "case", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def entries(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache").glob(f"{scancache.KIND}-*.pickle"))


def without_scanning(monkeypatch) -> None:
    """From here on a scan that is not a replay fails the test."""

    def fail(*args, **kwargs):
        raise AssertionError("the scan ran instead of being replayed")

    monkeypatch.setattr(scan_command, "run", fail)


# --------------------------------------------------------------------------- hits


def test_unchanged_scan_is_replayed_byte_for_byte(project, tmp_path, monkeypatch):
    first = scan("--format", "text", "--output", "json=out/report.json", "--output", "sarif=out/report.sarif")
    written = {name: (project.parent / "out" / name).read_bytes() for name in ("report.json", "report.sarif")}
    shutil.rmtree(project.parent / "out")
    assert first[0] == 1 and "sensitive-data-without-secnumcloud" in first[1]
    assert len(entries(tmp_path)) == 1

    without_scanning(monkeypatch)
    second = scan("--format", "text", "--output", "json=out/report.json", "--output", "sarif=out/report.sarif")
    assert second == first  # exit code, stdout and stderr
    assert {name: (project.parent / "out" / name).read_bytes() for name in written} == written


def test_touching_a_file_without_changing_it_is_still_a_hit(project, tmp_path, monkeypatch):
    """The key is the content, not the modification time (a fresh git checkout touches every file)."""
    first = scan()
    later = (project / "main.tf").stat().st_mtime + 100
    os.utime(project / "main.tf", (later, later))
    without_scanning(monkeypatch)
    assert scan() == first
    assert len(entries(tmp_path)) == 1


def test_explain_is_replayed(project, monkeypatch):
    first = scan("--explain", "aws_s3_bucket.records")
    assert "eu-west-3" in first[1]
    without_scanning(monkeypatch)
    assert scan("--explain", "aws_s3_bucket.records") == first


# --------------------------------------------------------------------------- misses


def _same_size_edit(project: Path) -> None:
    """Same size and same modification time: only the bytes tell."""
    path = project / "terraform.tfvars"
    info = path.stat()
    path.write_text(path.read_text().replace("eu-west-3", "us-west-2"))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def _write(relative: str, text: str):
    def change(project: Path) -> None:
        path = project / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    return change


CHANGES = {
    "a tfvars value, same size and time": _same_size_edit,
    "a file read by file()": _write("tags.json", '{"data_classification": "public"}\n'),
    "a new .tf file": _write("extra.tf", 'resource "aws_s3_bucket" "extra" {\n  bucket = "x"\n  tags = { data_classification = "health" }\n}\n'),
    "a removed module file": lambda project: (project / "modules" / "store" / "main.tf").unlink(),
    "a renamed tfvars file": lambda project: (project / "terraform.tfvars").rename(project / "prod.tfvars"),
    "a module manifest written by terraform init": _write(".terraform/modules/modules.json", '{"Modules": []}\n'),
    "a module manifest rewritten by terraform init": _write(".terraform/modules/modules.json", '{"Modules": [{"Key": "", "Source": "", "Dir": "."}]}\n'),
    "a .sovscan.yml above the folder": lambda project: (project.parent / ".sovscan.yml").write_text("pack: eu\n"),
    "a waiver file above the folder": lambda project: (project.parent / ".sovscan-waivers.yml").write_text(
        "waivers:\n  - rule: sensitive-data-without-secnumcloud\n    address: aws_s3_bucket.records\n"
        "    reason: migration to a qualified offer planned\n    expires: 2027-06-30\n"
    ),
    "a .git folder above (paths become repository-relative)": lambda project: (project.parent / ".git").mkdir(),
    "the target of a link leading outside appears": lambda project: (project.parent.parent / "elsewhere.tf").write_text("# outside\n"),
}


# State before the first scan, for the changes that need one.
BEFORE = {
    "a module manifest rewritten by terraform init": _write(".terraform/modules/modules.json", '{"Modules": []}\n'),
    # broken first ("its target does not exist"), then a link out of the scanned folder ("leads outside")
    "the target of a link leading outside appears": lambda project: (project / "outside.tf").symlink_to(project.parent.parent / "elsewhere.tf"),
}


@pytest.mark.parametrize("change", list(CHANGES), ids=list(CHANGES))
def test_any_change_to_what_a_scan_reads_is_a_miss(project, tmp_path, change):
    if change in BEFORE:
        BEFORE[change](project)
    scan("--format", "json")
    CHANGES[change](project)
    again = scan("--format", "json")
    assert len(entries(tmp_path)) == 2
    assert again == scan("--format", "json", "--no-cache")


@pytest.mark.parametrize(
    "variable, value",
    [("TF_VAR_region", "us-east-1"), ("SOVSCAN_TODAY", "2031-01-01"), ("LANG", "fr_FR.UTF-8")],
)
def test_the_environment_a_scan_reads_is_part_of_the_key(project, tmp_path, monkeypatch, variable, value):
    scan("--format", "json")
    monkeypatch.setenv(variable, value)
    again = scan("--format", "json")
    assert len(entries(tmp_path)) == 2
    assert again == scan("--format", "json", "--no-cache")


def test_options_are_part_of_the_key(project, tmp_path):
    scan()
    changed = scan("--var", "region=us-east-1")
    assert "us-east-1" in changed[1]
    assert len(entries(tmp_path)) == 2


def test_a_damaged_entry_is_a_miss_not_a_wrong_result(project, tmp_path):
    first = scan("--format", "json")
    (entry,) = entries(tmp_path)
    blob = bytearray(entry.read_bytes())
    blob[-1] ^= 0xFF
    entry.write_bytes(bytes(blob))
    assert scan("--format", "json") == first


# --------------------------------------------------------------------------- bypass and bounds


def test_no_cache_neither_reads_nor_writes_entries(project, tmp_path):
    scan("--no-cache")
    assert entries(tmp_path) == []


def test_create_baseline_always_scans(project, tmp_path):
    scan("--create-baseline", "baseline.json")
    assert entries(tmp_path) == []


def test_old_entries_are_pruned(project, tmp_path):
    for day in range(1, scancache.KEEP_ENTRIES + 4):
        scan("--as-of", f"2026-12-{day:02d}")
    assert len(entries(tmp_path)) == scancache.KEEP_ENTRIES


def test_a_cache_folder_inside_the_scanned_folder_does_not_change_the_key(project, tmp_path, monkeypatch):
    """A CI job that keeps the cache in the repository (GitLab caches only paths inside it) still replays."""
    monkeypatch.setenv("SOVSCAN_CACHE_DIR", str(project / ".sovscan-cache"))
    first = scan()
    without_scanning(monkeypatch)
    assert scan() == first


def test_provider_binaries_and_git_objects_are_not_read(project, monkeypatch):
    """terraform init leaves provider binaries of hundreds of MB in .terraform/providers; a scan never reads them."""
    _write(".terraform/providers/registry.terraform.io/hashicorp/aws/5.0.0/linux_amd64/terraform-provider-aws", "ELF")(project)
    _write(".git/objects/ab/cdef", "blob")(project)
    hashed: list[str] = []
    original = scancache._file_digest
    monkeypatch.setattr(scancache, "_file_digest", lambda path, whole=False: (hashed.append(path), original(path, whole))[1])
    scan()
    names = {os.path.basename(p) for p in hashed}
    assert "main.tf" in names and "tags.json" in names
    assert not {"terraform-provider-aws", "cdef"} & names


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_in_the_folder_does_not_hang_the_key(project, tmp_path):
    """Only regular files are opened: a FIFO would block the read forever."""
    os.mkfifo(project / "pipe.tf")
    env = {**os.environ, "SOVSCAN_CACHE_DIR": str(tmp_path / "cache")}
    for _ in range(2):  # a miss, then a hit
        done = subprocess.run([sys.executable, "-m", "scanner", "scan", "case"], cwd=project.parent, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 1, done.stderr
        assert "case/pipe.tf: not a regular file (a named pipe); skipped" in done.stdout
    assert len(entries(tmp_path)) == 1


# --------------------------------------------------------------------------- replaying before the CLI loads


def program(project: Path, tmp_path: Path, *args: str, env: dict | None = None):
    """``python -X importtime -m scanner scan case …`` as the sovscan program runs; stderr without the import lines."""
    environment = {**os.environ, "SOVSCAN_CACHE_DIR": str(tmp_path / "cache"), **(env or {})}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "scanner", "scan", "case", *args],
        cwd=project.parent, env=environment, capture_output=True, text=True, timeout=120,
    )
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    stderr = "".join(line + "\n" for line in done.stderr.splitlines() if not line.startswith("import time:"))
    return (done.returncode, done.stdout, stderr), imported


def test_the_program_replays_an_unchanged_scan_without_loading_the_cli(project, tmp_path):
    args = ("--format", "text", "--output", "json=out/report.json")
    first, imported = program(project, tmp_path, *args)
    assert "click" in imported and first[0] == 1
    report = (project.parent / "out" / "report.json").read_bytes()
    shutil.rmtree(project.parent / "out")
    again, imported = program(project, tmp_path, *args)
    assert again == first
    assert (project.parent / "out" / "report.json").read_bytes() == report
    assert "click" not in imported and "scanner.pipeline" not in imported


def test_the_program_does_not_replay_a_changed_scan(project, tmp_path):
    program(project, tmp_path, "--format", "json")
    (project / "tags.json").write_text('{"data_classification": "public"}\n')
    again, imported = program(project, tmp_path, "--format", "json")
    assert "click" in imported
    assert again == program(project, tmp_path, "--format", "json", "--no-cache")[0]


def test_another_command_line_is_not_replayed_from_this_one(project, tmp_path):
    program(project, tmp_path, "--format", "json")
    other, imported = program(project, tmp_path, "--format", "sarif")
    assert "click" in imported and other[1].startswith("{")
    assert '"$schema"' in other[1]


def test_no_cache_is_never_replayed(project, tmp_path):
    program(project, tmp_path)
    program(project, tmp_path)
    _, imported = program(project, tmp_path, "--no-cache")
    assert "click" in imported


def test_text_holding_an_escape_sequence_is_left_to_click(capsys):
    """click.echo strips escape sequences from output that is not a terminal: a direct write would differ."""
    entry = scancache.Entry([("stdout", "tag \x1b[31mred\n")], 1)
    assert entry.replay_without_click() is None
    assert capsys.readouterr() == ("", "")
    assert scancache.Entry([("stdout", "plain\n"), ("stderr", "done")], 1).replay_without_click() == 1
    assert capsys.readouterr() == ("plain\n", "done\n")
