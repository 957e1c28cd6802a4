"""Time sovscan against the parse floor and Checkov on generated monorepos; write RESULTS.md.

Everything is measured in one run, pairwise: for each corpus size and each
repeat, the floor, a cold scan and a warm scan run back to back, so a busy
machine slows all of them alike. Each command runs in a fresh process; its
wall time, CPU time and memory are taken from the kernel: ``wait4``'s
``ru_maxrss`` (the largest single process) and the peak total PSS of its
process tree, sampled every 0.25 s from /proc (so forked workers count, and
pages they share with their parent count once).

What is timed (the same files each time):

- floor: ``benchmarks/floor.py`` — python-hcl2's ``hcl2.load`` on every
  .tf/.tfvars file, one fresh process, one core, its grammar from its own
  cache file;
- sovscan cold: ``sovscan scan CORPUS`` with empty parse and scan caches
  and sovscan's own artefacts cached (the compiled grammar, the validated
  catalog and packs), as after any earlier run; "first run" builds those
  too, and ``--no-cache`` reads and writes no parse or scan cache;
- sovscan warm: the same command again, every file unchanged (a replay from
  the scan cache);
- Checkov: ``checkov -d CORPUS --framework terraform --compact --quiet``
  from ``benchmarks/.venv-checkov`` (``pip install checkov`` there; never a
  sovscan dependency), capped by ``--checkov-timeout``;
- ``sovscan --version``; and the pre-commit path: one file of the 10k
  corpus changed, then ``sovscan pre-commit FILE`` and a whole ``sovscan
  scan`` with the cache warm for every other file.

sovscan's modules are compiled to .pyc first, as ``pip install`` does.

``--candidate DIR`` also times a second sovscan checkout (e.g. one with a
proposed diff applied) in the same repeats, through PYTHONPATH.

    python benchmarks/generate.py 1k 10k 50k
    python benchmarks/run.py                      # writes benchmarks/RESULTS.md
    python benchmarks/run.py --sizes 1k --repeat 1 --no-checkov --out /tmp/r.md
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = HERE / "corpus"
CHECKOV = HERE / ".venv-checkov" / "bin" / "checkov"
SOVSCAN = Path(sys.executable).parent / "sovscan"
PYTHON = Path(sys.executable)
SAMPLE_SECONDS = 0.25  # /proc walks cost ~5 % of a core at 0.1 s

sys.path.insert(0, str(HERE))
import profile_scan  # noqa: E402  (benchmarks/profile_scan.py)


@dataclass
class Run:
    label: str
    command: list[str]
    wall: float
    cpu: float
    max_rss_kb: int
    tree_peak_kb: int
    exit_code: int
    timed_out: bool = False

    @property
    def peak_kb(self) -> int:
        return max(self.max_rss_kb, self.tree_peak_kb)


@dataclass
class Series:
    """Repeated runs of one command; its median wall time is what the tables show."""

    label: str
    runs: list[Run] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r.peak_kb for r in self.runs) / 1024

    @property
    def timed_out(self) -> bool:
        return any(r.timed_out for r in self.runs)

    def spread(self) -> str:
        walls = [r.wall for r in self.runs]
        return f"{min(walls):.2f}–{max(walls):.2f}" if len(walls) > 1 else "-"


# --------------------------------------------------------------------------- measuring one process


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    return children


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except (OSError, ValueError, IndexError):
        return 0


def _tree_kb(pid: int) -> int:
    children = _children_map()
    total, stack, seen = 0, [pid], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        total += _pss_kb(current)
        stack.extend(children.get(current, ()))
    return total


def measure(label: str, command: list[str], *, cwd: Path = ROOT, env: dict | None = None, timeout: float | None = None) -> Run:
    """Run ``command`` once in a fresh process group; wall, CPU and memory from the kernel."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(SAMPLE_SECONDS):
            peak[0] = max(peak[0], _tree_kb(process.pid))

    timed_out = [False]

    def kill() -> None:
        timed_out[0] = True
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    timer = threading.Timer(timeout, kill) if timeout else None
    if timer:
        timer.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    if timer:
        timer.cancel()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    return Run(label, command, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, peak[0], process.returncode, timed_out[0])


