"""``sovscan scan``: load policy → collect → classify → locate → evaluate → exceptions → render → exit code.

The options shared with ``sovscan pre-commit`` are decorators here
(``input_options``, ``output_options``); ``run`` is the part both commands
share once they know what to collect. The exit code does not depend on the
formats asked for (``ExitCode``): 0 everything given was judged and no active
finding is at or above ``--fail-on``; 1 some finding is; 2 usage errors or
nothing could be scanned; 3 part of the input was not judged (a module not
followed, a file not parsed, a missing --var-file…) and no finding reaches
``--fail-on``. ``--soft-fail`` turns 1 into 0, ``--allow-incomplete`` 3 into 0;
neither touches 2.

``--var`` and ``--var-file`` apply in the order they are given, as Terraform
applies ``-var`` and ``-var-file`` (the later wins): ``VariablesInOrder``
records that order, which click's per-option lists lose.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from scanner.cli.app import ExitCode, UsageProblem
from scanner.cli.replay import Outputs
from scanner.report import FORMATS

if TYPE_CHECKING:
    import datetime

FAIL_ON = ("info", "low", "medium", "high", "critical", "never")
LANGUAGES = ("en", "fr")
CSV_DIALECTS = ("standard", "excel-fr")  # scanner/report/csv_report.py DIALECTS
STDOUT = "-"


@dataclass(frozen=True)
class Settings:
    """Every option of a scan, as given on the command line."""

    targets: tuple[tuple[str, str | None], ...] = (("text", None),)  # (format, file or None for stdout)
    fail_on: str | None = None
    soft_fail: bool = False
    lang: str | None = None
    show_suppressed: bool = False
    csv_dialect: str = "standard"
    config_path: Path | None = None
    pack: str | None = None
    var_files: tuple[Path, ...] = ()
    variables: tuple[str, ...] = ()
    variable_order: tuple[tuple[str, str], ...] = ()  # ("var-file", path) and ("var", NAME=VALUE) as given
    repo_root: Path | None = None  # --repo-root: the folder local module sources may not leave
    allow_incomplete: bool = False
    as_of: str | None = None
    no_cache: bool = False
    waivers: Path | None = None
    baseline: Path | None = None
    create_baseline: Path | None = None
    explain_address: str | None = None
    against: Path | None = None  # an inventory snapshot to compare the declared resources with (sovscan inventory --save)
    report_stale: bool = True  # False when only part of the repository is scanned (pre-commit)


def parse_outputs(formats: tuple[str, ...], outputs: tuple[str, ...]) -> tuple[tuple[str, str | None], ...]:
    """(format, file or None for stdout) pairs from --format and --output.

    ``--output FORMAT=FILE`` names its format (and adds it); a bare
    ``--output FILE`` goes with the one format given by --format (text by
    default). ``-`` is stdout, where at most one format may go.
    """
    given = list(dict.fromkeys(formats or ("text",)))
    chosen = list(given)
    targets: dict[str, str | None] = dict.fromkeys(chosen)
    bare: list[str] = []
    for item in outputs:
        fmt, sep, file = item.partition("=")
        if sep and fmt in FORMATS:
            if not file:
                raise UsageProblem(f"--output {item!r}: no file name after '='")
            targets[fmt] = None if file == STDOUT else file
            if fmt not in chosen:
                chosen.append(fmt)
        elif sep and re.fullmatch(r"[a-z][a-z0-9_-]*", fmt):
            raise UsageProblem(f"--output {item!r}: unknown format '{fmt}'; expected one of: {', '.join(FORMATS)}")
        else:
            bare.append(item)
    if bare:
        if len(bare) > 1 or len(given) > 1:
            raise UsageProblem(f"--output {bare[-1]!r}: with several formats or outputs, write FORMAT=FILE")
        targets[given[0]] = None if bare[0] == STDOUT else bare[0]
    on_stdout = [f for f in chosen if targets[f] is None]
    if len(on_stdout) > 1:
        raise UsageProblem(
            f"formats {', '.join(on_stdout)} would all print to stdout; send all but one to files with --output FORMAT=FILE"
        )
    return tuple((f, targets[f]) for f in chosen)


def input_options(function: Callable) -> Callable:
    """What to scan with: policy, configuration, variables, exceptions."""
    options = [
        click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), help="A .sovscan.yml (default: the nearest one above the first path)."),
        click.option("--pack", help="Policy pack (default: fr-state)."),
        click.option("--var-file", "var_files", multiple=True, type=click.Path(path_type=Path), help="A tfvars file for the root modules (repeatable, in order)."),
        click.option("--var", "variables", multiple=True, metavar="NAME=VALUE", help="A root variable value (repeatable; --var and --var-file apply in the order given, the later wins)."),
        click.option(
            "--repo-root",
            type=click.Path(path_type=Path, file_okay=False, exists=True),
            help="The repository local module sources may not leave [default: the nearest folder above the path holding .git, else .sovscan.yml].",
        ),
        click.option("--as-of", help="Judge qualification validity and exception expiry on this date (YYYY-MM-DD) [default: today]."),
        click.option("--no-cache", is_flag=True, help="Do not read or write the parse and scan caches."),
        click.option(
            "--waivers",
            type=click.Path(path_type=Path, dir_okay=False, exists=True),
            help="A waiver file (default: the nearest .sovscan-waivers.yml above the first path).",
        ),
        click.option("--baseline", type=click.Path(path_type=Path, dir_okay=False, exists=True), help="Report only findings that are not in this baseline."),
        click.option("--create-baseline", type=click.Path(path_type=Path, dir_okay=False), help="Write the current findings to this baseline file (and accept them)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def output_options(function: Callable) -> Callable:
    """What to print or write, and when to fail."""
    options = [
        click.option("--format", "formats", multiple=True, type=click.Choice(FORMATS), help="Output format (repeatable)."),
        click.option("--output", "-o", "outputs", multiple=True, metavar="FILE|FORMAT=FILE", help="Write a format to a file instead of stdout (repeatable)."),
        click.option("--fail-on", type=click.Choice(FAIL_ON), default=None, help="Exit 1 when an active finding is at or above this severity [default: high]."),
        click.option("--soft-fail", is_flag=True, help="Exit 0 even with findings (still 2 on usage errors, 3 on incomplete input)."),
        click.option("--lang", type=click.Choice(LANGUAGES), default=None, help="Language of the reports that have one (html) [default: from the locale]."),
        click.option("--show-suppressed", is_flag=True, help="Also list suppressed findings in the text report."),
        click.option(
            "--csv-dialect",
            type=click.Choice(CSV_DIALECTS),
            default="standard",
            show_default=True,
            help="CSV layout: standard (comma, UTF-8) or excel-fr (semicolon, UTF-8 with BOM: opens as columns in French Excel).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def incomplete_option(function: Callable) -> Callable:
    """``--allow-incomplete`` of the Terraform scans (``sovscan inventory s3`` has its own, of its own meaning)."""
    return click.option("--allow-incomplete", is_flag=True, help="Exit 0 (not 3) when part of the input could not be judged; the problems are still listed.")(function)


def settings_from(options: dict[str, Any]) -> Settings:
    """Check the options that click cannot (outputs, --var syntax, --as-of) and gather them."""
    for text in options.get("variables", ()):
        from scanner.sources.terraform.module.inputs import VarSyntaxError, parse_var_option  # only then: it loads the HCL parser

        try:
            parse_var_option(text)
        except VarSyntaxError as exc:
            raise UsageProblem(str(exc)) from None
    if options.get("as_of"):
        _check_date(options["as_of"])
    targets = parse_outputs(options.get("formats", ()), options.get("outputs", ()))
    _check_reporters(fmt for fmt, _ in targets)
    return Settings(
        targets=targets,
        fail_on=options.get("fail_on"),
        soft_fail=options.get("soft_fail", False),
        lang=options.get("lang"),
        show_suppressed=options.get("show_suppressed", False),
        csv_dialect=options.get("csv_dialect") or "standard",
        config_path=options.get("config_path"),
        pack=options.get("pack"),
        var_files=tuple(options.get("var_files", ())),
        variables=tuple(options.get("variables", ())),
        variable_order=tuple(options.get("variable_order") or ()),
        repo_root=options.get("repo_root"),
        allow_incomplete=options.get("allow_incomplete", False),
        as_of=options.get("as_of"),
        no_cache=options.get("no_cache", False),
        waivers=options.get("waivers"),
        baseline=options.get("baseline"),
        create_baseline=options.get("create_baseline"),
        explain_address=options.get("explain_address"),
        against=options.get("against"),
    )


class VariablesInOrder(click.Command):
    """A command that also passes ``variable_order``: every --var and --var-file, in command-line order.

    click gathers each repeatable option into its own list; Terraform applies
    ``-var`` and ``-var-file`` in the order given, the later winning, so the
    order across both options matters. click's parser records the order of
    every option occurrence; this reads it back.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            opts, _, order = self.make_parser(ctx).parse_args(args=list(args))
        except click.ClickException:
            opts, order = {}, []  # the parse below reports the same problem
        rest = super().parse_args(ctx, args)
        pending = {"var_files": list(opts.get("var_files") or ()), "variables": list(opts.get("variables") or ())}
        given = []
        for param in order:
            if param.name in pending and pending[param.name]:
                given.append(("var-file" if param.name == "var_files" else "var", str(pending[param.name].pop(0))))
        ctx.params["variable_order"] = tuple(given)
        return rest


