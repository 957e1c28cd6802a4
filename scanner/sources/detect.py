"""What kind of input a file is, from its name and its first bytes; the registry of file sources.

``FILE_SOURCES`` maps a kind to the function that reads it, imported only
when needed. JSON documents are recognised by their top-level keys, never by
their name alone.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scanner.support.jsonload import loads, read_exported_text

# kind -> "module:function"; each function takes (path, display) and returns a SourceResult
FILE_SOURCES = {
    "terraform-plan": "scanner.sources.plan_state.plan:read_plan",
    "terraform-state": "scanner.sources.plan_state.state:read_state",
    "sovscan-inventory": "scanner.sources.snapshot:read_snapshot",
    "azure-resource-graph": "scanner.sources.exports:read_azure_resource_graph",
    "gcp-asset-inventory": "scanner.sources.exports:read_gcp_asset_inventory",
    "generic-inventory": "scanner.sources.exports:read_generic_inventory",
}

MAX_SNIFF_BYTES = 256 * 1024 * 1024


def reader_for(kind: str) -> Callable[..., Any] | None:
    module, function = FILE_SOURCES[kind].split(":")
    try:
        return getattr(importlib.import_module(module), function)
    except (ImportError, AttributeError):
        return None


def detect(path: Path) -> tuple[str | None, str | None, tuple[int, int] | None]:
    """(kind, None, None), or (None, why the file is not a supported input, (line, column) where known)."""
    name = path.name.lower()
    if name.endswith((".csv", ".yml", ".yaml")):
        return "generic-inventory", None, None
    if name.endswith(".tfstate") or name.endswith(".tfstate.backup"):
        return "terraform-state", None, None
    if not name.endswith((".json", ".ndjson", ".jsonl")):
        return None, "not a Terraform folder or a supported export (plan or state JSON, inventory JSON/CSV/YAML)", None
    try:
        if not path.is_file():
            return None, "not a regular file", None
        if path.stat().st_size > MAX_SNIFF_BYTES:
            return None, "file too large to read", None
        text = read_exported_text(path)
        document = loads(text)
    except UnicodeDecodeError:
        return None, "neither UTF-8 nor UTF-16 text", None
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and _ndjson_of(text, _looks_gcp):  # gcloud asset export: one asset per line
            return "gcp-asset-inventory", None, None
        return None, f"not valid JSON ({exc.msg})", (exc.lineno, exc.colno)
    except (OSError, ValueError) as exc:
        return None, f"not valid JSON ({exc})", None
    kind, problem = kind_of(document)
    return kind, problem, None


def kind_of(document: Any) -> tuple[str | None, str | None]:
    if isinstance(document, dict):
        if "planned_values" in document or "resource_changes" in document:
            return "terraform-plan", None
        if "terraform_version" in document and "resources" in document and "version" in document:
            return "terraform-state", None
        if "format_version" in document and "values" in document:  # terraform show -json of a state
            return "terraform-state", None
        if document.get("kind") == "sovscan-inventory":
            return "sovscan-inventory", None
        data = document.get("data")
        # az graph query prints {"count", "data", "skip_token", "total_records"}, "data" empty when nothing matched.
        if isinstance(data, list) and (_any(data, _looks_azure) or (not data and "total_records" in document)):
            return "azure-resource-graph", None
    if isinstance(document, list):
        if not document:
            return None, "an empty JSON list: no resources to read (an export of nothing?)"
        if _any(document, _looks_azure):
            return "azure-resource-graph", None
        if _any(document, _looks_gcp):
            return "gcp-asset-inventory", None
    return None, "JSON of a shape sovscan does not know (expected a Terraform plan or state, an Azure Resource Graph or Google Cloud Asset Inventory export, or a sovscan inventory)"


def _any(items: list, looks: Callable[[Any], bool]) -> bool:
    """Whether one of the first items has the shape: a malformed first item must not hide the export."""
    return any(looks(item) for item in items[:20])


def _looks_gcp(item: Any) -> bool:
    # assetType: gcloud's JSON (search-all-resources, asset list); asset_type: the NDJSON of gcloud asset export
    return isinstance(item, dict) and ("assetType" in item or "asset_type" in item) and "name" in item


def _ndjson_of(text: str, looks: Callable[[Any], bool]) -> bool:
    from scanner.sources.exports.jsonitems import ndjson_items

    items = ndjson_items(text)
    return items is not None and _any([item for _, item in items], looks)


def _looks_azure(item: Any) -> bool:
    return isinstance(item, dict) and "type" in item and "location" in item and ("subscriptionId" in item or "resourceGroup" in item)
