"""The policy a scan judges with: the bundled catalog, vocabulary and pack, with the user's ``.sovscan.yml`` on top.

Every entry point (scan, report, inventory, rules) loads it the same way, so
policies are validated the same way everywhere. The rule kinds (whose options
a pack is checked against) are handed in by the caller: they are code of the
evaluate stage, which this layer must not import.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from scanner.model import RuleContext, ScanError, Severity
from scanner.policy.catalog import Catalog, bundled_catalog
from scanner.policy.config import Config, find_config, load_config
from scanner.policy.pack import Pack, available_packs, load_pack, pack_path
from scanner.policy.vocabulary import Vocabulary, load_vocabulary
from scanner.support.schema import Obj

DEFAULT_PACK = "fr-state"


class PolicyError(Exception):
    """The policy cannot be loaded at all: the scan cannot run (exit code 2)."""


@dataclass
class Policy:
    catalog: Catalog
    vocabulary: Vocabulary
    pack: Pack
    config: Config
    context: RuleContext
    errors: list[ScanError] = field(default_factory=list)


def today() -> str:
    return os.environ.get("SOVSCAN_TODAY") or _dt.date.today().isoformat()


def load_policy(
    config_path: Path | None,
    pack_name: str | None = None,
    as_of: str | None = None,
    search_from: Path | None = None,
    *,
    kinds: Mapping[str, Obj],
) -> Policy:
    """The catalog, vocabulary, pack and user configuration, validated.

    Every problem becomes a ``ScanError`` naming file, line and key, and the
    entry that carries it is left out; only a policy that cannot be loaded at
    all (an unknown pack, a broken bundled file) raises ``PolicyError``.
    ``kinds`` maps each rule kind to the schema of its options.
    """
    from scanner.support.yamlload import YamlError

    errors: list[ScanError] = []
    if config_path is None and search_from is not None:
        config_path = find_config(search_from)
    config, problems = load_config(config_path, _display(config_path) if config_path else None)
    errors += [ScanError(f, line, m, kind="configuration") for f, line, m in problems]
    try:
        catalog = bundled_catalog()
        vocabulary = load_vocabulary()
    except YamlError as exc:
        raise PolicyError(str(exc)) from None
    errors += [ScanError(f, line, m, kind="configuration") for f, line, m in catalog.errors]
    vocabulary = _user_vocabulary(vocabulary, config, errors)

    path = _pack_file(pack_name, config)
    # Source ids are checked against the catalog's table; if that table could not be read, they are
    # not checked at all rather than every rule being dropped.
    pack, pack_problems = load_pack(path, vocabulary, frozenset(catalog.sources) or None, kinds=kinds)
    if pack is None:
        raise PolicyError("; ".join(f"{f}:{line}: {m}" if line else f"{f}: {m}" for f, line, m in pack_problems))
    errors += [ScanError(f, line, m, kind="configuration") for f, line, m in pack_problems]
    pack = _apply_rule_settings(pack, config, errors, kinds)

    catalog = _user_catalog(catalog, config, errors)
    context = RuleContext(as_of=as_of or today(), attestations=tuple(config.attestations))
    return Policy(catalog, vocabulary, pack, config, context, errors)


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _user_vocabulary(vocabulary: Vocabulary, config: Config, errors: list[ScanError]) -> Vocabulary:
    """The bundled vocabulary plus the user's keys and value mappings (``c3: sensitive``)."""
    level_ids = sorted(level.id for level in vocabulary.levels)
    values = {}
    for value, level in config.values.items():
        if level in level_ids:
            values[value] = level
        else:
            line = config.lines.get(f"vocabulary.values.{value}")
            errors.append(ScanError(config.file, line, f"key 'vocabulary.values.{value}' maps to '{level}', which is not a level; expected one of: {', '.join(level_ids)}", kind="configuration"))
    if config.untagged_level and config.untagged_level not in level_ids:
        errors.append(ScanError(config.file, config.lines.get("untagged_level"), f"key 'untagged_level' is '{config.untagged_level}', which is not a level; expected one of: {', '.join(level_ids)}", kind="configuration"))
        config.untagged_level = None
    return vocabulary.extended(config.classification_keys, config.workload_keys, values)


def _pack_file(pack_name: str | None, config: Config) -> Path:
    """The pack chosen by --pack, else by .sovscan.yml, else the default; an unknown name stops the scan."""
    name = pack_name or config.pack or DEFAULT_PACK
    path = pack_path(name)
    if path is not None:
        return path
    expected = f"expected one of: {', '.join(available_packs())}"
    if pack_name:
        raise PolicyError(f"--pack {pack_name}: unknown policy pack; {expected}")
    line = config.lines.get("pack")
    raise PolicyError(f"{config.file}:{line}: key 'pack' is '{name}', which is not a policy pack; {expected}")


def _apply_rule_settings(pack: Pack, config: Config, errors: list[ScanError], kinds: Mapping[str, Obj]) -> Pack:
    """Severity, enabled and options of each rule, as .sovscan.yml sets them (``rules:``)."""
    known = {r.id for r in pack.rules}
    for rule_id in config.rules:
        if rule_id not in known:
            errors.append(ScanError(config.file, config.rule_lines.get(rule_id), f"key 'rules.{rule_id}' names no rule of pack {pack.id}; expected one of: {', '.join(sorted(known))} (see `sovscan rules`)", kind="configuration"))
    rules = []
    for rule in pack.rules:
        setting = config.rules.get(rule.id)
        if setting is not None:
            rule = _with_setting(rule, setting, config, errors, kinds)
        rules.append(rule)
    return replace(pack, rules=tuple(rules))


