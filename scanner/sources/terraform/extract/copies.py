"""Secondary data locations: data is where it is copied to.

A sensitive bucket in Paris replicated to Virginia has its data in
Virginia too. Each extractor below reads one way Terraform copies data —
S3 replication, DynamoDB global tables, RDS replicas and backup replication,
AWS Backup copy actions, KMS multi-region replicas, Azure geo-redundancy,
Google configurable dual-regions, CDN edges, logs shipped to a SaaS through
Firehose — and attaches a ``DataCopy`` to the *source* resource, naming the
destination, so the finding sits where the data comes from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

from scanner.model import DataCopy, Origin, Resource, Unknown
from scanner.policy.paths import policies_dir
from scanner.sources.terraform.lang.values import materialize
from scanner.sources.terraform.module.instances import ResourceObject, as_text
from scanner.sources.terraform.syntax import ast
from scanner.support.yamlload import load_yaml_file

WORLDWIDE = "worldwide"  # the region of a CDN edge copy: caches anywhere in the world

Copy = tuple[str, DataCopy]  # (address of the source resource, the copy)


@cache
def copy_facts() -> dict:
    """``policies/copies.yml``, read back from sovscan's cache while it is unchanged."""
    from scanner.support import resultcache

    path = policies_dir() / "copies.yml"
    support = Path(__file__).parents[3] / "support"
    inputs = [path, *sorted(support.glob("yaml*.py"))]
    return resultcache.cached("copies", inputs, lambda: load_yaml_file(path, "policies/copies.yml"), lambda v: isinstance(v, dict))


class Built:
    """The resources built for one root module, to resolve references between them."""

    def __init__(self, pairs: list[tuple[ResourceObject, Resource]]):
        self.pairs = pairs
        self.by_address = {resource.address: resource for _, resource in pairs}

    def named_by(self, obj: ResourceObject, path: str) -> list[Resource]:
        """Resources referenced by an attribute (a dotted path through nested blocks)."""
        found: list[Resource] = []
        for expr in _expressions(obj.block.body, path.split(".")):
            for ref in ast.references(expr):
                if len(ref) < 2 or "_" not in ref[0] or ref[0] in ("each", "count", "self"):
                    continue
                block = obj.module.config.resource("managed", ref[0], ref[1])
                if block is None:
                    continue
                objects = obj.module.resource_objects(block)
                addresses = (
                    [obj.module.prefix(block.address)]
                    if isinstance(objects, Unknown)
                    else [o.address for o in objects]
                )
                found += [self.by_address[a] for a in addresses if a in self.by_address]
        return list({r.address: r for r in found}.values())


def _expressions(body: ast.Body, parts: list[str]) -> Iterator[ast.Expr]:
    if len(parts) == 1:
        attr = body.attr(parts[0])
        if attr is not None:
            yield attr.expr
        return
    for block in body.blocks_of(parts[0]):
        yield from _expressions(block.body, parts[1:])


def _copy(kind: str, destination: Resource, origin: Origin) -> DataCopy:
    return DataCopy(kind, destination.provider, destination.region, dict(destination.hints), origin)


def _origin(obj: ResourceObject) -> Origin:
    return Origin(obj.block.file, obj.block.line)


# --------------------------------------------------------------------------- extractors

def _s3_replication(obj: ResourceObject, built: Built, this: Resource) -> Iterator[Copy]:
    sources = built.named_by(obj, "bucket")
    destinations = built.named_by(obj, "rule.destination.bucket")
    for source in sources:
        if destinations:
            for destination in destinations:
                yield source.address, _copy("s3-replication", destination, _origin(obj))
        elif any(True for _ in _expressions(obj.block.body, ["rule", "destination", "bucket"])):
            yield source.address, DataCopy("s3-replication", "aws", Unknown("the destination bucket is not in the scanned configuration"), {}, _origin(obj))


def _s3_inline_replication(obj: ResourceObject, built: Built, this: Resource) -> Iterator[Copy]:
    for destination in built.named_by(obj, "replication_configuration.rules.destination.bucket"):
        yield this.address, _copy("s3-replication", destination, _origin(obj))


