"""What kind of input a file is, from its name and its first bytes; the registry of file sources.

``FILE_SOURCES`` maps a kind to the function that reads it, imported only
when needed. JSON documents are recognised by their top-level keys, never by
their name alone.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any, Callable

# kind -> "module:function"; each function takes (path, display) and returns a SourceResult
FILE_SOURCES = {
    "terraform-plan": "scanner.sources.plan:read_plan",
    "terraform-state": "scanner.sources.state:read_state",
    "sovscan-inventory": "scanner.inventory.snapshot:read_snapshot",
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


def detect(path: Path) -> tuple[str | None, str | None]:
    """(kind, None) or (None, why the file is not a supported input)."""
    name = path.name.lower()
    if name.endswith((".csv", ".yml", ".yaml")):
        return "generic-inventory", None
    if name.endswith(".tfstate") or name.endswith(".tfstate.backup"):
        return "terraform-state", None
    if not name.endswith(".json"):
        return None, "not a Terraform folder or a supported export (plan or state JSON, inventory JSON/CSV/YAML)"
    try:
        if path.stat().st_size > MAX_SNIFF_BYTES:
            return None, "file too large to read"
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    except (OSError, ValueError, RecursionError) as exc:
        return None, f"not valid JSON ({getattr(exc, 'msg', None) or exc})"
    return kind_of(document)


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
        if isinstance(document.get("data"), list) and document.get("data") and _looks_azure(document["data"][0]):
            return "azure-resource-graph", None
    if isinstance(document, list) and document:
        first = document[0]
        if _looks_azure(first):
            return "azure-resource-graph", None
        if isinstance(first, dict) and "assetType" in first and "name" in first:
            return "gcp-asset-inventory", None
    return None, "JSON of a shape sovscan does not know (expected a Terraform plan or state, an Azure Resource Graph or Google Cloud Asset Inventory export, or a sovscan inventory)"


def _looks_azure(item: Any) -> bool:
    return isinstance(item, dict) and "type" in item and "location" in item and ("subscriptionId" in item or "resourceGroup" in item)
