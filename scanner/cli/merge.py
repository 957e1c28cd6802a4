"""``sovscan merge``: read the JSON reports (or snapshots) of several jobs → combine → write one."""

from __future__ import annotations

import json
from pathlib import Path

import click

from scanner.cli.app import UsageProblem


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write the merged document here instead of stdout.")
def merge(files: tuple[Path, ...], output: Path | None) -> None:
    """Combine the JSON reports of several jobs (e.g. --shard 1/4 … 4/4) into one, summary recomputed.

    Inventory snapshots (--save) merge into one snapshot the same way.
    """
    from scanner.cli.replay import write_file
    from scanner.cli.scan import _shown
    from scanner.report.merge import merge_reports, merge_snapshots
    from scanner.report.saved import DocumentError, load_document

    try:
        documents = [(_shown(f), load_document(f, _shown(f), snapshots=True)) for f in files]
        snapshots = [d.get("kind") == "sovscan-inventory" for _, d in documents]
        if any(snapshots) and not all(snapshots):
            mixed = next(name for (name, _), snap in zip(documents, snapshots, strict=True) if snap != snapshots[0])
            raise DocumentError(f"{mixed}: cannot merge reports with inventory snapshots; give only one kind")
        merged = merge_snapshots(documents) if snapshots[0] else merge_reports(documents)
    except DocumentError as exc:
        raise UsageProblem(str(exc)) from None
    text = json.dumps(merged, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    write_file(output, text)
    what = "snapshot" if snapshots[0] else "report"
    count = len(merged["resources"])
    findings = f", {merged['summary']['findings']} findings" if not snapshots[0] else ""
    click.echo(f"sovscan: merged {len(files)} {what}s into {_shown(output)} ({count} resources{findings})", err=True)