def _dynamodb_replicas(obj: ResourceObject, built: Built, this: Resource) -> Iterator[Copy]:
    blocks = obj.blocks("replica")
    if isinstance(blocks, Unknown):
        yield this.address, DataCopy("dynamodb-replica", "aws", blocks, {}, _origin(obj))
        return
    for body, scope, line in blocks:
        attr = body.attr("region_name")
        if attr is None:
            continue
        region = as_text(obj.module.evaluate(attr.expr, scope, obj.block.file, attr.line))
        if region is not None:
            yield this.address, DataCopy("dynamodb-replica", "aws", region, {}, Origin(obj.block.file, line))


def _replica_of(attribute: str, kind: str) -> Callable[..., Iterator[Copy]]:
    """A resource that is itself the copy of the resource its attribute names."""

    def extract(obj: ResourceObject, built: Built, this: Resource) -> Iterator[Copy]:
        for source in built.named_by(obj, attribute):
            if source.address != this.address:
                yield source.address, _copy(kind, this, _origin(obj))

    return extract


def _backup_selection(obj: ResourceObject, built: Built, this: Resource) -> Iterator[Copy]:
    vaults: list[Resource] = []
    for plan in built.named_by(obj, "plan_id"):
        plan_obj = next((o for o, r in built.pairs if r.address == plan.address), None)
        if plan_obj is not None:
            vaults += built.named_by(plan_obj, "rule.copy_action.destination_vault_arn")
    for source in built.named_by(obj, "resources"):
        for vault in vaults:
            yield source.address, _copy("backup-copy", vault, _origin(obj))


def _azure_geo_redundancy(obj: ResourceObject, built: Built, this: Resource) -> Iterator[Copy]:
    facts = copy_facts()["azure_geo_redundancy"]
    present, value = obj.attribute("account_replication_type")
    kind = as_text(value) if present else None
    if isinstance(kind, Unknown):
        yield this.address, DataCopy("azure-geo-redundancy", "azurerm", Unknown(f"the replication type is unknown ({kind.reason})"), {}, _origin(obj))
        return
    if not kind or kind.upper() not in facts["replication_types"]:
        return
    yield this.address, _paired_copy("azure-geo-redundancy", this, facts, _origin(obj))


def _azure_geo_backup(attribute: str, geo_values: tuple[str, ...], default: str | None) -> Callable[..., Iterator[Copy]]:
    """Backups kept in the paired region (SQL Database backups are geo-redundant by default)."""

    def extract(obj: ResourceObject, built: Built, this: Resource) -> Iterator[Copy]:
        present, value = obj.attribute(attribute)
        setting = as_text(value) if present else default
        if isinstance(setting, Unknown):
            yield this.address, DataCopy("azure-geo-backup", "azurerm", Unknown(f"{attribute} is unknown"), {}, _origin(obj))
        elif setting is not None and setting.lower() in geo_values:
            yield this.address, _paired_copy("azure-geo-backup", this, copy_facts()["azure_geo_redundancy"], _origin(obj))

    return extract


def _paired_copy(kind: str, this: Resource, facts: dict, origin: Origin) -> DataCopy:
    region = this.region
    if isinstance(region, Unknown):
        return DataCopy(kind, "azurerm", Unknown(f"the paired region is unknown because the location is ({region.reason})"), {}, origin)
    pair = facts["pairs"].get(region)
    if pair is None:
        reason = "has no pair" if region in facts["unpaired"] else "has a pair sovscan does not know"
        return DataCopy(kind, "azurerm", Unknown(f"{region} {reason}"), {}, origin)
    return DataCopy(kind, "azurerm", pair, {}, origin)


def _google_dual_region(obj: ResourceObject, built: Built, this: Resource) -> Iterator[Copy]:
    present, value = obj.attribute("custom_placement_config.data_locations")
    if not present:
        return
    value = materialize(value)
    if isinstance(value, Unknown):
        yield this.address, DataCopy("dual-region", this.provider, value, dict(this.hints), _origin(obj))
        return
    for location in value if isinstance(value, list) else []:
        text = as_text(location)
        if text is not None:
            yield this.address, DataCopy("dual-region", this.provider, text.lower() if isinstance(text, str) else text, dict(this.hints), _origin(obj))


