"""The user's ``.sovscan.yml``: their tags, their levels, their exceptions, their own hosting.

Found by walking up from the scanned path, or given with ``--config``.
Every key is checked at load; a problem is one sentence with file, line,
key and what was expected, and the entry that carries it is dropped.
What can only be checked against the policy (a level, a rule id, an offer,
a provider) is checked by ``scanner.pipeline.load_policy``, with the lines
this module remembers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scanner.model import Attestation
from scanner.policy.catalog import SEAL_OBJECTIVES
from scanner.policy.paths import find_upward
from scanner.support.schema import INVALID, AnyMapping, Bool, Date, Field, Int, ListOf, MapOf, Obj, Problems, Spec, Str, Where
from scanner.support.urls import BadEndpoint, parse_endpoint
from scanner.support.yamlload import LineDict, YamlError, load_yaml_file

CONFIG_NAMES = (".sovscan.yml", ".sovscan.yaml")
SEVERITIES = ("info", "low", "medium", "high", "critical")
# Decisions sovscan cannot see and the user records (REFERENCE.md §1.7): a DR
# homologation (II 901) and the homologation of a classified system (IGI 1300).
ATTESTATION_SCHEMES = ("DR-homologation", "IGI1300-homologation")
# Only an assessment of record counts in a SEAL gate; third-party scorings do not (REFERENCE.md §0.1, §1.8).
SEAL_PROVENANCE = ("official", "tender")


@dataclass(frozen=True)
class RuleSetting:
    severity: str | None = None
    enabled: bool = True
    options: Any = None  # raw mapping, checked against the rule kind's OPTIONS once the pack is known
    line: int | None = None


@dataclass(frozen=True)
class OfferAssignment:
    """Resources (address pattern, or a workload) that use a named catalog offer."""

    offer: str
    address: str | None
    workload: str | None
    line: int | None


@dataclass(frozen=True)
class SealRecord:
    """SEAL levels the user holds for a catalog provider (the evaluation of their tender)."""

    provider: str
    levels: dict[str, int]
    provenance: str
    reference: str
    line: int | None


@dataclass(frozen=True)
class S3EndpointSetting:
    """One S3-compatible endpoint for ``sovscan inventory s3`` (``inventory.s3`` in .sovscan.yml)."""

    endpoint_url: str
    profile: str | None = None  # the AWS CLI profile with its credentials; None: the environment's
    region: str | None = None  # None: from the catalog's detect.endpoints for the host
    cloud: str | None = None  # a catalog (or hosting:) provider id; None: from the host
    line: int | None = None
    key: str = "inventory.s3"  # where it is written, e.g. inventory.s3[2]
    key_lines: Mapping[str, int] = field(default_factory=dict)  # line of each of its keys

    def where(self, name: str) -> tuple[str, int | None]:
        """(key path, line) of one of its keys, for an error found once the policy or the AWS configuration is known."""
        return f"{self.key}.{name}", self.key_lines.get(name, self.line)


@dataclass
class Config:
    file: str | None = None
    pack: str | None = None
    fail_on: str | None = None
    untagged_level: str | None = None
    classification_keys: list[str] = field(default_factory=list)
    workload_keys: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    rules: dict[str, RuleSetting] = field(default_factory=dict)
    rule_lines: dict[str, int] = field(default_factory=dict)
    attestations: list[Attestation] = field(default_factory=list)
    offers: list[OfferAssignment] = field(default_factory=list)
    hosting: list[Any] = field(default_factory=list)  # raw provider documents, checked with the catalog's provider schema
    seal: list[SealRecord] = field(default_factory=list)
    inventory_s3: list[S3EndpointSetting] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)  # line of each top-level key and of each vocabulary value
    raw: Any = None


def _rule_setting(d: dict) -> RuleSetting:
    return RuleSetting(d["severity"], d["enabled"], d["options"], d["_line"])


_RULE_SETTING = Obj(
    {"severity": Field(Str(SEVERITIES)), "enabled": Field(Bool(), default=True), "options": Field(AnyMapping())},
    build=_rule_setting,
    what="rule setting",
)


class _Targeted(Obj):
    """An entry that applies to resources: it must name a workload or an address pattern."""

    def check(self, value, where, problems):
        result = super().check(value, where, problems)
        if result is INVALID:
            return result
        if not (result.workload or result.address):
            problems.add(result.line, f"{self.what} '{where.path}' names neither 'workload' nor 'address'; expected one of them, or it applies to nothing")
            return INVALID
        return result


class _AttestationSpec(_Targeted):
    def check(self, value, where, problems):
        result = super().check(value, where, problems)
        if result is not INVALID and result.scheme == "IGI1300-homologation" and not result.valid_until:
            # IGI 1300: a homologation lasts at most 3 years (Secret) or 2 (Très Secret), REFERENCE.md §1.7.
            problems.add(result.line, f"attestation '{where.path}' of scheme IGI1300-homologation lacks 'valid_until'; expected the end date of the homologation decision (at most 3 years, IGI 1300)")
            return INVALID
        return result


_ATTESTATION = _AttestationSpec(
    {
        "scheme": Field(Str(ATTESTATION_SCHEMES), required=True),
        "reference": Field(Str(), required=True),
        "workload": Field(Str()),
        "address": Field(Str()),
        "valid_until": Field(Date()),
    },
    build=lambda d: Attestation(d["scheme"], d["reference"], d["workload"], d["address"], d["valid_until"], d["_line"]),
    what="attestation",
)

_OFFER = _Targeted(
    {"offer": Field(Str(), required=True), "address": Field(Str()), "workload": Field(Str())},
    build=lambda d: OfferAssignment(d["offer"], d["address"], d["workload"], d["_line"]),
    what="offer assignment",
)

_SEAL = Obj(
    {
        "provider": Field(Str(), required=True),
        "levels": Field(MapOf(Int(0, 4), key=Str(SEAL_OBJECTIVES, expected="an objective, one of: " + ", ".join(SEAL_OBJECTIVES))), required=True),
        "provenance": Field(Str(SEAL_PROVENANCE), required=True),
        "reference": Field(Str(), required=True),
    },
    build=lambda d: SealRecord(d["provider"], dict(d["levels"]), d["provenance"], d["reference"], d["_line"]),
    what="seal record",
)

class _EndpointUrl(Spec):
    """An http(s) URL with a host and nothing secret in it; a refused one is never quoted (it may hold a password)."""

    expected = "an endpoint URL such as https://s3.fr-par.scw.cloud"

    def check(self, value, where, problems):
        if not isinstance(value, str):
            return self.fail(value, where, problems)
        try:
            return parse_endpoint(value).url
        except BadEndpoint as exc:
            problems.add(where.line, f"key '{where.path}' {exc}")
            return INVALID


_S3_ENDPOINT = Obj(
    {"endpoint_url": Field(_EndpointUrl(), required=True), "profile": Field(Str()), "region": Field(Str()), "cloud": Field(Str())},
    build=lambda d: S3EndpointSetting(d["endpoint_url"], d["profile"], d["region"], d["cloud"], d["_line"]),
    what="inventory endpoint",
)

_INVENTORY = Obj(
    {"s3": Field(ListOf(_S3_ENDPOINT, unique_key=lambda e: f"{e.endpoint_url} (profile {e.profile or 'default'})", what="endpoint"), default=list)},
    what="inventory",
)

_CONFIG = Obj(
    {
        "version": Field(Str(("1",))),
        "pack": Field(Str()),
        "fail_on": Field(Str((*SEVERITIES, "never"))),
        "untagged_level": Field(Str()),
        "vocabulary": Field(
            Obj(
                {
                    "classification_keys": Field(ListOf(Str()), default=list),
                    "workload_keys": Field(ListOf(Str()), default=list),
                    "values": Field(MapOf(Str()), default=dict),
                },
                what="vocabulary",
            )
        ),
        "rules": Field(MapOf(_RULE_SETTING), default=dict),
        "attestations": Field(ListOf(_ATTESTATION), default=list),
        "offers": Field(ListOf(_OFFER), default=list),
        "hosting": Field(ListOf(AnyMapping()), default=list),  # checked against the catalog's provider schema
        "seal": Field(ListOf(_SEAL), default=list),
        "inventory": Field(_INVENTORY),
    },
    what=".sovscan.yml",
)


def find_config(start: Path) -> Path | None:
    """The nearest .sovscan.yml at or above ``start``."""
    return find_upward(start, CONFIG_NAMES)


def _sections(raw: LineDict, problems: Problems) -> dict:
    """Check each top-level key on its own, so one bad section does not discard the others."""
    checked: dict[str, Any] = {}
    for key in raw:
        if key not in _CONFIG.fields:
            problems.add(raw.line_of(key), f"unknown key '{key}' in .sovscan.yml; expected one of: {', '.join(_CONFIG.fields)}")
    for name, fld in _CONFIG.fields.items():
        if name not in raw or raw[name] is None:
            checked[name] = fld.default() if callable(fld.default) else fld.default
            continue
        value = fld.spec.check(raw[name], Where(name, raw.line_of(name)), problems)
        checked[name] = (fld.default() if callable(fld.default) else fld.default) if value is INVALID else value
    return checked


def _lines(raw: LineDict) -> dict[str, int]:
    lines = {key: raw.line_of(key) for key in raw}
    vocabulary = raw.get("vocabulary")
    values = vocabulary.get("values") if isinstance(vocabulary, dict) else None
    if isinstance(values, LineDict):
        lines.update({f"vocabulary.values.{k}": values.line_of(k) for k in values})
    return lines


def _placed(endpoints: list[S3EndpointSetting], raw: LineDict) -> list[S3EndpointSetting]:
    """Each endpoint with its key path (``inventory.s3[2]``) and the lines of its keys."""
    inventory = raw.get("inventory")
    items = inventory.get("s3") if isinstance(inventory, dict) else None
    lines = list(getattr(items, "item_lines", []))
    placed = []
    for endpoint in endpoints:
        if items is None or endpoint.line not in lines:
            placed.append(endpoint)
            continue
        index = lines.index(endpoint.line)
        item = items[index]
        key_lines = {str(k): item.line_of(k) for k in item} if isinstance(item, LineDict) else {}
        placed.append(replace(endpoint, key=f"inventory.s3[{index}]", key_lines=key_lines))
    return placed


def load_config(path: Path | None, display: str | None = None) -> tuple[Config, list[tuple[str, int | None, str]]]:
    if path is None:
        return Config(), []
    display = display or str(path)
    try:
        raw = load_yaml_file(Path(path), display)
    except YamlError as exc:
        return Config(file=display), [(exc.file, exc.line, exc.message)]
    if raw is None:
        return Config(file=display), []
    problems = Problems(file=display)
    if not isinstance(raw, LineDict):
        problems.add(getattr(raw, "line", 1), "the document is not a mapping; expected keys such as pack, vocabulary, rules, hosting (see `sovscan init`)")
        return Config(file=display), problems.items
    checked = _sections(raw, problems)
    vocabulary = checked["vocabulary"] or {"classification_keys": [], "workload_keys": [], "values": {}}
    rules_raw = raw.get("rules") or {}
    hosting = raw.get("hosting")
    hosting_raw = hosting if isinstance(hosting, list) else []
    return Config(
        file=display,
        pack=checked["pack"],
        fail_on=checked["fail_on"],
        untagged_level=checked["untagged_level"],
        classification_keys=vocabulary["classification_keys"],
        workload_keys=vocabulary["workload_keys"],
        values=vocabulary["values"],
        rules=checked["rules"],
        rule_lines={k: rules_raw.line_of(k) for k in checked["rules"]} if hasattr(rules_raw, "line_of") else {},
        attestations=checked["attestations"],
        offers=checked["offers"],
        hosting=list(hosting_raw),  # items that are not mappings were reported above and are skipped
        seal=checked["seal"],
        inventory_s3=_placed(list((checked["inventory"] or {}).get("s3") or []), raw),
        lines=_lines(raw),
        raw=raw,
    ), problems.items