# --------------------------------------------------------------------------- what to run


BASELINE: Path | None = None  # --baseline: the checkout timed as "sovscan"


def sovscan_env(cache: Path | None, candidate: Path | None = None) -> dict:
    env = dict(os.environ)
    env["SOVSCAN_CACHE_DIR"] = str(cache) if cache else ""
    env.pop("PYTHONPATH", None)
    checkout = candidate or BASELINE
    if checkout:
        env["PYTHONPATH"] = str(checkout)
    return env


def sovscan_scan(corpus: Path) -> list[str]:
    return [str(SOVSCAN), "scan", str(corpus), "--format", "text"]


def checkov_command(corpus: Path) -> list[str]:
    return [str(CHECKOV), "-d", str(corpus), "--framework", "terraform", "--compact", "--quiet"]


def checkov_env() -> dict:
    env = dict(os.environ)
    env["BC_SKIP_MAPPING"] = "TRUE"  # no download of the guideline mapping: a fair, offline run
    return env


def compile_bytecode(checkout: Path | None) -> None:
    """Write sovscan's .pyc files, as pip does when it installs a wheel.

    A checkout run with PYTHONDONTWRITEBYTECODE (or a fresh worktree) would
    otherwise compile every module on every run, about 0.1 s that no
    installed sovscan pays.
    """
    env = sovscan_env(None, checkout)
    # From the root folder: ``python -c`` puts its working folder first on sys.path, before PYTHONPATH.
    where = "import os, scanner; print(os.path.dirname(scanner.__file__))"
    done = subprocess.run([str(PYTHON), "-c", where], env=env, cwd="/", capture_output=True, text=True, check=True)
    package = Path(done.stdout.strip())
    if checkout is not None and not package.is_relative_to(checkout.resolve()):
        raise SystemExit(f"{checkout}: sovscan is imported from {package} instead")
    subprocess.run([str(PYTHON), "-m", "compileall", "-q", str(package)], env=env, check=True, stdout=subprocess.DEVNULL)


def grammar_seed(workdir: Path) -> Path:
    """A cache folder holding only sovscan's own artefacts (compiled grammar, validated policies), copied into fresh caches."""
    seed = workdir / "grammar-seed"
    seed.mkdir(exist_ok=True)
    measure("warm-up", [str(SOVSCAN), "scan", str(ROOT / "fixtures" / "demo")], env=sovscan_env(seed))
    profile_scan.forget_repositories(seed)
    return seed


def fresh_cache(workdir: Path, seed: Path, name: str) -> Path:
    """A new cache folder holding only sovscan's own artefacts (compiled grammar, validated policies), copied from the seed."""
    cache = workdir / name
    shutil.copytree(seed, cache)
    return cache


def cold_cache(workdir: Path, variant: str, candidate: Path | None = None) -> Path:
    """The cache folder of one variant with its parse and scan caches emptied and sovscan's own artefacts kept, as after any earlier run."""
    cache = workdir / f"cache-{variant}"
    if not cache.exists():
        cache.mkdir()
        measure("grammar", [str(SOVSCAN), "scan", str(ROOT / "fixtures" / "demo")], env=sovscan_env(cache, candidate))
    profile_scan.forget_repositories(cache)
    return cache


# --------------------------------------------------------------------------- the benchmark


@dataclass
class SizeResult:
    size: str
    corpus: dict
    floor: Series
    cold: Series
    warm: Series
    first: Series
    no_cache: Series
    candidate_cold: Series | None = None
    candidate_warm: Series | None = None
    checkov: Series | None = None


