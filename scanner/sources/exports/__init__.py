"""Inventory exports of other clouds, read by ``sovscan scan FILE``.

- ``azure``: Azure Resource Graph (``az graph query``), a bare list or ``{"data": [...]}``;
- ``gcp``: Google Cloud Asset Inventory (``gcloud asset search-all-resources --format=json``);
- ``generic``: sovscan's own CSV or YAML inventory (provider, region, id, type, tags) for
  on-premises sites and clouds sovscan has no API for.

Each reader takes ``(path, display)`` and returns a ``SourceResult``; a wrong
shape is one error per problem naming the file and the line, and the rest
of the file is read.
"""

from scanner.sources.exports.azure import read_azure_resource_graph
from scanner.sources.exports.gcp import read_gcp_asset_inventory
from scanner.sources.exports.generic import read_generic_inventory

__all__ = ["read_azure_resource_graph", "read_gcp_asset_inventory", "read_generic_inventory"]
