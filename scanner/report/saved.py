"""Reading saved JSON reports and snapshots for ``diff`` and ``merge``: one clear error, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scanner.support.jsonload import loads

REPORT_SCHEMA = 1  # scanner.report.json_report.SCHEMA_VERSION


class DocumentError(Exception):
    """A file that is not a readable sovscan report (or snapshot): ``file: what is wrong``."""


def load_document(path: Path, display: str, snapshots: bool = False) -> dict[str, Any]:
    """A sovscan JSON report (or, with ``snapshots``, an inventory snapshot), checked for the fields used here."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DocumentError(f"{display}: cannot read it ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        document = loads(text)
    except ValueError as exc:
        where = f"{display}:{exc.lineno}" if isinstance(exc, json.JSONDecodeError) else display
        raise DocumentError(f"{where}: not valid JSON ({getattr(exc, 'msg', exc)})") from None
    if isinstance(document, dict) and document.get("kind") == "sovscan-inventory":
        if snapshots:
            return document
        raise DocumentError(f"{display}: an inventory snapshot, not a report; judge it first: sovscan scan {display} --format json -o report.json")
    if not isinstance(document, dict) or document.get("tool", {}).get("name") != "sovscan" or "findings" not in document:
        raise DocumentError(f"{display}: not a sovscan JSON report (sovscan scan … --format json)")
    if document.get("schema_version") != REPORT_SCHEMA:
        raise DocumentError(f"{display}: report schema_version {document.get('schema_version')!r}; this sovscan reads version {REPORT_SCHEMA}")
    for key in ("resources", "findings", "errors"):
        if not isinstance(document.get(key), list) or not all(isinstance(item, dict) for item in document[key]):
            raise DocumentError(f"{display}: \"{key}\" must be a list of objects")
    for index, finding in enumerate(document["findings"]):
        if not all(isinstance(finding.get(key), str) for key in ("rule", "address", "severity")):
            raise DocumentError(f"{display}: findings[{index}] lacks rule, address or severity")
    for index, resource in enumerate(document["resources"]):
        if not isinstance(resource.get("address"), str):
            raise DocumentError(f"{display}: resources[{index}] lacks an address")
    return document


def origin_file(entry: dict[str, Any]) -> str:
    origin = entry.get("origin")
    return (origin.get("file") or "") if isinstance(origin, dict) else ""


def roots(document: dict[str, Any]) -> dict[tuple[str, str], str]:
    """(address, origin file) -> root module of each resource, to tell apart one address in two roots."""
    return {(r["address"], origin_file(r)): str(r.get("root") or "") for r in document["resources"]}


def finding_key(finding: dict[str, Any], roots_of: dict[tuple[str, str], str]) -> tuple[str, str, str]:
    """A finding across two audits: its rule, address and root module.

    Not its line (an edit above moves it) nor its file (an export saved
    under a new name each month is the same estate).
    """
    return (finding["rule"], finding["address"], roots_of.get((finding["address"], origin_file(finding)), ""))


def resource_key(resource: dict[str, Any]) -> tuple[str, str]:
    """A resource across two audits: its address and root module (inventory resources have none)."""
    return (resource["address"], str(resource.get("root") or ""))
