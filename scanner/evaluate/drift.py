"""Declared against deployed: a Terraform scan compared with an inventory snapshot.

Two findings come out of it:

- ``deployed-location-differs-from-declared`` — a resource Terraform declares
  in one place runs in another (another cloud or region): the code no longer
  says where the data is. Reported at the Terraform line.
- ``sensitive-resource-not-declared`` — a resource holding personal, health,
  sensitive, restricted or classified data exists in the inventory and no
  scanned Terraform declares it: it escapes review. Reported at the
  inventory resource. Scan every repository that deploys to the audited
  accounts together, or the others' resources count as undeclared.

Matching a declaration to a deployed resource, each step one-to-one and
only on what is still unmatched:

1. identity — the declared resource's ``hints`` name the cloud id (``arn``,
   ``id``; a plan or state knows them) and the inventory address is that ARN
   or ends with that id;
2. Name tag — the same ``Name`` tag value on resources of the same kind;
3. workload — the only resource of its kind in its workload on both sides.

Kinds pair Terraform types with inventory types in ``SAME_KIND``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scanner.model import Assessment, Finding, Hosting, Rule, Severity, Unknown
from scanner.model.evidence import hosting_evidence, sensitivity_evidence

DRIFT = "deployed-location-differs-from-declared"
UNDECLARED = "sensitive-resource-not-declared"
SENSITIVE_LEVELS = frozenset({"personal", "health", "sensitive", "restricted", "classified"})

# Terraform type -> the inventory types of the same kind of resource.
SAME_KIND: Mapping[str, tuple[str, ...]] = {
    "aws_s3_bucket": ("s3:bucket",),
    # Buckets of S3-compatible clouds, as `sovscan inventory s3` lists them.
    "scaleway_object_bucket": ("s3:bucket",),
    "ovh_cloud_project_storage": ("s3:bucket",),
    "ionoscloud_s3_bucket": ("s3:bucket",),
    "aws_db_instance": ("rds:db",),
    "aws_rds_cluster": ("rds:cluster",),
    "aws_db_snapshot": ("rds:snapshot",),
    "aws_dynamodb_table": ("dynamodb:table",),
    "aws_ebs_volume": ("ec2:volume",),
    "aws_ebs_snapshot": ("ec2:snapshot",),
    "aws_instance": ("ec2:instance",),
    "aws_efs_file_system": ("elasticfilesystem:file-system",),
    "aws_lambda_function": ("lambda:function",),
    "aws_kms_key": ("kms:key",),
    "aws_backup_vault": ("backup:backup-vault",),
    "aws_sqs_queue": ("sqs:queue",),
    "aws_sns_topic": ("sns:topic",),
    "azurerm_storage_account": ("microsoft.storage/storageaccounts",),
    "azurerm_mssql_database": ("microsoft.sql/servers/databases",),
    "azurerm_mssql_server": ("microsoft.sql/servers",),
    "azurerm_key_vault": ("microsoft.keyvault/vaults",),
    "azurerm_linux_virtual_machine": ("microsoft.compute/virtualmachines",),
    "azurerm_windows_virtual_machine": ("microsoft.compute/virtualmachines",),
    "azurerm_managed_disk": ("microsoft.compute/disks",),
    "google_storage_bucket": ("storage.googleapis.com/Bucket",),
    "google_compute_disk": ("compute.googleapis.com/Disk",),
    "google_compute_instance": ("compute.googleapis.com/Instance",),
    "google_sql_database_instance": ("sqladmin.googleapis.com/Instance",),
    "google_bigquery_dataset": ("bigquery.googleapis.com/Dataset",),
    "outscale_volume": ("fcu:volume",),
    "outscale_snapshot": ("fcu:snapshot",),
}

RULES = {
    DRIFT: Rule(
        id=DRIFT, kind="inventory-comparison", levels=frozenset(), severity=Severity.MEDIUM, options={}, on_unknown=None,
        references=(), sources=(),
        summary="A resource runs in another cloud or region than its Terraform declares.",
        why="An audit must show what exists: when the deployed place differs from the declared one, the code no longer says where the data is, and a review of the code judges the wrong place.",
        example_pass='aws_s3_bucket.payroll declared in eu-west-3 and found in eu-west-3 by `sovscan inventory aws`',
        example_fail='aws_s3_bucket.payroll declared in eu-west-3 and found in us-east-1',
    ),
    UNDECLARED: Rule(
        id=UNDECLARED, kind="inventory-comparison", levels=SENSITIVE_LEVELS, severity=Severity.HIGH, options={}, on_unknown=None,
        references=(), sources=(),
        summary="A resource holding sensitive data exists in the inventory and no scanned Terraform declares it.",
        why="Resources created by hand or by another tool escape code review, so nobody checked where their data may live.",
        example_pass="every sensitive bucket of the account is declared in the scanned repositories",
        example_fail="a bucket tagged data_classification=sensitive, created in the console",
    ),
}


@dataclass(frozen=True)
class Match:
    declared: Assessment
    deployed: Assessment
    how: str  # identity | name tag | workload


def same_kind(declared_type: str, deployed_type: str) -> bool:
    return deployed_type in SAME_KIND.get(declared_type, ()) or declared_type == deployed_type


def _identities(assessment: Assessment) -> set[str]:
    return {v for k, v in assessment.resource.hints.items() if k in ("arn", "id", "cloud_id") and isinstance(v, str) and v}


def _names_it(address: str, identity: str) -> bool:
    return address == identity or address.endswith(("/" + identity, ":" + identity))


def _name_tag(assessment: Assessment) -> str | None:
    for tag in assessment.resource.tags:
        if tag.key.lower() == "name" and isinstance(tag.value, str) and tag.value:
            return tag.value
    return None


def match(declared: Sequence[Assessment], deployed: Sequence[Assessment]) -> list[Match]:
    matches: list[Match] = []
    left, right = list(declared), list(deployed)

    def pair(how: str, fits) -> None:
        for d in list(left):
            candidates = [x for x in right if fits(d, x)]
            if len(candidates) == 1 and sum(1 for y in left if fits(y, candidates[0])) == 1:
                matches.append(Match(d, candidates[0], how))
                left.remove(d)
                right.remove(candidates[0])

    pair("identity", lambda d, x: any(_names_it(x.resource.address, i) for i in _identities(d)))
    pair("name tag", lambda d, x: same_kind(d.resource.type, x.resource.type) and _name_tag(d) is not None and _name_tag(d) == _name_tag(x))
    pair("workload", lambda d, x: same_kind(d.resource.type, x.resource.type) and d.classification.workload is not None and d.classification.workload == x.classification.workload)
    return matches


def _place(hosting: Hosting) -> tuple[Any, Any] | None:
    if isinstance(hosting.cloud, Unknown) or isinstance(hosting.region, Unknown):
        return None
    return (hosting.cloud, hosting.region)


def _where(hosting: Hosting) -> str:
    countries = "" if isinstance(hosting.countries, Unknown) or not hosting.countries else f" ({', '.join(sorted(hosting.countries))})"
    return f"{hosting.cloud} {hosting.region}{countries}"


def compare(declared: Sequence[Assessment], deployed: Sequence[Assessment], rules: Mapping[str, Rule] = RULES) -> list[Finding]:
    """Findings of both rules; a place unknown on either side is never called a difference."""
    findings = []
    matches = match([a for a in declared if a.resource.holds_data], [a for a in deployed if a.resource.holds_data])
    drift = rules.get(DRIFT)
    for m in matches:
        was, now = _place(m.declared.hosting), _place(m.deployed.hosting)
        if drift is not None and drift.enabled and was is not None and now is not None and was != now:
            message = f"Declared in {_where(m.declared.hosting)} but deployed in {_where(m.deployed.hosting)} ({m.deployed.resource.address}, matched by {m.how})."
            evidence = {
                "declared": hosting_evidence(m.declared.hosting),
                "deployed": {**hosting_evidence(m.deployed.hosting), "address": m.deployed.resource.address, "origin": m.deployed.resource.origin.as_json()},
                "matched_by": m.how,
                "sensitivity": sensitivity_evidence(m.declared),
            }
            findings.append(Finding(DRIFT, drift.severity, m.declared.resource.address, message, m.declared.resource.origin, evidence))
    undeclared = rules.get(UNDECLARED)
    matched = {id(m.deployed) for m in matches}
    for a in deployed:
        level = a.classification.level
        if undeclared is None or not undeclared.enabled or id(a) in matched or not a.resource.holds_data or not (a.classification.classes & undeclared.levels):
            continue
        message = f"{(level or 'classified').capitalize()} data in {_where(a.hosting)} that no scanned Terraform declares."
        evidence = {"sensitivity": sensitivity_evidence(a), "hosting": hosting_evidence(a.hosting)}
        findings.append(Finding(UNDECLARED, undeclared.severity, a.resource.address, message, a.resource.origin, evidence))
    return findings