@click.command(cls=VariablesInOrder)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@output_options
@incomplete_option
@input_options
@click.option("--explain", "explain_address", metavar="ADDRESS", help="Print how ADDRESS's region and sensitivity were worked out.")
@click.option(
    "--against",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    metavar="INVENTORY.json",
    help="An inventory snapshot (sovscan inventory … --save): report resources deployed elsewhere than declared, and sensitive resources declared nowhere.",
)
def scan(paths: tuple[Path, ...], **options: Any) -> None:
    """Scan Terraform folders (and exports) for data hosted where its sensitivity forbids."""
    settings = settings_from(options)
    inputs = list(paths or (Path("."),))
    _check_repo_root(inputs, settings.repo_root)
    sys.exit(run_or_replay(inputs, settings))


def _check_repo_root(inputs: list[Path], repo_root: Path | None) -> None:
    """--repo-root must hold every path scanned: it is the boundary of what they may read."""
    if repo_root is None:
        return
    root = repo_root.resolve()
    for path in inputs:
        resolved = path.resolve()
        if resolved != root and root not in resolved.parents:
            raise UsageProblem(f"--repo-root {repo_root}: {path} is not inside it")


def run_or_replay(inputs: list[Path], settings: Settings) -> int:
    """The scan, or its replay from the scan cache when nothing it depends on changed (``scanner/cli/replay.py``)."""
    from scanner.cli import replay as scancache
    from scanner.support.cache import cache_dir

    if settings.no_cache or settings.create_baseline is not None or cache_dir() is None:
        return run(inputs, settings, collect_inputs(inputs, settings.repo_root))
    option_files = [settings.config_path, *settings.var_files, settings.waivers, settings.baseline, settings.against]
    key = scancache.scan_key(inputs, repr(settings), option_files)
    entry = scancache.load(key)
    if entry is not None:
        code = entry.replay()
    else:
        outputs = scancache.Outputs()
        code = run(inputs, settings, collect_inputs(inputs, settings.repo_root), outputs)
        scancache.store(key, outputs, code)
    argv = (click.get_current_context().find_root().obj or {}).get("argv")
    if argv is not None:  # the sovscan program (scanner/__main__.py): next time, replay before loading the CLI
        scancache.remember_command(argv, inputs, repr(settings), option_files)
    return code