def _cdn(resource_type: str) -> Callable[..., Iterator[Copy]]:
    def extract(obj: ResourceObject, built: Built, this: Resource) -> Iterator[Copy]:
        facts = copy_facts()["cdn_edges"][resource_type]
        if facts.get("when"):
            present, enabled = obj.attribute(facts["when"])
            if not present or enabled is not True:
                return
        for path in facts["origins"]:
            for source in built.named_by(obj, path):
                yield source.address, DataCopy("cdn-edge", facts["provider"], WORLDWIDE, {"area": WORLDWIDE, "cloud": facts["cloud"]}, _origin(obj))

    return extract


def _log_subscription(obj: ResourceObject, built: Built, this: Resource) -> Iterator[Copy]:
    """CloudWatch logs sent to a Firehose stream whose HTTP endpoint is a SaaS (Datadog, New Relic, Splunk…)."""
    streams = built.named_by(obj, "destination_arn")
    for source in built.named_by(obj, "log_group_name"):
        for stream in streams:
            stream_obj = next((o for o, r in built.pairs if r.address == stream.address), None)
            if stream_obj is None:
                continue
            present, url = stream_obj.attribute("http_endpoint_configuration.url")
            text = as_text(url) if present else None
            if text is None:
                yield source.address, _copy("log-shipping", stream, _origin(obj))
            elif isinstance(text, Unknown):
                yield source.address, DataCopy("log-shipping", "saas", text, {"endpoint": text}, _origin(obj))
            else:
                host = (urlparse(text).hostname or text).lower()
                yield source.address, DataCopy("log-shipping", "saas", Unknown(f"the SaaS region behind {host}"), {"endpoint": host}, _origin(obj))


EXTRACTORS: dict[str, Callable[..., Iterator[Copy]]] = {
    "aws_s3_bucket_replication_configuration": _s3_replication,
    "aws_s3_bucket": _s3_inline_replication,
    "aws_dynamodb_table": _dynamodb_replicas,
    "aws_dynamodb_table_replica": _replica_of("global_table_arn", "dynamodb-replica"),
    "aws_db_instance": _replica_of("replicate_source_db", "rds-read-replica"),
    "aws_db_instance_automated_backups_replication": _replica_of("source_db_instance_arn", "rds-backup-replication"),
    "aws_kms_replica_key": _replica_of("primary_key_arn", "kms-replica"),
    "aws_backup_selection": _backup_selection,
    "aws_cloudwatch_log_subscription_filter": _log_subscription,
    "azurerm_storage_account": _azure_geo_redundancy,
    "azurerm_mssql_database": _azure_geo_backup("storage_account_type", ("geo", "geozone"), "geo"),
    "azurerm_postgresql_flexible_server": _azure_geo_backup("geo_redundant_backup_enabled", ("true",), None),
    "google_storage_bucket": _google_dual_region,
    "aws_cloudfront_distribution": _cdn("aws_cloudfront_distribution"),
    "azurerm_cdn_endpoint": _cdn("azurerm_cdn_endpoint"),
    "azurerm_cdn_frontdoor_origin": _cdn("azurerm_cdn_frontdoor_origin"),
    "google_compute_backend_bucket": _cdn("google_compute_backend_bucket"),
}


def attach_copies(pairs: list[tuple[ResourceObject, Resource]]) -> list[Resource]:
    """The resources of one root module, each with the copies of its data."""
    built = Built(pairs)
    copies: dict[str, list[DataCopy]] = {}
    for obj, resource in pairs:
        extractor = EXTRACTORS.get(obj.block.type)
        if extractor is None:
            continue
        for address, copy in extractor(obj, built, resource):
            copies.setdefault(address, []).append(copy)
    return [
        replace(resource, copies=resource.copies + tuple(copies[resource.address])) if resource.address in copies else resource
        for _, resource in pairs
    ]