def bench_size(size: str, args, workdir: Path, seed: Path) -> SizeResult:
    corpus = CORPUS / size
    info = json.loads((corpus / "CORPUS.json").read_text())
    repeat = 1 if size == "50k" else args.repeat
    result = SizeResult(size, info, Series("floor"), Series("sovscan cold"), Series("sovscan warm"), Series("sovscan first run"), Series("sovscan --no-cache"))
    if args.candidate:
        result.candidate_cold, result.candidate_warm = Series("candidate cold"), Series("candidate warm")
    floor_cmd = [str(PYTHON), str(HERE / "floor.py"), str(corpus)]
    for i in range(repeat):
        log(f"{size}: repeat {i + 1}/{repeat}")
        cap = args.scan_timeout
        result.floor.runs.append(measure("floor", floor_cmd, timeout=cap))
        cache = cold_cache(workdir, "sovscan")
        result.cold.runs.append(measure("cold", sovscan_scan(corpus), env=sovscan_env(cache), timeout=cap))
        result.warm.runs.append(measure("warm", sovscan_scan(corpus), env=sovscan_env(cache), timeout=cap))
        line = f"  floor {result.floor.runs[-1].wall:.2f} s, cold {result.cold.runs[-1].wall:.2f} s, warm {result.warm.runs[-1].wall:.2f} s"
        if args.candidate:
            cache = cold_cache(workdir, "candidate", args.candidate)
            result.candidate_cold.runs.append(measure("candidate cold", sovscan_scan(corpus), env=sovscan_env(cache, args.candidate), timeout=cap))
            result.candidate_warm.runs.append(measure("candidate warm", sovscan_scan(corpus), env=sovscan_env(cache, args.candidate), timeout=cap))
            line += f", candidate cold {result.candidate_cold.runs[-1].wall:.2f} s, warm {result.candidate_warm.runs[-1].wall:.2f} s"
        log(line)
    if size != "50k":  # once-only variants, skipped where one run takes minutes
        empty = workdir / f"{size}-empty"
        empty.mkdir()
        result.first.runs.append(measure("first", sovscan_scan(corpus), env=sovscan_env(empty), timeout=args.scan_timeout))
        result.no_cache.runs.append(measure("no-cache", sovscan_scan(corpus) + ["--no-cache"], env=sovscan_env(fresh_cache(workdir, seed, f"{size}-nc")), timeout=args.scan_timeout))
    if not args.no_checkov and CHECKOV.exists():
        log(f"{size}: checkov (cap {args.checkov_timeout:.0f} s)")
        result.checkov = Series("checkov", [measure("checkov", checkov_command(corpus), env=checkov_env(), timeout=args.checkov_timeout)])
        log(f"  checkov {result.checkov.wall:.1f} s{' (cap reached)' if result.checkov.timed_out else ''}")
    return result


@dataclass
class PrecommitResult:
    file: str
    hook: Series
    whole: Series
    cold_hook: Series


def bench_precommit(args, workdir: Path, seed: Path) -> PrecommitResult | None:
    """One changed file in the 10k corpus, the cache warm for every other file."""
    corpus = CORPUS / "10k"
    if not corpus.exists():
        return None
    target = sorted((corpus / "live" / "prod").glob("*/main.tf"))[0]
    relative = target.relative_to(corpus).as_posix()
    original = target.read_text(encoding="utf-8")
    cache = cold_cache(workdir, "sovscan")
    measure("fill", sovscan_scan(corpus), env=sovscan_env(cache))  # warm every file
    hook_cmd = [str(SOVSCAN), "pre-commit", relative]
    result = PrecommitResult(relative, Series("pre-commit, one file changed"), Series("scan of the whole corpus, one file changed"), Series("pre-commit, nothing in the parse cache"))
    try:
        for i in range(args.repeat):
            target.write_text(original + f"\n# edited by benchmarks/run.py ({i})\n", encoding="utf-8")
            result.hook.runs.append(measure("hook", hook_cmd, cwd=corpus, env=sovscan_env(cache)))
            target.write_text(original + f"\n# edited again by benchmarks/run.py ({i})\n", encoding="utf-8")
            result.whole.runs.append(measure("whole", sovscan_scan(corpus), env=sovscan_env(cache)))
        result.cold_hook.runs.append(measure("cold hook", hook_cmd, cwd=corpus, env=sovscan_env(fresh_cache(workdir, seed, "precommit-cold"))))
    finally:
        target.write_text(original, encoding="utf-8")
    return result