Collector = Callable[[Any, Any], Any]  # (variables, parse cache) -> scanner.sources.SourceResult


def collect_inputs(inputs: list[Path], repo_root: Path | None = None) -> Collector:
    """Read every input with the source that knows it."""

    def collector(variables, parse_cache):
        from scanner.sources import SourceResult, collect

        result = SourceResult()
        for path in inputs:
            result.extend(collect(path, variables, parse_cache, repo_root))
        return result

    return collector


def run(inputs: list[Path], settings: Settings, collector: Collector, outputs: Outputs | None = None) -> int:
    """The scan once its inputs are known; returns the exit code. What it prints and writes goes through ``outputs``."""
    from scanner.cli.sourcepaths import SourcePaths
    from scanner.model import Severity
    from scanner.pipeline import PolicyError, build_report, exit_code, load_policy
    from scanner.sources.terraform.module.inputs import VariableOptions

    started = scan_clock()
    try:
        policy = load_policy(settings.config_path, settings.pack, settings.as_of, search_from=inputs[0])
    except PolicyError as exc:
        raise UsageProblem(str(exc)) from None
    fail_on = settings.fail_on or policy.config.fail_on or "high"

    variables = VariableOptions(settings.var_files, settings.variables, dict(os.environ), settings.variable_order)
    with caching(settings.no_cache):
        collected = collector(variables, _parse_cache())
    outputs = outputs or Outputs()
    outputs.depends_on(collected.read_outside.values())  # a replay must see these unchanged too
    labels = [input_label(p) for p in inputs]
    labels += [shown for shown in sorted(collected.read_outside) if shown not in labels]  # read outside the scanned folders
    report = build_report(labels, collected.resources, collected.errors, policy, uncalled=collected.uncalled)
    if settings.against is not None:
        from scanner.pipeline import against_inventory

        report = against_inventory(report, settings.against, _shown(settings.against), policy)
    source_paths = SourcePaths.for_inputs(inputs)
    report, paths = apply_exceptions(report, policy.context.as_of, settings, source_paths, inputs[0], outputs)

    if settings.explain_address:
        from scanner.cli.views.explain import render_explanation

        outputs.stdout(render_explanation(report, settings.explain_address))
    else:
        write_outputs(report, settings, paths, outputs, fail_on, (started, scan_clock()))

    if collected.scanned == 0:
        return ExitCode.ERROR
    if not settings.soft_fail and exit_code(report.findings, Severity.parse(fail_on)):
        return ExitCode.FINDINGS
    if report.incomplete and not settings.allow_incomplete:
        unjudged = sum(1 for e in report.errors if e.leaves_input_unjudged)
        outputs.stderr(
            f"sovscan: incomplete: {unjudged} input problem{'s' if unjudged != 1 else ''} left part of the input unjudged "
            "(exit 3); fix them, or pass --allow-incomplete to accept it"
        )
        return ExitCode.INCOMPLETE
    return ExitCode.OK


