"""Which regions of a partition to audit: those the account has enabled.

``ec2:DescribeRegions`` with ``AllRegions`` lists every region of the
partition with its opt-in status; a region whose status is ``not-opted-in``
is disabled for the account and answers no call, so it is skipped and said
so (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeRegions.html).
Partitions and their region patterns come from botocore's partitions.json,
the same data the catalog reads.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

ENABLED = ("opt-in-not-required", "opted-in")


@dataclass(frozen=True)
class RegionPlan:
    """The regions to audit in one account, and the ones skipped with why."""

    audit: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]  # (region, reason)


@functools.lru_cache(maxsize=1)
def _partitions() -> tuple[tuple[str, re.Pattern, frozenset[str]], ...]:
    import botocore.loaders

    data = botocore.loaders.create_loader().load_data("partitions")
    return tuple((p["id"], re.compile(p["regionRegex"]), frozenset(p.get("regions", {}))) for p in data["partitions"])


def partition_of(region: str) -> str | None:
    """The partition a region belongs to (``aws``, ``aws-eusc``, ``aws-cn``…), or None when botocore does not know it."""
    for partition, _, regions in _partitions():
        if region in regions:
            return partition
    for partition, pattern, _ in _partitions():
        if pattern.fullmatch(region):
            return partition
    return None


def plan_regions(described: list[dict], partition: str, wanted: tuple[str, ...] | None) -> RegionPlan:
    """Pick the regions to audit from a DescribeRegions(AllRegions=True) answer.

    ``wanted`` None means every enabled region of the partition. A wanted
    region the answer does not mention is still audited: the API is the
    judge of what is disabled, and its calls will say if the region is not there.
    """
    status = {r["RegionName"]: r.get("OptInStatus", "opt-in-not-required") for r in described}
    if wanted is None:
        mine = sorted(name for name in status if partition_of(name) in (partition, None))
        audit = tuple(name for name in mine if status[name] in ENABLED)
        skipped = tuple((name, f"opt-in status {status[name]}") for name in mine if status[name] not in ENABLED)
        return RegionPlan(audit, skipped)
    chosen: list[str] = []
    refused: list[tuple[str, str]] = []
    for name in wanted:
        if name in status and status[name] not in ENABLED:
            refused.append((name, f"opt-in status {status[name]}"))
        else:
            chosen.append(name)
    return RegionPlan(tuple(chosen), tuple(refused))