def _with_setting(rule, setting, config: Config, errors: list[ScanError], kinds: Mapping[str, Obj]):
    changed = []
    if setting.severity and Severity.parse(setting.severity) != rule.severity:
        rule = replace(rule, severity=Severity.parse(setting.severity))
        changed.append("severity")
    if not setting.enabled:
        rule = replace(rule, enabled=False)
        changed.append("enabled")
    if setting.options is not None:
        options = _merged_options(rule, setting, config, errors, kinds)
        if options is not None:
            rule = replace(rule, options=options)
            changed.append("options")
    return replace(rule, overridden=tuple(changed)) if changed else rule


def _merged_options(rule, setting, config: Config, errors: list[ScanError], kinds: Mapping[str, Obj]):
    """The pack's options with the user's on top, one level deep (``minimum: {SOV-2: 3}`` keeps the other objectives).

    The result is checked against the rule kind's options; on a problem the
    pack's options stay.
    """
    from scanner.support.schema import INVALID, Problems, Where
    from scanner.support.yamlload import LineDict

    user = setting.options
    merged = LineDict(rule.options)
    merged.line = getattr(user, "line", setting.line)
    merged.key_lines = dict(getattr(user, "key_lines", {}))
    for key, value in user.items():
        base = rule.options.get(key)
        if isinstance(base, dict) and isinstance(value, dict):
            nested = LineDict({**base, **value})
            nested.line = getattr(value, "line", merged.line)
            nested.key_lines = dict(getattr(value, "key_lines", {}))
            value = nested
        merged[key] = value
    problems = Problems(file=config.file or ".sovscan.yml")
    checked = kinds[rule.kind].check(merged, Where(f"rules.{rule.id}.options", merged.line), problems)
    errors += [ScanError(f, line, m, kind="configuration") for f, line, m in problems.items]
    if checked is INVALID or problems.items:
        return None
    return {k: v for k, v in checked.items() if k != "_line"}


def _user_catalog(catalog: Catalog, config: Config, errors: list[ScanError]) -> Catalog:
    """The catalog as this policy sees it: plus the user's own hosting, SEAL records and checked offer assignments.

    SEAL levels that may not pass a gate (third-party, unconfirmed) become
    Unknown here, so the ``seal`` rule can never pass them silently.
    """
    from scanner.policy.hosting import declared_providers, with_seal_trust

    declared, problems = declared_providers(config, catalog)
    errors += [ScanError(f, line, m, kind="configuration") for f, line, m in problems]
    providers = {**catalog.providers, **{p.id: p for p in declared}}
    providers = {pid: with_seal_trust(p) for pid, p in providers.items()}
    providers = _with_seal_records(providers, config, errors)
    result = Catalog(providers=providers, countries=catalog.countries, sources=catalog.sources, errors=catalog.errors)
    _check_offer_assignments(result, config, errors)
    _check_inventory_clouds(result, config, errors)
    return result


def _with_seal_records(providers: dict, config: Config, errors: list[ScanError]) -> dict:
    """SEAL levels the user holds from their own tender evaluation replace the catalog's for that provider."""
    from scanner.policy.catalog import SealAssessment

    for record in config.seal:
        provider = providers.get(record.provider)
        if provider is None:
            key = _item_key(config, "seal", record.line)
            errors.append(ScanError(config.file, record.line, f"key '{key}.provider' is '{record.provider}', which is not a provider of the catalog; expected a provider id such as aws or s3ns (see `sovscan catalog`)", kind="configuration"))
            continue
        seal = SealAssessment(dict(record.levels), record.provenance, "confirmed", (), f"recorded in {config.file}: {record.reference}")
        providers[record.provider] = replace(provider, csf_seal=seal)
    return providers


def _check_offer_assignments(catalog: Catalog, config: Config, errors: list[ScanError]) -> None:
    """``offers:`` must name offers the catalog (or the user's hosting) defines; the others are dropped."""
    offer_ids = {o.id for p in catalog.providers.values() for o in p.offers}
    kept = []
    for assignment in config.offers:
        if assignment.offer in offer_ids:
            kept.append(assignment)
        else:
            key = _item_key(config, "offers", assignment.line)
            errors.append(ScanError(config.file, assignment.line, f"key '{key}.offer' is '{assignment.offer}', which no provider of the catalog offers; expected an offer id such as ovhcloud-hpc-vmware-snc (see `sovscan catalog`)", kind="configuration"))
    config.offers = kept


def _check_inventory_clouds(catalog: Catalog, config: Config, errors: list[ScanError]) -> None:
    """``inventory.s3[].cloud`` must name a provider of the catalog (or of ``hosting:``); such an endpoint is dropped."""
    kept = []
    for endpoint in config.inventory_s3:
        if endpoint.cloud is None or endpoint.cloud in catalog.providers:
            kept.append(endpoint)
            continue
        key, line = endpoint.where("cloud")
        errors.append(ScanError(
            config.file, line,
            f"key '{key}' is '{endpoint.cloud}', which is not a provider of the catalog or of 'hosting:'; "
            "expected a provider id such as scaleway or ovhcloud (see `sovscan catalog`); this endpoint is not audited",
        ))
    config.inventory_s3 = kept


def _item_key(config: Config, section: str, line: int | None) -> str:
    """``offers[2]``: the key of the list item of ``section`` that starts at ``line``."""
    items = config.raw.get(section) if isinstance(config.raw, dict) else None
    lines = getattr(items, "item_lines", [])
    return f"{section}[{lines.index(line)}]" if line in lines else section