def apply_exceptions(report, as_of: str, settings: Settings, source_paths, search_from: Path, outputs: Outputs):
    """Inline suppressions, the waiver file, then the baseline; returns the report and the repository paths."""
    from scanner.evaluate import baseline, suppress
    from scanner.model.located import locate, resources_of, shown_paths
    from scanner.sources.terraform.syntax.files import read_text

    resources = resources_of(report)  # the same for every step below: exceptions only mark findings, in place
    paths = source_paths.mapping(shown_paths(report, resources))
    known_rules = set(report.rules)
    sources: dict[str, suppress.SourceFile] = {}
    problems = []
    for shown in suppress.files_to_read(report):
        path = source_paths.file(shown)
        text = read_text(path, shown) if path is not None else None
        if not isinstance(text, str):
            continue  # the source already reported why it cannot be read
        source, found = suppress.read_inline(text, shown, known_rules)
        sources[shown] = source
        problems += found

    waivers: list = []
    waiver_file = settings.waivers or suppress.find_waivers(search_from if search_from.exists() else Path("."))
    if waiver_file is not None:
        shown = _shown(waiver_file)
        folder = source_paths.repo_relative(_shown(waiver_file.resolve().parent))
        if folder == "." or os.path.isabs(folder):
            folder = ""  # at the repository root, or outside it: path patterns are relative to the root
        waivers, found = suppress.load_waivers(waiver_file, shown, known_rules, folder)
        problems += found
    report = suppress.apply(report, locate(report, paths, resources), sources, waivers, as_of, problems, settings.report_stale)

    if settings.baseline is not None:
        shown = _shown(settings.baseline)
        try:
            keys = baseline.load(settings.baseline, shown)
        except baseline.BaselineError as exc:
            raise UsageProblem(str(exc)) from None
        report = baseline.apply(report, locate(report, paths, resources), keys, shown)
    if settings.create_baseline is not None:
        items = locate(report, paths, resources)
        outputs.file(settings.create_baseline, baseline.render(items))
        shown = _shown(settings.create_baseline)
        report = baseline.apply(report, items, frozenset(baseline.key(i) for i in items), shown)
        outputs.stderr(f"sovscan: wrote the baseline {shown} ({sum(1 for i in items if not i.finding.suppressed)} findings accepted)")
    return report, source_paths.mapping(shown_paths(report, resources))  # now with the suppression and error files


