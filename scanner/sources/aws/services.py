"""One function per AWS listing: what it finds in one region of one account, in bulk.

Each function takes a ``RegionContext`` and yields ``Found`` records. Every
list call goes through a paginator, so the number of calls grows with
regions × services × pages, not with resources. Two detail calls per
resource remain because AWS has no bulk call that returns them, and both
decide where copies of the data go: ``s3:GetBucketReplication`` per bucket and
``dynamodb:DescribeTable`` per table (its replicas). Tags come from the
Resource Groups Tagging API, or in-line when the listing returns them.

Registry: ``SERVICES`` maps a listing's name to its function, in the order
they run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from scanner.sources.aws.arn import build_arn, parse_arn


@dataclass(frozen=True)
class CopyRef:
    """A copy of a resource's data elsewhere: an S3 replication destination, a DynamoDB replica."""

    kind: str
    destination: str  # ARN of the copy
    region: str | None  # None: resolved later from the inventory (an S3 bucket's location)
    declared_by: str  # what says so, e.g. "s3 replication rule to-us"


@dataclass(frozen=True)
class Found:
    arn: str
    api: str  # the call that listed it, e.g. "ec2:DescribeVolumes"
    region: str | None = None  # None: from the ARN (or the bucket listing for S3)
    tags: tuple[tuple[str, str], ...] | None = None  # None: this listing does not return tags
    copies: tuple[CopyRef, ...] = ()


@dataclass
class RegionContext:
    account: str
    partition: str
    region: str
    client: Callable[[str], Any]  # service name -> boto3 client for this account and region
    page_size: int | None = None  # None: the service's default page size
    problems: list[tuple[str, str]] = field(default_factory=list)  # (api, message) that do not stop a listing

    def pages(self, client: Any, operation: str, **params: Any) -> Iterator[dict]:
        config = {"PageSize": self.page_size} if self.page_size else {}
        return client.get_paginator(operation).paginate(**params, PaginationConfig=config)

    def arn(self, service: str, resource: str) -> str:
        return build_arn(self.partition, service, self.region, self.account, resource)


def _tags(items: list[dict] | None) -> tuple[tuple[str, str], ...] | None:
    if items is None:
        return None
    return tuple((t["Key"], t.get("Value", "")) for t in items)


def _error_code(exc: Exception) -> str:
    return getattr(exc, "response", {}).get("Error", {}).get("Code", "") if hasattr(exc, "response") else ""


def tagged(ctx: RegionContext) -> Iterator[Found]:
    """Every tagged resource of the region (https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/API_GetResources.html)."""
    client = ctx.client("resourcegroupstaggingapi")
    for page in ctx.pages(client, "get_resources"):
        for item in page.get("ResourceTagMappingList", []):
            yield Found(item["ResourceARN"], "tagging:GetResources", tags=_tags(item.get("Tags", [])))


def buckets(ctx: RegionContext) -> Iterator[Found]:
    """S3 buckets located in this region, with their replication destinations.

    ``ListBuckets`` with ``BucketRegion`` sent to the region's own endpoint
    lists the buckets of that region, so no per-bucket location call is needed
    (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html).
    """
    from botocore.exceptions import ClientError

    client = ctx.client("s3")
    for page in ctx.pages(client, "list_buckets", BucketRegion=ctx.region):
        for bucket in page.get("Buckets", []):
            name = bucket["Name"]
            try:
                configuration = client.get_bucket_replication(Bucket=name)["ReplicationConfiguration"]
            except ClientError as exc:
                if _error_code(exc) != "ReplicationConfigurationNotFoundError":
                    ctx.problems.append(("s3:GetBucketReplication", f"the replication of bucket {name} could not be read ({_error_code(exc)}), so copies of its data are unknown"))
                configuration = {}
            yield Found(f"arn:{ctx.partition}:s3:::{name}", "s3:ListBuckets", region=ctx.region, copies=tuple(_replication_copies(configuration)))


def _replication_copies(configuration: dict) -> Iterator[CopyRef]:
    for rule in configuration.get("Rules", []):
        destination = rule.get("Destination", {}).get("Bucket")
        if rule.get("Status") == "Enabled" and destination:
            label = f" {rule['ID']}" if rule.get("ID") else ""
            yield CopyRef("s3-replication", destination, None, f"s3 replication rule{label} to {destination}")


def db_instances(ctx: RegionContext) -> Iterator[Found]:
    """RDS instances, with cross-region read replicas and replicated automated backups."""
    client = ctx.client("rds")
    for page in ctx.pages(client, "describe_db_instances"):
        for db in page.get("DBInstances", []):
            copies = []
            for replica in db.get("ReadReplicaDBInstanceIdentifiers", []):
                # Cross-region replicas are named by ARN, same-region ones by identifier.
                parsed = parse_arn(replica)
                arn = replica if parsed else ctx.arn("rds", f"db:{replica}")
                copies.append(CopyRef("rds-read-replica", arn, parsed.region if parsed else ctx.region, f"rds read replica {arn}"))
            for backup in db.get("DBInstanceAutomatedBackupsReplications", []):
                parsed = parse_arn(backup.get("DBInstanceAutomatedBackupsArn", ""))
                if parsed:
                    copies.append(CopyRef("rds-backup-replication", str(parsed), parsed.region, f"rds automated backups replicated to {parsed.region}"))
            yield Found(db["DBInstanceArn"], "rds:DescribeDBInstances", region=ctx.region, tags=_tags(db.get("TagList")), copies=tuple(copies))


