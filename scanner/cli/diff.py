"""``sovscan diff``: read two JSON reports → compare → render → exit 1 on new findings at or above --fail-on."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from scanner.cli.app import ExitCode, UsageProblem

FAIL_ON = ("info", "low", "medium", "high", "critical", "never")


@click.command()
@click.argument("old", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("new", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="high", show_default=True, help="Exit 1 when a new finding is at or above this severity.")
def diff(old: Path, new: Path, fmt: str, fail_on: str) -> None:
    """What changed between two audits (JSON reports): new and fixed findings, resources that moved."""
    from scanner.cli.scan import _shown
    from scanner.model import Severity
    from scanner.report.diff import diff_reports, render_json, render_text
    from scanner.report.saved import DocumentError, load_document

    try:
        before = load_document(old, _shown(old))
        after = load_document(new, _shown(new))
    except DocumentError as exc:
        raise UsageProblem(str(exc)) from None
    changes = diff_reports(before, after)
    render = render_json if fmt == "json" else render_text
    click.echo(render(changes, _shown(old), _shown(new)), nl=False)
    threshold = Severity.parse(fail_on)
    worse = any(Severity.parse(f["severity"]) >= threshold for f in changes.new if f["severity"].upper() in Severity.__members__)
    sys.exit(ExitCode.FINDINGS if worse else ExitCode.OK)