def render_options(render: Callable, offered: dict[str, Any]) -> dict[str, Any]:
    """The options a reporter's ``render`` accepts, out of those the CLI can give."""
    import inspect  # here, not at the top: a replayed scan never needs it

    parameters = inspect.signature(render).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return dict(offered)
    return {k: v for k, v in offered.items() if k in parameters}


def scan_clock() -> datetime.datetime:
    """Now, in UTC without a zone (what the GitLab security report records); ``SOURCE_DATE_EPOCH`` pins it (reproducible builds, tests)."""
    import datetime as _datetime

    pinned = os.environ.get("SOURCE_DATE_EPOCH", "")
    moment = _datetime.datetime.fromtimestamp(int(pinned), _datetime.UTC) if pinned.isdigit() else _datetime.datetime.now(_datetime.UTC)
    return moment.replace(tzinfo=None, microsecond=0)


def write_outputs(
    report,
    settings: Settings,
    paths: dict[str, str],
    outputs: Outputs,
    fail_on: str = "high",
    scan_times: tuple[datetime.datetime, datetime.datetime] | None = None,
) -> None:
    """Every format asked for. ``fail_on``: the threshold of the exit code (JUnit failures follow it); ``scan_times``: when the scan started and ended."""
    from scanner.report import reporter_for

    offered: dict[str, Any] = {"paths": paths, "show_suppressed": settings.show_suppressed, "fail_on": fail_on, "csv_dialect": settings.csv_dialect}
    if scan_times is not None:
        offered["scan_times"] = scan_times
    if settings.lang:
        offered["lang"] = settings.lang
    written = []
    for fmt, file in settings.targets:
        reporter = reporter_for(fmt)
        options = render_options(reporter.render, offered)
        if file is None:
            color = fmt == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
            outputs.stdout(valid_unicode(reporter.render(report, color=color, **options)))
        else:
            outputs.file(Path(file), valid_unicode(reporter.render(report, color=False, **options)))
            written.append(f"{fmt} to {file}")
    if written and all(file is not None for _, file in settings.targets):
        outputs.stderr(f"sovscan: {_summary(report)}; wrote {', '.join(written)}")


def valid_unicode(text: str) -> str:
    """Text that encodes as UTF-8: a lone surrogate from a hostile input becomes U+FFFD, not a crash."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _summary(report) -> str:
    active = [f for f in report.findings if not f.suppressed]
    text = f"{len(active)} finding{'s' if len(active) != 1 else ''}"
    suppressed = len(report.findings) - len(active)
    if suppressed:
        text += f" ({suppressed} suppressed)"
    if report.errors:
        text += f", {len(report.errors)} input problems"
    return text


def input_label(path: Path) -> str:
    """An input as reports name it: relative to the working directory, or by its name alone (never an absolute path)."""
    shown = _shown(path)
    return path.name or shown if os.path.isabs(shown) else shown


def _shown(path: Path) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else Path(relative).as_posix()


def caching(no_cache: bool):
    """--no-cache for this scan only: tests run many scans in one process, and one must not turn caching off for the next."""
    from scanner.support import cache

    return cache.disabled(no_cache)


def _parse_cache():
    """The content-hash cache of parsed files, or None when caching is off or unavailable."""
    from scanner.support.cache import cache_dir

    directory = cache_dir()
    if directory is None:
        return None
    try:
        from scanner.sources.terraform.syntax.parsecache import ParseCache
    except ImportError:
        return None
    return ParseCache.open(directory)


def _check_reporters(formats) -> None:
    """Fail before scanning when a format's reporter is not part of this installation."""
    import importlib.util

    from scanner.report import REPORTERS

    for fmt in formats:
        if importlib.util.find_spec(REPORTERS[fmt]) is None:
            raise UsageProblem(f"--format {fmt}: this version of sovscan has no {fmt} reporter")


def _check_date(text: str) -> None:
    import datetime

    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        raise UsageProblem(f"--as-of {text!r}: expected a date YYYY-MM-DD") from None
