"""``sovscan rules`` and ``sovscan explain RULE_ID``: the active rules and why they exist.

Both read the same policy as ``scan`` (pack, and the nearest .sovscan.yml or
--config), so a rule the configuration disables or re-rates shows as such.
Problems of the policy files are printed on stderr, one line each.
"""

from __future__ import annotations

from pathlib import Path

import click

from scanner.cli.app import UsageProblem
from scanner.evaluate.rules import RULE_OPTIONS

_PACK = click.option("--pack", help="Policy pack [default: the configuration's, else fr-state].")
_CONFIG = click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), help="A .sovscan.yml [default: the nearest one above the current folder].")
_FORMAT = click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)


def _policy(config_path, pack):
    from scanner.pipeline import PolicyError, load_policy

    try:
        policy = load_policy(config_path, pack, search_from=Path("."))
    except PolicyError as exc:
        raise UsageProblem(str(exc)) from None
    for error in policy.errors:
        click.echo(f"sovscan: {error}", err=True)
    return policy


def _sources(policy) -> dict[str, str]:
    return {source_id: source.url for source_id, source in policy.catalog.sources.items()}


@click.command()
@_PACK
@_CONFIG
@_FORMAT
def rules(pack, config_path, fmt) -> None:
    """List the rules of the active pack, with their severity, levels and state."""
    from scanner.report.rules import render_rules

    policy = _policy(config_path, pack)
    click.echo(render_rules(policy.pack, fmt, _sources(policy)), nl=False)


@click.command()
@click.argument("rule_id")
@_PACK
@_CONFIG
@_FORMAT
def explain(rule_id, pack, config_path, fmt) -> None:
    """Explain one rule: what it checks, why, its references, sources, options and examples."""
    from scanner.report.rules import render_rule

    policy = _policy(config_path, pack)
    rule = policy.pack.rule(rule_id)
    if rule is None:
        elsewhere = _packs_with(rule_id, policy)
        hint = f"; it is a rule of pack {', '.join(elsewhere)} (use --pack)" if elsewhere else "; see `sovscan rules`"
        raise UsageProblem(f"no rule '{rule_id}' in pack {policy.pack.id}{hint}")
    click.echo(render_rule(rule, policy.pack, _sources(policy), fmt), nl=False)


def _packs_with(rule_id: str, policy) -> list[str]:
    """The other bundled packs that define ``rule_id``, for a helpful error."""
    from scanner.policy.pack import available_packs, load_pack, pack_path

    found = []
    for name in available_packs():
        if name == policy.pack.id:
            continue
        path = pack_path(name)
        if path is None:
            continue  # cannot happen: the name was just listed
        other, _ = load_pack(path, policy.vocabulary, kinds=RULE_OPTIONS)
        if other is not None and other.rule(rule_id) is not None:
            found.append(name)
    return found
