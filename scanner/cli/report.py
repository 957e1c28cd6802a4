"""``sovscan report REPORT.json``: render a saved JSON report as the audit report (HTML, Markdown or text).

Thin on purpose: load and check the saved reports → render → write. The
page is the one ``scan --format html`` gives for the same scan. A previous
report that cannot be read is named on stderr and left out of the trend;
the report is still written and the exit code is 2.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from scanner.cli.app import ExitCode, UsageProblem

FORMATS = ("html", "markdown", "text")


@click.command()
@click.argument("report_file", metavar="REPORT.json", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write to FILE instead of stdout.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="html", show_default=True, help="Output format.")
@click.option("--lang", type=click.Choice(("fr", "en")), help="Language [default: from the locale: LC_ALL, LC_MESSAGES or LANG starting with fr gives French].")
@click.option(
    "--previous",
    "previous_files",
    multiple=True,
    metavar="OLD.json",
    type=click.Path(path_type=Path, dir_okay=False),
    help="An earlier JSON report, oldest first (repeatable): new, fixed and unchanged findings, and a trend chart.",
)
def report(report_file: Path, output: Path | None, fmt: str, lang: str | None, previous_files: tuple[Path, ...]) -> None:
    """Render a saved report (from `sovscan scan --format json`) as an audit report to read, print and file."""
    from scanner.report.html.load import SavedReportError, load_saved_report
    from scanner.report.html.page import page_for, write_page
    from scanner.report.html.plain import to_markdown, to_text

    try:
        document = load_saved_report(report_file, str(report_file))
    except SavedReportError as exc:
        raise UsageProblem(str(exc)) from None
    previous, unreadable = [], 0
    for path in previous_files:
        try:
            previous.append((str(path), load_saved_report(path, str(path))))
        except SavedReportError as exc:
            unreadable += 1
            click.echo(f"Error: {exc} (left out of the trend)", err=True)

    page = page_for(document, lang, previous)
    writers = {"html": write_page, "markdown": to_markdown, "text": to_text}
    text = writers[fmt](page)
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageProblem(f"{output}: cannot write the report: {exc.strerror or exc}") from None
    sys.exit(ExitCode.ERROR if unreadable else ExitCode.OK)
