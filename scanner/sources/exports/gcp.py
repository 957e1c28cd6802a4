"""Google Cloud Asset Inventory exports, in the three shapes gcloud writes them.

- ``gcloud asset search-all-resources --scope=… --format=json``
  (https://cloud.google.com/asset-inventory/docs/reference/rest/v1/TopLevel/searchAllResources):
  ``name``, ``assetType``, ``location`` (a region, a zone, a multi-region
  such as ``eu``, or ``global``), ``labels`` and ``project`` at the top;
- ``gcloud asset list --content-type=resource --format=json``: ``name``,
  ``assetType``, and under ``resource`` its ``location``, the resource's own
  ``data`` (its ``labels`` among them) and the ``parent`` project;
- ``gcloud asset export --content-type=resource --output-path=gs://…``:
  the same assets as newline-delimited JSON with the proto's field names
  (``asset_type``, ``resource.location``, ``resource.data.labels``).

A zone is turned into its region as the Terraform source does. An asset
whose name is served under ``s3nsapis.fr`` belongs to the S3NS universe
(UNCONFIRMED: inferred from S3NS's universe domain, REFERENCE.md [S65]; no
S3NS export was seen).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from scanner.model import Origin, Resource
from scanner.sources import SourceResult
from scanner.sources.exports.common import holds_data, location_region, optional_text_field, read_json_export, tags_field, text_field

API = "gcp"
ZONE = re.compile(r"(?P<region>[a-z]+-[a-z]+[0-9]+)-[a-z]")  # as policies/terraform.yml's zone_to_region for google
UNIVERSE = re.compile(r"//[a-z0-9-]+\.(?P<domain>s3nsapis\.fr)/")

NO_DATA_TYPES = (
    "compute.googleapis.com/Firewall",
    "compute.googleapis.com/Network",
    "compute.googleapis.com/Subnetwork",
    "compute.googleapis.com/Route",
    "compute.googleapis.com/Router",
    "compute.googleapis.com/Address",
    "compute.googleapis.com/GlobalAddress",
    "iam.googleapis.com/*",
    "cloudresourcemanager.googleapis.com/*",
    "serviceusage.googleapis.com/*",
    "dns.googleapis.com/*",
    "monitoring.googleapis.com/*",
)


def read_gcp_asset_inventory(path: Path, display: str) -> SourceResult:
    return read_json_export(path, display, "Cloud Asset Inventory export", _resource, ndjson=True)


def flattened(item: dict[str, Any]) -> dict[str, Any]:
    """An asset of ``gcloud asset list`` or ``gcloud asset export`` in the shape of search-all-resources.

    The location is the asset's own (``resource.location``), else the one its
    data names (``location``, ``region``, ``zone``; a URL's last part); the
    labels are the resource's (``resource.data.labels``, Cloud SQL's
    ``settings.userLabels``); the project is the
    parent's (``//cloudresourcemanager.googleapis.com/projects/123``).
    """
    resource = item.get("resource")
    flat = dict(item)
    if "assetType" not in flat and "asset_type" in flat:
        flat["assetType"] = flat["asset_type"]
    if not isinstance(resource, dict):
        return flat
    data: dict[str, Any] = resource["data"] if isinstance(resource.get("data"), dict) else {}
    if "location" not in flat:
        for value in (resource.get("location"), data.get("location"), data.get("region"), data.get("zone")):
            if isinstance(value, str) and value:
                flat["location"] = value.rsplit("/", 1)[-1]  # compute data names its zone by URL
                break
    if "labels" not in flat:
        settings: dict[str, Any] = data["settings"] if isinstance(data.get("settings"), dict) else {}
        if "labels" in data:
            flat["labels"] = data["labels"]
        elif "userLabels" in settings:  # Cloud SQL keeps its labels in settings.userLabels (sqladmin DatabaseInstance)
            flat["labels"] = settings["userLabels"]
    parent = resource.get("parent")
    if "project" not in flat and isinstance(parent, str) and "/projects/" in parent:
        flat["project"] = "projects/" + parent.rsplit("/projects/", 1)[-1]
    return flat


def _resource(item: dict[str, Any], origin: Origin) -> Resource:
    item = flattened(item)
    address = text_field(item, "name")
    kind = text_field(item, "assetType")
    project = optional_text_field(item, "project")
    origin = Origin(file=origin.file, line=origin.line, account=project, api="cloud asset inventory")
    region = location_region(item, address, "a global Google Cloud resource: the export gives no single location")
    if isinstance(region, str):
        zone = ZONE.fullmatch(region)
        region = zone.group("region") if zone else region
    hints = {}
    universe = UNIVERSE.match(address)
    if universe:
        hints["universe_domain"] = universe.group("domain")
    return Resource(
        address=address,
        type=kind,
        provider=API,
        region=region,
        origin=origin,
        tags=tags_field(item, "labels", origin),
        hints=hints,
        holds_data=holds_data(kind, NO_DATA_TYPES),
    )
