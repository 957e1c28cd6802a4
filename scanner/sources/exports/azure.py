"""Azure Resource Graph exports: ``az graph query -q "Resources | project id, name, type, location,
resourceGroup, subscriptionId, tags"`` (https://learn.microsoft.com/azure/governance/resource-graph/).

The Azure CLI prints ``{"count": …, "data": [...], "skip_token": …}``; with
``--query data`` (or older versions) a bare list. Resource Graph spells types
in lower case and locations as ``az account list-locations`` does
(``francecentral``); a display name (``France Central``) is normalised the same
way the Terraform source does. ``global`` resources have no single location.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scanner.model import Origin, Resource
from scanner.sources import SourceResult
from scanner.sources.exports.common import holds_data, location_region, optional_text_field, read_json_export, tags_field, text_field

API = "azure"

# Resource types that hold no data of their own: listed, judged by no rule.
NO_DATA_TYPES = (
    "microsoft.network/*",
    "microsoft.authorization/*",
    "microsoft.managedidentity/*",
    "microsoft.resources/*",
    "microsoft.insights/actiongroups",
    "microsoft.insights/*alert*",
    "microsoft.insights/diagnosticsettings",
    "microsoft.security/*",
)


def read_azure_resource_graph(path: Path, display: str) -> SourceResult:
    return read_json_export(path, display, "Azure Resource Graph export", _resource, key="data")


def _resource(item: dict[str, Any], origin: Origin) -> Resource:
    address = text_field(item, "id")
    kind = text_field(item, "type").lower()
    subscription = optional_text_field(item, "subscriptionId")
    origin = Origin(file=origin.file, line=origin.line, account=subscription, api="azure resource graph")
    region = location_region(item, address, "a global Azure resource: Resource Graph gives no single location")
    if isinstance(region, str):
        region = region.replace(" ", "")
    return Resource(
        address=address,
        type=kind,
        provider=API,
        region=region,
        origin=origin,
        tags=tags_field(item, "tags", origin),
        holds_data=holds_data(kind, NO_DATA_TYPES),
    )
