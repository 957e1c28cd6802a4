"""The normalised inventory saved by ``sovscan inventory … --save`` and read back by ``sovscan scan``.

A snapshot records what was seen, not what was judged: resources as the
sources produced them (address, type, API, region, account, tags, copies),
the audit's problems, which accounts and regions were covered and which were
skipped, and when it was taken (the only timestamp sovscan writes). Judging
a snapshot later with another catalog or pack gives the verdicts of that
day for the estate of the snapshot's day.

Shape (``"kind": "sovscan-inventory"``, ``"schema_version": 1``)::

    {"kind": "sovscan-inventory", "schema_version": 1, "taken_at": "2026-11-27T08:00:00Z",
     "tool": {"name": "sovscan", "version": "…"}, "api": "aws", "partition": "aws", "shard": null,
     "accounts": ["111122223333"], "regions": {"111122223333": ["eu-west-3"]},
     "skipped": [{"account": "111122223333", "region": "ap-east-1", "reason": "opt-in status not-opted-in"}],
     "resources": [{"address": "arn:aws:s3:::payroll", "type": "s3:bucket", "provider": "aws",
                    "region": "eu-west-3", "account": "111122223333", "api": "s3:ListBuckets",
                    "tags": {"data_classification": "sensitive"}, "tags_api": "tagging:GetResources",
                    "tags_complete": true, "hints": {}, "holds_data": true,
                    "copies": [{"kind": "s3-replication", "provider": "aws", "region": "us-east-1",
                                "hints": {"destination": "arn:aws:s3:::replica"}, "declared_by": "…"}]}],
     "errors": [{"file": "aws:111122223333:eu-central-1", "line": null, "message": "…"}]}

An unknown region is written ``"unknown"`` with ``region_unknown_reason``;
tags that could not be read are ``"tags_complete": {"unknown": "why"}``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scanner import __version__
from scanner.model import DataCopy, Origin, Resource, ScanError, Tag, Unknown
from scanner.sources import SourceResult

KIND = "sovscan-inventory"
SCHEMA_VERSION = 1


# --------------------------------------------------------------------------- writing


def to_document(inventory: Any, taken_at: str) -> dict[str, Any]:
    """The snapshot of an ``Inventory`` (scanner.sources.aws.audit) taken at ``taken_at`` (ISO 8601, UTC)."""
    return {
        "kind": KIND,
        "schema_version": SCHEMA_VERSION,
        "taken_at": taken_at,
        "tool": {"name": "sovscan", "version": __version__},
        "api": inventory.api,
        "partition": inventory.partition,
        "shard": inventory.shard,
        "accounts": inventory.accounts,
        "regions": {account: sorted(regions) for account, regions in sorted(inventory.regions.items())},
        "skipped": [{"account": a, "region": r, "reason": why} for a, r, why in sorted(inventory.skipped)],
        "resources": [resource_entry(r) for r in inventory.resources],
        "errors": [{"file": e.file, "line": e.line, "message": e.message} for e in inventory.errors],
    }


def render(inventory: Any, taken_at: str) -> str:
    return json.dumps(to_document(inventory, taken_at), indent=2, ensure_ascii=False) + "\n"


def _region(value: str | Unknown, entry: dict[str, Any]) -> None:
    if isinstance(value, Unknown):
        entry["region"] = "unknown"
        entry["region_unknown_reason"] = value.reason
    else:
        entry["region"] = value


def _text_map(values: Any) -> dict[str, str]:
    return {k: v for k, v in values.items() if isinstance(v, str)}


def resource_entry(resource: Resource) -> dict[str, Any]:
    entry: dict[str, Any] = {"address": resource.address, "type": resource.type, "provider": resource.provider}
    _region(resource.region, entry)
    tags_api = next((t.origin.api for t in resource.tags if t.origin.api), None)
    entry.update(
        {
            "account": resource.origin.account,
            "api": resource.origin.api,
            "tags": {t.key: t.value for t in resource.tags if isinstance(t.value, str)},
            "tags_api": tags_api,
            "tags_complete": {"unknown": resource.tags_complete.reason} if isinstance(resource.tags_complete, Unknown) else resource.tags_complete,
            "hints": _text_map(resource.hints),
            "holds_data": resource.holds_data,
            "copies": [_copy_entry(c) for c in resource.copies],
        }
    )
    return entry


def _copy_entry(copy: DataCopy) -> dict[str, Any]:
    entry: dict[str, Any] = {"kind": copy.kind, "provider": copy.provider}
    _region(copy.region, entry)
    entry["hints"] = _text_map(copy.hints)
    entry["declared_by"] = copy.origin.api
    return entry


# --------------------------------------------------------------------------- reading


class _Bad(Exception):
    """One problem with one resource entry of a snapshot."""


def read_snapshot(path: Path, display: str) -> SourceResult:
    """``sovscan scan SNAPSHOT.json``: the resources and recorded problems of a saved inventory."""
    from scanner.sources.exports.common import load_json_text
    from scanner.sources.exports.jsonitems import items_with_lines

    result = SourceResult()
    loaded = load_json_text(path, display, "snapshot")
    if isinstance(loaded, ScanError):
        result.errors.append(loaded)
        return result
    text, document = loaded
    problem = _check_header(document)
    if problem:
        result.errors.append(ScanError(display, None, problem))
        return result
    result.scanned = 1
    items = items_with_lines(text, "resources") or []
    for line, item in items:
        try:
            result.resources.append(resource_from_entry(item))
        except _Bad as exc:
            result.errors.append(ScanError(display, line, f"resource entry skipped: {exc}"))
    for entry in document.get("errors") or []:
        if isinstance(entry, dict) and isinstance(entry.get("message"), str):
            error_line = entry["line"] if isinstance(entry.get("line"), int) else None
            result.errors.append(ScanError(entry.get("file") if isinstance(entry.get("file"), str) else display, error_line, entry["message"]))
    return result


def _check_header(document: Any) -> str | None:
    if not isinstance(document, dict) or document.get("kind") != KIND:
        return f'not a sovscan inventory snapshot (expected "kind": "{KIND}")'
    version = document.get("schema_version")
    if version != SCHEMA_VERSION:
        return f"snapshot schema_version {version!r} is not supported by this sovscan (it reads version {SCHEMA_VERSION})"
    if not isinstance(document.get("resources"), list):
        return '"resources" must be a list'
    return None


def _optional_text(entry: dict, key: str) -> str | None:
    return None if entry.get(key) is None else _text(entry, key)


def _text(entry: dict, key: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise _Bad(f'"{key}" must be a non-empty string, got {json.dumps(value)}')
    return value


def _region_of(entry: dict) -> str | Unknown:
    region = _text(entry, "region")
    if region == "unknown":
        return Unknown(str(entry.get("region_unknown_reason") or "the region was unknown when the inventory was taken"))
    return region


def resource_from_entry(entry: Any) -> Resource:
    if not isinstance(entry, dict):
        raise _Bad(f"expected an object, got {type(entry).__name__}")
    address = _text(entry, "address")
    account, api = _optional_text(entry, "account"), _optional_text(entry, "api")
    tags = entry.get("tags") or {}
    if not isinstance(tags, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in tags.items()):
        raise _Bad(f"{address}: \"tags\" must map strings to strings")
    tag_origin = Origin(account=account, api=entry.get("tags_api") if isinstance(entry.get("tags_api"), str) else api)
    complete = entry.get("tags_complete", True)
    if isinstance(complete, dict) and isinstance(complete.get("unknown"), str):
        complete = Unknown(complete["unknown"])
    elif not isinstance(complete, bool):
        raise _Bad(f'{address}: "tags_complete" must be true, false or {{"unknown": "why"}}')
    hints = entry.get("hints") or {}
    if not isinstance(hints, dict) or not all(isinstance(v, str) for v in hints.values()):
        raise _Bad(f'{address}: "hints" must map strings to strings')
    copies = entry.get("copies") or []
    if not isinstance(copies, list):
        raise _Bad(f'{address}: "copies" must be a list')
    return Resource(
        address=address,
        type=_text(entry, "type"),
        provider=_text(entry, "provider"),
        region=_region_of(entry),
        origin=Origin(account=account, api=api),
        tags=tuple(Tag(k, v, tag_origin, via="inventory") for k, v in tags.items()),
        tags_complete=complete,
        hints=dict(hints),
        copies=tuple(_copy_from_entry(address, c, account) for c in copies),
        holds_data=bool(entry.get("holds_data", True)),
    )


def _copy_from_entry(address: str, entry: Any, account: str | None) -> DataCopy:
    if not isinstance(entry, dict):
        raise _Bad(f"{address}: each copy must be an object")
    hints = entry.get("hints") or {}
    if not isinstance(hints, dict) or not all(isinstance(v, str) for v in hints.values()):
        raise _Bad(f'{address}: a copy\'s "hints" must map strings to strings')
    try:
        kind, provider, region = _text(entry, "kind"), _text(entry, "provider"), _region_of(entry)
    except _Bad as exc:
        raise _Bad(f"{address}: copy: {exc}") from None
    declared = entry.get("declared_by") if isinstance(entry.get("declared_by"), str) else None
    return DataCopy(kind=kind, provider=provider, region=region, hints=dict(hints), origin=Origin(account=account, api=declared))
