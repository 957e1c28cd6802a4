"""What an ARN says: partition, service, region, account and resource type.

ARN format: ``arn:partition:service:region:account-id:resource``, where the
resource is ``type/id``, ``type:id`` or a bare id
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).
The inventory type of a resource is ``service:resource-type`` as the Resource
Groups Tagging API spells its ResourceTypeFilters (``ec2:volume``, ``rds:db``).
"""

from __future__ import annotations

from dataclasses import dataclass

from scanner.support.patterns import any_name_matches

# Services whose ARNs carry a bare name: the resource type they mean.
_BARE_TYPES = {"s3": "bucket", "sns": "topic", "sqs": "queue"}

# Inventory types that hold no data of their own (identity, network plumbing,
# alarms): listed, judged by no rule, as policies/terraform.yml's no_data_types
# does for Terraform types. Name patterns (scanner.support.patterns: * and ?).
NO_DATA_TYPES = (
    "iam:*",
    "sts:*",
    "organizations:*",
    "route53:*",
    "acm:*",
    "cloudwatch:alarm",
    "budgets:*",
    "ec2:security-group*",
    "ec2:vpc",
    "ec2:vpc-endpoint*",
    "ec2:vpc-peering-connection",
    "ec2:subnet",
    "ec2:route-table",
    "ec2:internet-gateway",
    "ec2:egress-only-internet-gateway",
    "ec2:natgateway",
    "ec2:network-acl",
    "ec2:network-interface",
    "ec2:elastic-ip",
    "ec2:key-pair",
    "ec2:dhcp-options",
    "ec2:prefix-list",
    "ec2:transit-gateway*",
    "ec2:customer-gateway",
    "ec2:vpn-*",
    "ec2:launch-template",
    "elasticloadbalancing:listener*",
    "elasticloadbalancing:targetgroup",
    "backup:backup-plan",
)


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str  # "" for global resources (S3 buckets, IAM)
    account: str  # "" for S3 buckets
    resource: str

    @property
    def type(self) -> str:
        """``service:resource-type``, e.g. ``ec2:volume``, ``s3:bucket``, ``lambda:function``."""
        cut = min((i for i in (self.resource.find("/"), self.resource.find(":")) if i >= 0), default=-1)
        if cut < 0:
            return f"{self.service}:{_BARE_TYPES[self.service]}" if self.service in _BARE_TYPES else self.service
        return f"{self.service}:{self.resource[:cut]}"

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def parse_arn(text: str) -> Arn | None:
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[1] or not parts[2] or not parts[5]:
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def holds_data(resource_type: str) -> bool:
    return not any_name_matches(resource_type, NO_DATA_TYPES)


def build_arn(partition: str, service: str, region: str, account: str, resource: str) -> str:
    return str(Arn(partition, service, region, account, resource))