def bench_version(runs: int = 11) -> Series:
    series = Series("sovscan --version")
    for _ in range(runs):
        series.runs.append(measure("version", [str(SOVSCAN), "--version"], env=sovscan_env(None)))
    return series


# --------------------------------------------------------------------------- the report


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("sovscan", "python-hcl2", "lark", "click", "PyYAML"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "-"
    if CHECKOV.exists():
        out = subprocess.run([str(CHECKOV), "--version"], capture_output=True, text=True, env=checkov_env())
        found["checkov"] = out.stdout.strip() or "-"
    return found


def machine() -> dict[str, str]:
    cpu = "-"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cores": f"{len(os.sched_getaffinity(0))} ({cpu})",
        "memory": f"{memory:.1f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("**met**" if ok else "**not met**")


def render(args, sizes: list[SizeResult], version_series: Series, precommit: PrecommitResult | None, profile: str | None, loads: tuple[str, str], started: str) -> str:
    out = ["# sovscan benchmarks", ""]
    out += [f"Measured {started} by `python benchmarks/run.py {' '.join(shlex.quote(a) for a in args.argv)}`, in one run, pairwise "
            "(floor, cold and warm scans back to back in each repeat; medians shown). Load average before / after: "
            f"{loads[0]} / {loads[1]}.", ""]
    out += ["## Machine", "", "| | |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in machine().items()]
    out += [f"| {k} | {v} |" for k, v in versions().items()]
    out += ["", "## Corpora", "", "Generated by `python benchmarks/generate.py 1k 10k 50k` (seeded, deterministic).", "",
            "| corpus | resource instances | root modules | files | bytes |", "|---|---:|---:|---:|---:|"]
    out += [f"| {s.size} | {s.corpus['resources']} | {s.corpus['roots']} | {s.corpus['files']} | {s.corpus['bytes']:,} |" for s in sizes]

    out += ["", "## Times", "", "Wall time in seconds (median; range over repeats), CPU seconds, and peak memory in MB "
            "(the larger of the largest process's RSS and the process tree's total PSS).", "",
            "| corpus | command | wall s | range | CPU s | peak MB | × floor (wall) | × floor (CPU) |", "|---|---|---:|---|---:|---:|---:|---:|"]
    for s in sizes:
        rows = [r for r in (s.floor, s.first, s.cold, s.warm, s.no_cache, s.candidate_cold, s.candidate_warm, s.checkov) if r is not None and r.runs]
        for series in rows:
            capped = " (cap reached: at least)" if series.timed_out else ""
            out.append(f"| {s.size} | {series.label}{capped} | {series.wall:.2f} | {series.spread()} | {series.cpu:.2f} | {series.peak_mb:.0f} | "
                       f"{series.wall / s.floor.wall:.2f} | {series.cpu / s.floor.cpu:.2f} |")
    out += ["", f"`sovscan --version`: median {version_series.wall * 1000:.0f} ms over {len(version_series.runs)} runs (range {version_series.spread()} s)."]
    if precommit:
        out += ["", "## Pre-commit path", "", f"`{precommit.file}` of the 10k corpus changed (a comment appended), every other file in the cache; "
                "run from the corpus root.", "", "| command | wall s | range | peak MB |", "|---|---:|---|---:|"]
        for series in (precommit.hook, precommit.cold_hook, precommit.whole):
            out.append(f"| {series.label} | {series.wall:.2f} | {series.spread()} | {series.peak_mb:.0f} |")

    out += ["", "## Targets (issue 8)", "", "| target | measured | verdict |", "|---|---|---|"]
    out += targets(sizes, version_series, precommit)
    if profile:
        out += ["", profile.strip()]
    out += ["", "## Reproduce", "", "```sh", "python -m venv .venv && .venv/bin/pip install -e '.[test]'",
            "python -m venv benchmarks/.venv-checkov && benchmarks/.venv-checkov/bin/pip install checkov",
            ".venv/bin/python benchmarks/generate.py 1k 10k 50k",
            f".venv/bin/python benchmarks/run.py {' '.join(shlex.quote(a) for a in args.argv)}", "```", "",
            "Single commands, as timed:", "", "```sh"]
    corpus = "benchmarks/corpus/10k"
    out += [f"python benchmarks/floor.py {corpus}",
            f"SOVSCAN_CACHE_DIR=$(mktemp -d) sovscan scan {corpus}   # cold; run it again for warm",
            f"BC_SKIP_MAPPING=TRUE benchmarks/.venv-checkov/bin/checkov -d {corpus} --framework terraform --compact --quiet",
            "python benchmarks/profile_scan.py benchmarks/corpus/10k", "```", ""]
    return "\n".join(out)


def targets(sizes: list[SizeResult], version_series: Series, precommit: PrecommitResult | None) -> list[str]:
    rows = []
    by = {s.size: s for s in sizes}
    for s in sizes:
        ratio = s.cold.wall / s.floor.wall
        rows.append(f"| {s.size}: cold scan ≤ 1.2 × parse floor | {s.cold.wall:.2f} s vs {s.floor.wall:.2f} s = {ratio:.2f}× | {verdict(ratio <= 1.2)} |")
        if s.candidate_cold:
            ratio = s.candidate_cold.wall / s.floor.wall
            rows.append(f"| {s.size}: cold scan with parallel parsing < floor | {s.candidate_cold.wall:.2f} s = {ratio:.2f}× | {verdict(ratio < 1)} |")
        ratio = s.warm.wall / s.cold.wall
        rows.append(f"| {s.size}: warm re-scan < 10 % of cold | {s.warm.wall:.2f} s = {ratio * 100:.0f} % | {verdict(ratio < 0.10)} |")
        if s.checkov:
            speed = s.checkov.wall / s.cold.wall
            at_least = "≥ " if s.checkov.timed_out else ""
            rows.append(f"| {s.size}: ≥ 20× faster than Checkov | {at_least}{speed:.1f}× ({s.checkov.wall:.1f} s{' capped' if s.checkov.timed_out else ''} vs {s.cold.wall:.2f} s) | "
                        f"{verdict(speed >= 20) if not s.checkov.timed_out or speed >= 20 else '**not shown** (cap)'} |")
            memory = s.cold.peak_mb / s.checkov.peak_mb if s.checkov.peak_mb else None
            rows.append(f"| {s.size}: ≤ half Checkov's peak memory | {s.cold.peak_mb:.0f} MB vs {s.checkov.peak_mb:.0f} MB"
                        f"{' (Checkov capped)' if s.checkov.timed_out else ''} | {verdict(memory is not None and memory <= 0.5)} |")
    if "10k" in by and "50k" in by:
        growth = by["50k"].cold.wall / by["10k"].cold.wall
        resources = by["50k"].corpus["resources"] / by["10k"].corpus["resources"]
        rows.append(f"| linear cost: cold 50k / 10k ≈ resources ratio ({resources:.1f}) | {growth:.1f}× | {verdict(growth <= resources * 1.2)} |")
        growth = by["50k"].warm.wall / by["10k"].warm.wall
        rows.append(f"| linear cost, warm | {growth:.1f}× | {verdict(growth <= resources * 1.2)} |")
    rows.append(f"| `sovscan --version` < 0.3 s | {version_series.wall * 1000:.0f} ms | {verdict(version_series.wall < 0.3)} |")
    if precommit:
        rows.append(f"| one changed file, 10k repo, warm, < 1 s (`sovscan pre-commit`) | {precommit.hook.wall:.2f} s | {verdict(precommit.hook.wall < 1)} |")
        rows.append(f"| for comparison (not a target): the same change, whole-corpus `sovscan scan` | {precommit.whole.wall:.2f} s | - |")
    return rows


ANALYSIS_START, ANALYSIS_END = "<!-- analysis: written by hand, kept by run.py -->", "<!-- /analysis -->"


def with_analysis(text: str, previous: Path) -> str:
    """Keep the hand-written analysis of the previous RESULTS.md, right after the title."""
    try:
        old = previous.read_text(encoding="utf-8")
    except OSError:
        return text
    if ANALYSIS_START not in old or ANALYSIS_END not in old:
        return text
    block = old[old.index(ANALYSIS_START):old.index(ANALYSIS_END) + len(ANALYSIS_END)]
    head, _, rest = text.partition("\n\n")
    return f"{head}\n\n{block}\n\n{rest}"


def log(message: str) -> None:
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["1k", "10k", "50k"])
    parser.add_argument("--repeat", type=int, default=3, help="repeats per size (50k: once)")
    parser.add_argument("--checkov-timeout", type=float, default=1800.0, help="cap on one Checkov run, in seconds")
    parser.add_argument("--scan-timeout", type=float, default=1800.0, help="cap on one sovscan or floor run, in seconds")
    parser.add_argument("--no-checkov", action="store_true")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--candidate", type=Path, help="a second sovscan checkout to time alongside (via PYTHONPATH)")
    parser.add_argument("--baseline", type=Path, help="time this sovscan checkout (via PYTHONPATH) instead of the installed one, e.g. a snapshot of a tree others are editing")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)
    args.argv = list(argv if argv is not None else sys.argv[1:])
    global BASELINE
    BASELINE = args.baseline
    for size in args.sizes:
        if not (CORPUS / size / "CORPUS.json").exists():
            subprocess.run([str(PYTHON), str(HERE / "generate.py"), size], check=True)
    started = f"{datetime.datetime.now():%Y-%m-%d %H:%M}"
    before = load_average()
    compile_bytecode(BASELINE)
    if args.candidate:
        compile_bytecode(args.candidate)
    with tempfile.TemporaryDirectory(prefix="sovscan-bench-") as temp:
        workdir = Path(temp)
        seed = grammar_seed(workdir)
        measure("floor warm-up", [str(PYTHON), str(HERE / "floor.py"), str(ROOT / "fixtures" / "demo")])  # python-hcl2 caches its grammar
        version_series = bench_version()
        sizes: list[SizeResult] = []
        precommit = profile = None

        def write() -> None:  # after each step, so a run stopped early still leaves its results
            text = render(args, sizes, version_series, precommit, profile, (before, load_average()), started)
            args.out.write_text(with_analysis(text, args.out), encoding="utf-8")

        for size in [s for s in args.sizes if s != "50k"]:
            sizes.append(bench_size(size, args, workdir, seed))
            write()
        precommit = bench_precommit(args, workdir, seed) if "10k" in args.sizes else None
        write()
        if not args.no_profile and "10k" in args.sizes:
            log("profiling the 10k corpus")
            saved = os.environ.get("PYTHONPATH")
            if BASELINE:
                os.environ["PYTHONPATH"] = str(BASELINE)
            try:
                profile = profile_scan.profile_markdown(CORPUS / "10k", cold_cache(workdir, "sovscan"))
                env = dict(os.environ, SOVSCAN_CACHE_DIR=str(seed))
                done = subprocess.run([str(PYTHON), str(HERE / "parse_breakdown.py"), str(CORPUS / "10k")], env=env, capture_output=True, text=True)
                profile += "\n### Parse steps, one process\n\n`python benchmarks/parse_breakdown.py benchmarks/corpus/10k`\n\n" + done.stdout
            finally:
                os.environ.pop("PYTHONPATH", None)
                if saved is not None:
                    os.environ["PYTHONPATH"] = saved
            write()
        if "50k" in args.sizes:  # last: the longest, and the one most likely to be stopped
            sizes.append(bench_size("50k", args, workdir, seed))
            write()
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
