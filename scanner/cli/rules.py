"""``sovscan rules`` and ``sovscan explain RULE_ID``: the active rules and why they exist."""

from __future__ import annotations

from pathlib import Path

import click

from scanner.cli import UsageProblem


@click.command()
@click.option("--pack", help="Policy pack (default: fr-state).")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text")
def rules(pack, config_path, fmt) -> None:
    """List the active rules of a pack, with their severity and legal references."""
    from scanner.pipeline import PolicyError, load_policy
    from scanner.report.rules import render_rules

    try:
        policy = load_policy(config_path, pack, search_from=Path("."))
    except PolicyError as exc:
        raise UsageProblem(str(exc)) from None
    click.echo(render_rules(policy.pack, fmt), nl=False)


@click.command()
@click.argument("rule_id")
@click.option("--pack", help="Policy pack (default: fr-state).")
def explain(rule_id, pack) -> None:
    """Explain one rule: what it checks, why, its references and examples."""
    from scanner.pipeline import PolicyError, load_policy
    from scanner.report.rules import render_rule

    try:
        policy = load_policy(None, pack)
    except PolicyError as exc:
        raise UsageProblem(str(exc)) from None
    rule = policy.pack.rule(rule_id)
    if rule is None:
        raise UsageProblem(f"no rule '{rule_id}' in pack {policy.pack.id}; see `sovscan rules`")
    click.echo(render_rule(rule), nl=False)
