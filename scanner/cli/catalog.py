"""``sovscan catalog [PROVIDER]``: what sovscan knows of each provider, with sources and dates.

``--stale DAYS`` lists the facts verified more than DAYS days ago (today is
``SOVSCAN_TODAY`` when set): exit code 1 when there are some, so a scheduled
CI job can remind maintainers to re-check them.
"""

from __future__ import annotations

import click

from scanner.cli.app import ExitCode, UsageProblem


@click.command()
@click.argument("provider_id", metavar="[PROVIDER]", required=False)
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@click.option("--stale", "stale_days", type=click.IntRange(min=0), metavar="DAYS", help="List facts verified more than DAYS days ago (exit 1 if any).")
@click.pass_context
def catalog(ctx: click.Context, provider_id: str | None, fmt: str, stale_days: int | None) -> None:
    """Show the trust catalog: operators, exposure, regions, offers and their qualifications."""
    from scanner.cli.views import catalog as report
    from scanner.pipeline import today
    from scanner.policy.catalog import load_catalog, stale_facts

    loaded = load_catalog()
    if fmt == "text" or stale_days is not None:
        for file, line, message in loaded.errors:
            click.echo(f"{file}:{line}: {message}" if line else f"{file}: {message}", err=True)
    providers = list(loaded.providers.values())
    if provider_id is not None:
        if provider_id not in loaded.providers:
            raise UsageProblem(f"no provider '{provider_id}' in the catalog; known providers: {', '.join(sorted(loaded.providers))}")
        providers = [loaded.providers[provider_id]]
    as_of = today()

    if stale_days is not None:
        stale = stale_facts(providers, as_of, stale_days)
        click.echo(report.render_stale(stale, as_of, stale_days, fmt), nl=False)
        ctx.exit(ExitCode.FINDINGS if stale else ExitCode.OK)
    if fmt == "json":
        click.echo(report.render_json(loaded, providers, as_of), nl=False)
    elif provider_id is not None:
        click.echo(report.render_provider(loaded, providers[0], as_of), nl=False)
    else:
        click.echo(report.render_summary(loaded, providers, as_of), nl=False)
