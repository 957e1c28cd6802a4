"""Bounded cost: adversarial input is cut with an error, quickly and in bounded memory.

Time is measured in this process around the Terraform source alone (no
interpreter start-up); memory by running the command under an address-space
limit (``RLIMIT_AS``), past which Python raises MemoryError and the command
would end with an internal error instead of its report.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scanner.sources.terraform.extract.collect import scan_folder
from scanner.sources.terraform.module.inputs import VariableOptions
from tests.hostile.harness import _environment, copy_case

SECONDS = 5.0  # about 1.5 s on a laptop; room for a loaded CI runner
MEMORY = 512 * 1024 * 1024  # address space, not resident memory: the interpreter alone maps ~250 MiB


def _timed_scan(folder: Path):
    warm = folder.parent / "warm-up"
    warm.mkdir(exist_ok=True)
    (warm / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n}\n', encoding="utf-8")
    scan_folder(warm, VariableOptions())  # load the grammar and the provider knowledge outside the clock
    started = time.perf_counter()
    result = scan_folder(folder, VariableOptions())
    return result, time.perf_counter() - started


def test_locals_that_double_forty_times_and_nested_setproducts_are_cut_quickly(tmp_path: Path):
    case = copy_case("exponential-expansion", tmp_path)
    result, seconds = _timed_scan(case)
    assert sorted((e.line, e.message) for e in result.errors) == [
        (20, "a collection of 131072 elements is too large to evaluate"),
        (65, "a template renders more than 5 MB"),
        (75, "setproduct() result is too large to evaluate"),
    ]
    assert seconds < SECONDS, f"{seconds:.1f} s"


def test_a_count_of_a_billion_is_not_expanded(tmp_path: Path):
    case = copy_case("enormous-count-and-for-each", tmp_path)
    result, seconds = _timed_scan(case)
    assert sorted(r.address for r in result.resources) == ["aws_s3_bucket.keyed", "aws_s3_bucket.many", "aws_s3_bucket.survivor", "module.fleet.aws_s3_bucket.member"]
    assert seconds < SECONDS, f"{seconds:.1f} s"


def test_deep_nesting_is_refused_quickly(tmp_path: Path):
    for name in ("deeply-nested-expression", "deeply-nested-blocks"):
        case = copy_case(name, tmp_path)
        result, seconds = _timed_scan(case)
        assert result.errors and seconds < SECONDS, (name, f"{seconds:.1f} s")


def run_limited(folder: Path, *args: str, timeout: float = 60) -> tuple[subprocess.CompletedProcess, float]:
    """``sovscan scan . ARGS`` with at most ``MEMORY`` of address space; (result, seconds)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))

    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "scanner", "scan", ".", "--format", "json", *args],
        cwd=folder, capture_output=True, text=True, timeout=timeout, env=_environment(), preexec_fn=limit,
    )
    return done, time.perf_counter() - started


def test_expansions_fit_in_bounded_memory(tmp_path: Path):
    for name in ("exponential-expansion", "enormous-count-and-for-each", "deeply-nested-expression"):
        done, _ = run_limited(copy_case(name, tmp_path))
        assert done.returncode == 1, (name, done.stderr)
        assert "internal error" not in done.stderr and "MemoryError" not in done.stderr


def test_the_memory_limit_is_real(tmp_path: Path):
    """The limit above can fail a test: a scan that needs more memory than it allows dies."""
    folder = tmp_path / "hungry"
    folder.mkdir()
    script = "x = bytearray(1024 * 1024 * 1024)"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY)), env=dict(os.environ))
    assert done.returncode != 0 and "MemoryError" in done.stderr


# --------------------------------------------------------------------------- built-ins with unbounded work

CPU_SECONDS = 5  # the whole command, start-up included: a scan of one local takes about 1.2 s

# Each expression alone in a local, scanned by the command under CPU_SECONDS of processor time and MEMORY.
EXPENSIVE = {
    # Python's re backtracks; Terraform's RE2 does not.
    "regex-backtracking": 'regex("(a+)+$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!")',
    # cidrsubnet must not walk every subnet up to netnum (it computes the answer, as Terraform does).
    "cidrsubnet-large-netnum": 'cidrsubnet("10.0.0.0/8", 24, 16000000)',
    "cidrsubnet-ipv6": 'cidrsubnet("fd00::/8", 56, 72057594037927935)',
    # format pads to any width, indent to any count: refused before the gigabyte is built.
    "format-width": 'format("%0999999999d", 1)',
    "indent-count": 'indent(999999999, "a\\nb")',
    # Python integers have no bound.
    "pow-large": "pow(10, 10000000)",
    # Three nested for expressions: the evaluation budget runs out quickly.
    "nested-for": "length(flatten([for a in range(1000) : [for b in range(1000) : [for c in range(1000) : c]]]))",
}
COMPUTED = {"cidrsubnet-large-netnum", "cidrsubnet-ipv6"}  # the others are refused with an error
SQUARING = "locals {\n  n0 = 99999999999\n" + "".join(f"  n{i} = local.n{i - 1} * local.n{i - 1}\n" for i in range(1, 40)) + "}\n"


@pytest.fixture(scope="module")
def expensive_runs(tmp_path_factory) -> dict[str, tuple[int | None, str]]:
    """Every expensive case, scanned at once: name -> (exit code, everything it printed).

    Each command may use CPU_SECONDS of processor time (the kernel kills it
    past that) and MEMORY of address space, so running them side by side on a
    small machine changes no verdict.
    """

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
        resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))

    texts = {name: f"locals {{\n  x = {expression}\n}}\n" for name, expression in EXPENSIVE.items()}
    texts["integer-squaring"] = SQUARING
    processes = {}
    for name, text in texts.items():
        folder = tmp_path_factory.mktemp(name)
        (folder / "main.tf").write_text('provider "aws" {\n  region = "eu-west-3"\n}\n\n' + text, encoding="utf-8")
        processes[name] = subprocess.Popen(
            [sys.executable, "-m", "scanner", "scan", ".", "--no-cache"],
            cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_environment(), preexec_fn=limit,
        )
    results = {}
    for name, process in processes.items():
        try:
            output, _ = process.communicate(timeout=120)
            results[name] = (process.returncode, output)
        except subprocess.TimeoutExpired:  # blocked without using the processor: a hang of another kind
            process.kill()
            process.communicate()
            results[name] = (None, "timed out")
    return results


@pytest.mark.parametrize("name", [*EXPENSIVE, "integer-squaring"])
def test_an_expensive_built_in_is_cut_quickly_in_bounded_memory(name: str, expensive_runs):
    code, output = expensive_runs[name]
    assert code == 0, f"exit {code} (negative: killed at the CPU limit): {output[-300:]}"
    assert "internal error" not in output
    assert "MemoryError" not in output, "refused by running out of memory, not by a check before the work"
    assert ("main.tf:" in output) == (name not in COMPUTED), "a refused expression is reported as an input problem"
