"""3DS Outscale through its AWS-compatible APIs: FCU (EC2) for volumes and snapshots, OOS (S3) for buckets.

Endpoints are ``https://fcu.<region>.outscale.com`` and
``https://oos.<region>.outscale.com`` (docs.outscale.com, Regions, Endpoints
and Subregions Reference, REFERENCE.md [S74]); requests are signed for the
Outscale region itself. Each resource carries the endpoint host as its
``endpoint`` hint, which the catalog's outscale entries match to say who
operates the region. Outscale has no Resource Groups Tagging API, so bucket
tags take one ``GetBucketTagging`` per bucket; volumes and snapshots carry
their tags in-line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scanner.model import Origin, Resource, ScanError, Tag, Unknown
from scanner.sources.aws.clients import ClientMaker
from scanner.sources.aws.collector import api_errors, describe_failure

API = "outscale"


def fcu_host(region: str) -> str:
    return f"fcu.{region}.outscale.com"


def oos_host(region: str) -> str:
    return f"oos.{region}.outscale.com"


def audit_outscale(session: Any, regions: tuple[str, ...], endpoint_url: str | None = None, progress: Callable[[int, int], None] | None = None) -> Any:
    """Every volume, snapshot and bucket of the given Outscale regions (an ``Inventory``)."""
    from scanner.sources.aws.audit import Inventory

    maker = ClientMaker(session, endpoint_url)
    account = session.profile_name or "default"
    inventory = Inventory(API, None)
    for done, region in enumerate(regions, 1):
        resources, errors, answered = _audit_region(maker, region, endpoint_url)
        inventory.resources += resources
        inventory.errors += errors
        inventory.regions.setdefault(account, []).append(region)
        inventory.covered += answered
        if progress is not None:
            progress(done, len(regions))
    return inventory


def _audit_region(maker: ClientMaker, region: str, endpoint_url: str | None) -> tuple[list[Resource], list[ScanError], bool]:
    fcu = maker.client("ec2", region, endpoint_url=endpoint_url or f"https://{fcu_host(region)}")
    oos = maker.client("s3", region, endpoint_url=endpoint_url or f"https://{oos_host(region)}")
    where = f"{API}:{region}"
    resources: list[Resource] = []
    errors: list[ScanError] = []
    answered = False
    listings = (("volumes", lambda: _volumes(fcu, region)), ("snapshots", lambda: _snapshots(fcu, region)), ("buckets", lambda: _buckets(oos, region, errors)))
    for name, listing in listings:
        try:
            resources += listing()
            answered = True
        except api_errors() as exc:
            errors.append(ScanError(where, None, f"{name} listing failed: {describe_failure(exc)[1]}; those resources of this region are missing from the inventory"))
    return sorted(resources, key=lambda r: r.address), errors, answered


def _resource(address: str, kind: str, region: str, host: str, api: str, tags: list[dict] | None, complete: bool | Unknown = True) -> Resource:
    origin = Origin(api=f"{API} {api}")
    return Resource(
        address=address,
        type=kind,
        provider=API,
        region=region,
        origin=origin,
        tags=tuple(Tag(t["Key"], t.get("Value", ""), origin, via="inventory") for t in tags or ()),
        tags_complete=complete,
        hints={"endpoint": host},
    )


def _volumes(fcu: Any, region: str) -> list[Resource]:
    found = []
    for page in fcu.get_paginator("describe_volumes").paginate():
        for volume in page.get("Volumes", []):
            found.append(_resource(volume["VolumeId"], "fcu:volume", region, fcu_host(region), "fcu:DescribeVolumes", volume.get("Tags", [])))
    return found


def _snapshots(fcu: Any, region: str) -> list[Resource]:
    found = []
    for page in fcu.get_paginator("describe_snapshots").paginate(OwnerIds=["self"]):
        for snapshot in page.get("Snapshots", []):
            found.append(_resource(snapshot["SnapshotId"], "fcu:snapshot", region, fcu_host(region), "fcu:DescribeSnapshots", snapshot.get("Tags", [])))
    return found


def _buckets(oos: Any, region: str, errors: list[ScanError]) -> list[Resource]:
    from botocore.exceptions import ClientError

    found = []
    for page in oos.get_paginator("list_buckets").paginate():
        for bucket in page.get("Buckets", []):
            name = bucket["Name"]
            tags: list[dict] = []
            complete: bool | Unknown = True
            try:
                tags = oos.get_bucket_tagging(Bucket=name).get("TagSet", [])
            except ClientError as exc:
                code, text = describe_failure(exc)
                if code not in ("NoSuchTagSet", "NoSuchTagSetError"):
                    complete = Unknown(f"the tags of bucket {name} could not be read: {text}")
                    errors.append(ScanError(f"{API}:{region}", None, f"oos:GetBucketTagging: {text}; the sensitivity of bucket {name} is unknown"))
            found.append(_resource(f"https://{oos_host(region)}/{name}", "oos:bucket", region, oos_host(region), "oos:ListBuckets", tags, complete))
    return found
