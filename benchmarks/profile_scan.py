"""Where a scan's time goes: cProfile over one ``sovscan scan``, cut into pipeline stages.

Runs the real command in-process (``scanner.cli.app.main``) under cProfile, once
cold (empty parse and scan caches, grammar cached) and once warm (the scan
replayed from the scan cache), and prints a
Markdown section: the stages (parse — lark's parser and the conversion of
its tree —, the parse cache, Terraform evaluation, policy loading, classify,
locate, rules, exceptions, reporting) with their cumulative time, then the
functions with the most time of their own. cProfile slows Python code about
twofold and fairly evenly, so read shares, not seconds.

    python benchmarks/profile_scan.py benchmarks/corpus/10k
"""

from __future__ import annotations

import contextlib
import cProfile
import io
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# (stage, file suffix, function): cumulative time of that function. Indented
# stages are parts of the one above.
STAGES = [
    ("scan cache: the key (walk and hash every input file)", "scanner/cli/replay.py", "scan_key"),
    ("scan cache: read the stored scan", "scanner/cli/replay.py", "load"),
    ("scan cache: replay its output", "scanner/cli/replay.py", "replay"),
    ("scan cache: store the scan", "scanner/cli/replay.py", "store"),
    ("policy: load and validate catalog, vocabulary, pack", "scanner/pipeline.py", "load_policy"),
    ("collect: Terraform source (parse + evaluate)", "scanner/sources/__init__.py", "collect"),
    ("  parse .tf files (Project.parse_file, with the cache)", "scanner/sources/terraform/module/project.py", "parse_file"),
    ("    parse cache lookups (hash, read, decode)", "scanner/sources/terraform/syntax/parsecache.py", "get"),
    ("    parse cache stores (re-hash, encode, write)", "scanner/sources/terraform/syntax/parsecache.py", "put"),
    ("    lark parse (python-hcl2 grammar)", "scanner/sources/terraform/syntax/hcl.py", "parse_tree"),
    ("    lark tree → sovscan AST", "scanner/sources/terraform/syntax/hcl.py", "_body"),
    ("  read .tfvars (parsed without the cache)", "scanner/sources/terraform/module/inputs.py", "_read_tfvars"),
    ("  module configuration (build_module)", "scanner/sources/terraform/module/config.py", "build_module"),
    ("  evaluate root modules (instances, resources)", "scanner/sources/terraform/extract/collect.py", "_walk"),
    ("build_report: classify, locate, rules", "scanner/pipeline.py", "build_report"),
    ("  classify (tags, workload lifting)", "scanner/classify.py", "classify"),
    ("  locate (catalog lookups)", "scanner/locate.py", "locate"),
    ("  rules (evaluate.judge)", "scanner/evaluate/__init__.py", "judge"),
    ("exceptions: suppressions, waivers, baseline", "scanner/cli/scan.py", "apply_exceptions"),
    ("reporting: render and write", "scanner/cli/scan.py", "write_outputs"),
]


def profile(corpus: Path) -> tuple[pstats.Stats, float]:
    """Profile ``sovscan scan CORPUS`` in this process; stdout discarded."""
    from scanner.cli.app import main

    profiler = cProfile.Profile()
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        profiler.enable()
        try:
            main(["scan", str(corpus), "--format", "text"])
        except SystemExit:
            pass
        finally:
            profiler.disable()
    return pstats.Stats(profiler), time.perf_counter() - started


def cumulative(stats: pstats.Stats, suffix: str, function: str) -> float | None:
    found = None
    for (file, _, name), (_, _, _, cum, _) in stats.stats.items():  # type: ignore[attr-defined]
        if name == function and file.replace(os.sep, "/").endswith(suffix):
            found = (found or 0.0) + cum
    return found


def top(stats: pstats.Stats, count: int) -> list[tuple[float, float, int, str]]:
    rows = []
    for (file, line, name), (_, calls, own, cum, _) in stats.stats.items():  # type: ignore[attr-defined]
        short = file.replace(os.sep, "/")
        for marker in ("site-packages/", "/work/main/", str(Path.cwd()) + "/"):
            if marker in short:
                short = short.split(marker, 1)[1]
        rows.append((own, cum, calls, f"{short}:{line}({name})"))
    return sorted(rows, reverse=True)[:count]


def section(title: str, stats: pstats.Stats, wall: float) -> list[str]:
    total = cumulative(stats, "scanner/cli/scan.py", "run_or_replay") or cumulative(stats, "scanner/cli/scan.py", "run") or wall
    out = [f"### {title}", "", f"Profiled wall time {wall:.1f} s (the profiler's overhead included).", "",
           "| stage | cumulative s | share |", "|---|---:|---:|"]
    for label, suffix, function in STAGES:
        seconds = cumulative(stats, suffix, function)
        if seconds is None:
            continue
        shown = label.replace("  ", "&nbsp;&nbsp;")
        out.append(f"| {shown} | {seconds:.2f} | {seconds / total * 100:.0f} % |")
    out += ["", "Top functions by own time:", "", "| own s | cumulative s | calls | function |", "|---:|---:|---:|---|"]
    for own, cum, calls, name in top(stats, 15):
        out.append(f"| {own:.2f} | {cum:.2f} | {calls} | `{name}` |")
    return out


def forget_repositories(cache: Path) -> None:
    """Empty what a cache folder knows of scanned files (the parse cache, replayable scans); keep sovscan's own
    artefacts (the compiled grammar, the validated catalog and packs), which any earlier run leaves."""
    for item in cache.iterdir():
        if item.is_dir():
            shutil.rmtree(item)
        elif item.name.startswith(("scan-", "command-")):  # scancache.KIND, scancache.COMMAND_KIND
            item.unlink()


def profile_markdown(corpus: Path, cache: Path, seed: Path | None = None) -> str:
    """Cold and warm profiles of one corpus, each in a fresh process, as Markdown."""
    if seed is not None:  # a copied grammar is rebuilt (lark keys its cache on the path): the cold profile counts it
        if cache.exists():
            shutil.rmtree(cache)
        shutil.copytree(seed, cache)
    else:  # a cache folder used before: keep its compiled grammar, forget the repository
        cache.mkdir(parents=True, exist_ok=True)
        forget_repositories(cache)
    env = dict(os.environ, SOVSCAN_CACHE_DIR=str(cache))
    parts = ["## Profile", "", f"`python benchmarks/profile_scan.py {corpus.relative_to(HERE.parent) if corpus.is_relative_to(HERE.parent) else corpus}`: "
             "cProfile over `sovscan scan` in one process, cold then warm."]
    for title in ("cold", "warm"):
        done = subprocess.run([sys.executable, str(Path(__file__)), str(corpus), "--section", title], env=env, capture_output=True, text=True)
        parts += ["", done.stdout.strip() if done.returncode == 0 else f"(profile failed: {done.stderr.strip().splitlines()[-1:]})"]
    return "\n".join(parts) + "\n"


def main(argv: list[str]) -> int:
    corpus = Path(argv[0])
    if "--section" in argv:  # one profile, in this fresh process (the cache folder comes from the environment)
        stats, wall = profile(corpus)
        print("\n".join(section(f"{argv[argv.index('--section') + 1]} scan of {corpus.name}", stats, wall)))
        return 0
    with tempfile.TemporaryDirectory(prefix="sovscan-profile-") as temp:
        print(profile_markdown(corpus, Path(temp) / "cache"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
