"""The user's ``.sovscan.yml``: their tags, their levels, their exceptions, their own hosting.

Found by walking up from the scanned path, or given with ``--config``.
Every key is checked at load; a problem is one sentence with file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.policy.schema import INVALID, AnyMapping, Bool, Date, Field, ListOf, MapOf, Obj, Problems, Str, Where
from scanner.rules.base import Attestation
from scanner.yamlload import YamlError, load_yaml_file

CONFIG_NAMES = (".sovscan.yml", ".sovscan.yaml")


@dataclass(frozen=True)
class RuleSetting:
    severity: str | None = None
    enabled: bool = True


@dataclass(frozen=True)
class OfferAssignment:
    """Resources (address pattern, or a workload) that use a named catalog offer."""

    offer: str
    address: str | None
    workload: str | None
    line: int | None


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
    hosting: list[Any] = field(default_factory=list)  # raw provider documents, validated by the catalog
    hosting_lines: list[int] = field(default_factory=list)
    raw: Any = None


_RULE_SETTING = Obj(
    {"severity": Field(Str(("info", "low", "medium", "high", "critical"))), "enabled": Field(Bool(), default=True)},
    build=lambda d: RuleSetting(d["severity"], d["enabled"]),
    what="rule setting",
)

_ATTESTATION = Obj(
    {
        "scheme": Field(Str(), required=True),
        "reference": Field(Str(), required=True),
        "workload": Field(Str()),
        "address": Field(Str()),
        "valid_until": Field(Date()),
    },
    build=lambda d: Attestation(d["scheme"], d["reference"], d["workload"], d["address"], d["valid_until"], d["_line"]),
    what="attestation",
)

_OFFER = Obj(
    {"offer": Field(Str(), required=True), "address": Field(Str()), "workload": Field(Str())},
    build=lambda d: OfferAssignment(d["offer"], d["address"], d["workload"], d["_line"]),
    what="offer assignment",
)

_CONFIG = Obj(
    {
        "version": Field(Str(("1",))),
        "pack": Field(Str()),
        "fail_on": Field(Str(("info", "low", "medium", "high", "critical", "never"))),
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
    },
    what=".sovscan.yml",
)


def find_config(start: Path) -> Path | None:
    """The nearest .sovscan.yml at or above ``start``."""
    directory = start if start.is_dir() else start.parent
    directory = directory.resolve()
    for folder in (directory, *directory.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
    return None


def load_config(path: Path | None, display: str | None = None) -> tuple[Config, list[tuple[str, int | None, str]]]:
    if path is None:
        return Config(), []
    display = display or str(path)
    try:
        raw = load_yaml_file(path, display)
    except YamlError as exc:
        return Config(file=display), [(exc.file, exc.line, exc.message)]
    if raw is None:
        return Config(file=display), []
    problems = Problems(file=display)
    checked = _CONFIG.check(raw, Where("", 1), problems)
    if checked is INVALID:
        return Config(file=display), problems.items
    vocabulary = checked["vocabulary"] or {"classification_keys": [], "workload_keys": [], "values": {}}
    rules_raw = raw.get("rules") or {}
    hosting_raw = raw.get("hosting") or []
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
        hosting=list(hosting_raw),
        hosting_lines=[hosting_raw.line_of(i) for i in range(len(hosting_raw))] if hasattr(hosting_raw, "line_of") else [],
        raw=raw,
    ), problems.items
