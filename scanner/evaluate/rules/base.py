"""What every rule kind shares: the outcome it yields, the context it reads, and the places it judges."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from scanner.model import Assessment, DataCopy, Hosting, Unknown


@dataclass(frozen=True)
class Outcome:
    """A requirement that fails (``failed``) or that cannot be checked (not ``failed``)."""

    failed: bool
    message: str
    evidence: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Place:
    """The primary location of a resource's data, or one of its copies."""

    hosting: Hosting
    copy: DataCopy | None

    def describe(self) -> str:
        where = describe_hosting(self.hosting)
        if self.copy is None:
            return where
        label = COPY_LABELS.get(self.copy.kind, self.copy.kind.replace("-", " ") + " copy")
        return f"its {label} in {where}"

    def evidence(self) -> dict[str, Any]:
        if self.copy is None:
            return {"location": "primary"}
        return {"location": "copy", "copy": {"kind": self.copy.kind, "origin": self.copy.origin.as_json()}}


COPY_LABELS = {
    "s3-replication": "S3 replica",
    "dynamodb-replica": "DynamoDB replica",
    "rds-read-replica": "read replica",
    "rds-backup-replication": "replicated backups",
    "backup-copy": "backup copies",
    "kms-replica": "replica key",
    "azure-geo-redundancy": "geo-redundant copy",
    "azure-geo-backup": "geo-redundant backups",
    "dual-region": "dual-region copy",
    "cdn-edge": "CDN edge caches",
    "log-shipping": "shipped logs",
    "listed-region": "placement",  # model.LISTED_REGION: one of the regions the resource spans
}


def places(assessment: Assessment) -> Iterator[Place]:
    yield Place(assessment.hosting, None)
    for copy, hosting in assessment.copies:
        yield Place(hosting, copy)


def applies(rule_levels: frozenset[str], assessment: Assessment) -> bool:
    return bool(rule_levels & assessment.classification.classes) and assessment.resource.holds_data


def describe_hosting(hosting: Hosting) -> str:
    cloud = "an unknown cloud" if isinstance(hosting.cloud, Unknown) else hosting.cloud
    if isinstance(hosting.region, Unknown):
        return f"{cloud} (region unknown)"
    countries = "" if isinstance(hosting.countries, Unknown) or not hosting.countries else f" ({', '.join(sorted(hosting.countries))})"
    return f"{cloud} {hosting.region}{countries}"


def level_words(assessment: Assessment, rule_levels: frozenset[str]) -> str:
    matched = sorted(rule_levels & assessment.classification.classes)
    return "/".join(matched) or "classified"
