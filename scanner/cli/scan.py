"""``sovscan scan``: load policy → collect → classify → locate → evaluate → render → exit code."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from scanner.cli import ExitCode, UsageProblem
from scanner.report import FORMATS

FAIL_ON = ("info", "low", "medium", "high", "critical", "never")


def _parse_outputs(formats: tuple[str, ...], outputs: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """(format, file or None for stdout) pairs from --format and --output."""
    chosen = list(dict.fromkeys(formats or ("text",)))
    targets: dict[str, str | None] = {f: None for f in chosen}
    for item in outputs:
        fmt, sep, file = item.partition("=")
        if sep and fmt in FORMATS:
            targets[fmt] = file
            if fmt not in chosen:
                chosen.append(fmt)
        elif len(chosen) == 1:
            targets[chosen[0]] = item
        else:
            raise UsageProblem(f"--output {item!r}: with several formats, write FORMAT=FILE")
    return [(f, targets[f]) for f in chosen]


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "formats", multiple=True, type=click.Choice(FORMATS), help="Output format (repeatable).")
@click.option("--output", "-o", "outputs", multiple=True, metavar="FILE|FORMAT=FILE", help="Write a format to a file instead of stdout.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default=None, help="Exit 1 when a finding is at or above this severity [default: high].")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), help="A .sovscan.yml (default: the nearest one above the first path).")
@click.option("--pack", help="Policy pack (default: fr-state).")
@click.option("--var-file", "var_files", multiple=True, type=click.Path(path_type=Path), help="A tfvars file for the root modules (repeatable, in order).")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE", help="A root variable value (repeatable).")
@click.option("--as-of", help="Judge qualification validity on this date (YYYY-MM-DD) [default: today].")
@click.option("--explain", "explain_address", metavar="ADDRESS", help="Print how ADDRESS's region and sensitivity were worked out.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the parse cache.")
def scan(paths, formats, outputs, fail_on, config_path, pack, var_files, variables, as_of, explain_address, no_cache) -> None:
    """Scan Terraform folders (and exports) for data hosted where its sensitivity forbids."""
    from scanner import cache
    from scanner.model import Severity
    from scanner.pipeline import PolicyError, build_report, exit_code, load_policy
    from scanner.report import reporter_for
    from scanner.sources import collect
    from scanner.sources.terraform.inputs import VariableOptions, VarSyntaxError, parse_var_option

    paths = paths or (Path("."),)
    targets = _parse_outputs(formats, outputs)
    for text in variables:
        try:
            parse_var_option(text)
        except VarSyntaxError as exc:
            raise UsageProblem(str(exc)) from None
    if as_of:
        _check_date(as_of)
    if no_cache:
        cache.disable()
    parse_cache = _parse_cache()
    try:
        policy = load_policy(config_path, pack, as_of, search_from=paths[0])
    except PolicyError as exc:
        raise UsageProblem(str(exc)) from None

    options = VariableOptions(tuple(var_files), tuple(variables), dict(os.environ))
    resources, errors, scanned = [], [], 0
    for path in paths:
        result = collect(path, options, parse_cache)
        resources += result.resources
        errors += result.errors
        scanned += result.scanned
    report = build_report([str(p) for p in paths], resources, errors, policy)

    if explain_address:
        from scanner.report.explain import render_explanation

        click.echo(render_explanation(report, explain_address), nl=False)
    else:
        for fmt, file in targets:
            reporter = reporter_for(fmt)
            if file is None:
                color = fmt == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
                click.echo(reporter.render(report, color=color), nl=False)
            else:
                Path(file).write_text(reporter.render(report, color=False), encoding="utf-8")

    if scanned == 0:
        sys.exit(ExitCode.ERROR)
    threshold = Severity.parse(fail_on or policy.config.fail_on or "high")
    sys.exit(exit_code(report.findings, threshold))


def _parse_cache():
    """The content-hash cache of parsed files, or None when caching is off or unavailable."""
    from scanner.cache import cache_dir

    directory = cache_dir()
    if directory is None:
        return None
    try:
        from scanner.sources.terraform.parsecache import ParseCache
    except ImportError:
        return None
    return ParseCache.open(directory)


def _check_date(text: str) -> None:
    import datetime

    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        raise UsageProblem(f"--as-of {text!r}: expected a date YYYY-MM-DD") from None