def db_snapshots(ctx: RegionContext) -> Iterator[Found]:
    client = ctx.client("rds")
    for page in ctx.pages(client, "describe_db_snapshots"):
        for snapshot in page.get("DBSnapshots", []):
            yield Found(snapshot["DBSnapshotArn"], "rds:DescribeDBSnapshots", region=ctx.region, tags=_tags(snapshot.get("TagList")))


def tables(ctx: RegionContext) -> Iterator[Found]:
    """DynamoDB tables with their global-table replicas (``Replicas`` of DescribeTable)."""
    client = ctx.client("dynamodb")
    for page in ctx.pages(client, "list_tables"):
        for name in page.get("TableNames", []):
            table = client.describe_table(TableName=name)["Table"]
            yield Found(table.get("TableArn") or ctx.arn("dynamodb", f"table/{name}"), "dynamodb:ListTables", region=ctx.region, copies=tuple(replica_copies(table, ctx)))


def replica_copies(table: dict, ctx: RegionContext) -> Iterator[CopyRef]:
    """The other regions of a global table (version 2019.11.21), from DescribeTable's ``Replicas``."""
    for replica in table.get("Replicas", []):
        region = replica.get("RegionName")
        if region and region != ctx.region:
            arn = build_arn(ctx.partition, "dynamodb", region, ctx.account, f"table/{table['TableName']}")
            yield CopyRef("dynamodb-replica", arn, region, f"dynamodb global table replica in {region}")


def volumes(ctx: RegionContext) -> Iterator[Found]:
    client = ctx.client("ec2")
    for page in ctx.pages(client, "describe_volumes"):
        for volume in page.get("Volumes", []):
            yield Found(ctx.arn("ec2", f"volume/{volume['VolumeId']}"), "ec2:DescribeVolumes", region=ctx.region, tags=_tags(volume.get("Tags", [])))


def snapshots(ctx: RegionContext) -> Iterator[Found]:
    """EBS snapshots the account owns (OwnerIds=self: not the public ones)."""
    client = ctx.client("ec2")
    for page in ctx.pages(client, "describe_snapshots", OwnerIds=["self"]):
        for snapshot in page.get("Snapshots", []):
            # Snapshot ARNs carry no account id (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html).
            arn = build_arn(ctx.partition, "ec2", ctx.region, "", f"snapshot/{snapshot['SnapshotId']}")
            yield Found(arn, "ec2:DescribeSnapshots", region=ctx.region, tags=_tags(snapshot.get("Tags", [])))


def file_systems(ctx: RegionContext) -> Iterator[Found]:
    client = ctx.client("efs")
    for page in ctx.pages(client, "describe_file_systems"):
        for fs in page.get("FileSystems", []):
            arn = fs.get("FileSystemArn") or ctx.arn("elasticfilesystem", f"file-system/{fs['FileSystemId']}")
            yield Found(arn, "efs:DescribeFileSystems", region=ctx.region, tags=_tags(fs.get("Tags", [])))


def functions(ctx: RegionContext) -> Iterator[Found]:
    client = ctx.client("lambda")
    for page in ctx.pages(client, "list_functions"):
        for function in page.get("Functions", []):
            yield Found(function["FunctionArn"], "lambda:ListFunctions", region=ctx.region)


def keys(ctx: RegionContext) -> Iterator[Found]:
    client = ctx.client("kms")
    for page in ctx.pages(client, "list_keys"):
        for key in page.get("Keys", []):
            yield Found(key.get("KeyArn") or ctx.arn("kms", f"key/{key['KeyId']}"), "kms:ListKeys", region=ctx.region)


def vaults(ctx: RegionContext) -> Iterator[Found]:
    client = ctx.client("backup")
    for page in ctx.pages(client, "list_backup_vaults"):
        for vault in page.get("BackupVaultList", []):
            yield Found(vault["BackupVaultArn"], "backup:ListBackupVaults", region=ctx.region)


# listing name -> function; "tagging" first so its tags are known before the others merge in.
SERVICES: dict[str, Callable[[RegionContext], Iterator[Found]]] = {
    "tagging": tagged,
    "s3": buckets,
    "rds-instances": db_instances,
    "rds-snapshots": db_snapshots,
    "dynamodb": tables,
    "ebs-volumes": volumes,
    "ebs-snapshots": snapshots,
    "efs": file_systems,
    "lambda": functions,
    "kms": keys,
    "backup": vaults,
}
