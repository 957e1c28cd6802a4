"""Audit AWS accounts × regions in a bounded thread pool; one failure never stops the rest.

The session comes from the CLI. With ``org_role`` the accounts come from
AWS Organizations (``ListAccounts``) and the role is assumed in each one
except the caller's own; ``shard`` keeps the accounts of one job of N.
Each account first lists its enabled regions, then each region is one task
of the pool. Problems become ``ScanError`` entries located at
``aws:ACCOUNT`` or ``aws:ACCOUNT:REGION``.
"""

from __future__ import annotations

import concurrent.futures as futures
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scanner.model import Resource, ScanError, Unknown
from scanner.sources.aws.clients import MAX_ATTEMPTS, ClientMaker, Credentials
from scanner.sources.aws.collector import RegionAudit, api_errors, audit_region, bucket_regions, describe_failure, to_resources, unresolved_destinations
from scanner.sources.aws.regions import RegionPlan, partition_of, plan_regions
from scanner.sources.aws.services import RegionContext
from scanner.sources.aws.shard import Shard

SESSION_NAME = "sovscan-inventory"
DEFAULT_REGION = "us-east-1"


class AuditFailed(Exception):
    """Nothing can be audited (no credentials, organization not readable): exit code 2."""


class BadOptions(Exception):
    """Options that cannot go together (regions of two partitions, --shard without --org-role)."""


@dataclass(frozen=True)
class AuditOptions:
    regions: tuple[str, ...] | None = None  # None: every enabled region of the partition
    endpoint_url: str | None = None
    org_role: str | None = None  # role name (or path/name) assumed in each account of the organization
    shard: Shard | None = None
    workers: int = 8
    page_size: int | None = None  # None: each API's default page size
    attempts: int = MAX_ATTEMPTS  # per call, throttling retries included


@dataclass
class Inventory:
    """What an audit saw: resources, problems, and which accounts and regions it covered."""

    api: str
    partition: str | None
    resources: list[Resource] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    regions: dict[str, list[str]] = field(default_factory=dict)  # account -> regions audited
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # (account, region, why)
    shard: str | None = None
    covered: int = 0  # regions where at least one listing answered
    unjudged: list[str] = field(default_factory=list)  # what the audit saw but could not judge (an S3 bucket's unreadable tags, an endpoint not read)

    @property
    def accounts(self) -> list[str]:
        return sorted(self.regions)


@dataclass
class _Account:
    id: str
    credentials: Credentials | None
    plan: RegionPlan


Progress = Callable[[int, int], None]  # (done, total)


def home_region(session: Any, options: AuditOptions) -> str:
    """The region for STS, Organizations and DescribeRegions; it also fixes the partition.

    The first region asked for, else the session's (profile or AWS_REGION), else us-east-1.
    """
    return (options.regions[0] if options.regions else None) or session.region_name or DEFAULT_REGION


def audit_aws(session: Any, options: AuditOptions, progress: Progress | None = None) -> Inventory:
    """Every account (the caller's, or the organization's shard) × every region asked for."""
    home = home_region(session, options)
    partition = partition_of(home) or "aws"
    for region in options.regions or ():
        other = partition_of(region)
        if other is not None and other != partition:
            raise BadOptions(f"region {region} is in partition {other}, not {partition} (the partition of {home}); audit each partition separately")
    maker = ClientMaker(session, options.endpoint_url, max_attempts=options.attempts, pool_size=max(10, options.workers))
    caller = _caller_account(maker, home)
    inventory = Inventory("aws", partition, shard=str(options.shard) if options.shard else None)
    accounts = _accounts(maker, home, caller, options, inventory)
    audits, credentials = _audit_in_pool(maker, home, partition, caller, accounts, options, inventory, progress)
    known: dict[str, str | Unknown] = dict(bucket_regions(audits))
    for account, bucket in sorted(unresolved_destinations(audits, known)):
        known[bucket] = _bucket_location(maker, home, account, credentials.get(account), bucket)
    inventory.resources = to_resources(audits, known, "aws")
    inventory.errors += _skipped_notes(inventory.skipped, options)
    inventory.errors.sort(key=lambda e: (e.file or "", e.message))
    return inventory


def _audit_in_pool(maker: ClientMaker, home: str, partition: str, caller: str, accounts: list[str], options: AuditOptions, inventory: Inventory, progress: Progress | None) -> tuple[list[RegionAudit], dict[str, Credentials | None]]:
    """Open each account (role, regions), then audit each of its regions, all in one bounded pool.

    Only this thread touches ``inventory``; an account's clients are dropped
    once its last region is done, so memory stays bounded for thousands of accounts.
    """
    audits: list[RegionAudit] = []
    credentials: dict[str, Credentials | None] = {}
    remaining: dict[str, int] = {}
    total, done = len(accounts), 0
    with futures.ThreadPoolExecutor(max_workers=max(1, options.workers), thread_name_prefix="sovscan-audit") as pool:
        pending: dict[futures.Future[Any], tuple[str, str]] = {pool.submit(_open_account, maker, home, partition, caller, account, options): ("account", account) for account in accounts}
        while pending:
            finished, _ = futures.wait(pending, return_when=futures.FIRST_COMPLETED)
            for future in finished:
                what, account = pending.pop(future)
                if what == "account":
                    opened, errors = future.result()
                    inventory.errors += errors
                    if opened is not None:
                        credentials[account] = opened.credentials
                        inventory.regions[account] = list(opened.plan.audit)
                        inventory.skipped += [(account, region, why) for region, why in opened.plan.skipped]
                        total += len(opened.plan.audit)
                        remaining[account] = len(opened.plan.audit)
                        for region in opened.plan.audit:
                            pending[pool.submit(audit_region, _context(maker, opened, partition, region, options))] = ("region", account)
                else:
                    audit = future.result()
                    audits.append(audit)
                    inventory.errors += audit.errors
                    inventory.covered += audit.failed < audit.listings
                    remaining[account] -= 1
                    if remaining[account] == 0:
                        maker.forget(account)
                done += 1
                if progress is not None:
                    progress(done, total)
    return audits, credentials


def _caller_account(maker: ClientMaker, home: str) -> str:
    try:
        return maker.client("sts", home).get_caller_identity()["Account"]
    except api_errors() as exc:
        raise AuditFailed(f"cannot authenticate to AWS: {describe_failure(exc)[1]}") from None


def _accounts(maker: ClientMaker, home: str, caller: str, options: AuditOptions, inventory: Inventory) -> list[str]:
    if not options.org_role:
        if options.shard is not None:
            raise BadOptions("--shard splits the accounts of an organization: use it with --org-role")
        return [caller]
    accounts = []
    try:
        for page in maker.client("organizations", home).get_paginator("list_accounts").paginate():
            for account in page.get("Accounts", []):
                if account.get("Status", "ACTIVE") == "ACTIVE":
                    accounts.append(account["Id"])
                else:
                    inventory.skipped.append((account["Id"], "-", f"account status {account['Status']}"))
    except api_errors() as exc:
        raise AuditFailed(f"cannot list the organization's accounts from account {caller}: {describe_failure(exc)[1]}") from None
    if options.shard is not None:
        accounts = [a for a in accounts if options.shard.selects(a)]
    return sorted(accounts)


def _open_account(maker: ClientMaker, home: str, partition: str, caller: str, account: str, options: AuditOptions) -> tuple[_Account | None, list[ScanError]]:
    """Assume the role (unless it is the caller's account) and plan the regions."""
    where = f"aws:{account}"
    credentials = None
    if account != caller:
        role = f"arn:{partition}:iam::{account}:role/{options.org_role}"
        try:
            answer = maker.client("sts", home).assume_role(RoleArn=role, RoleSessionName=SESSION_NAME)["Credentials"]
        except api_errors() as exc:
            return None, [ScanError(where, None, f"cannot assume {role}: {describe_failure(exc)[1]}; account {account} is missing from the inventory")]
        credentials = Credentials(answer["AccessKeyId"], answer["SecretAccessKey"], answer["SessionToken"])
    try:
        described = maker.client("ec2", home, account, credentials).describe_regions(AllRegions=True)["Regions"]
    except api_errors() as exc:
        if options.regions:
            note = ScanError(where, None, f"cannot list the enabled regions ({describe_failure(exc)[1]}); auditing the regions asked for anyway")
            return _Account(account, credentials, RegionPlan(tuple(options.regions), ())), [note]
        return None, [ScanError(where, None, f"cannot list the enabled regions: {describe_failure(exc)[1]}; account {account} is missing from the inventory")]
    return _Account(account, credentials, plan_regions(described, partition, options.regions)), []


def _context(maker: ClientMaker, account: _Account, partition: str, region: str, options: AuditOptions) -> RegionContext:
    return RegionContext(
        account=account.id,
        partition=partition,
        region=region,
        client=lambda service: maker.client(service, region, account.id, account.credentials),
        page_size=options.page_size,
    )


def _bucket_location(maker: ClientMaker, home: str, account: str, credentials: Credentials | None, bucket: str) -> str | Unknown:
    """Where a replication destination outside the audited regions lives (GetBucketLocation)."""
    try:
        answer = maker.client("s3", home, account, credentials).get_bucket_location(Bucket=bucket)
    except api_errors() as exc:
        return Unknown(f"the location of bucket {bucket} could not be read: {describe_failure(exc)[1]}")
    # An empty constraint is us-east-1, "EU" the old name of eu-west-1
    # (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html).
    constraint = answer.get("LocationConstraint") or "us-east-1"
    return "eu-west-1" if constraint == "EU" else constraint


def _skipped_notes(skipped: list[tuple[str, str, str]], options: AuditOptions) -> list[ScanError]:
    """One entry per account naming the regions skipped because they are not enabled."""
    by_account: dict[str, list[str]] = {}
    notes = []
    for account, region, why in skipped:
        if region == "-":
            notes.append(ScanError(f"aws:{account}", None, f"skipped: {why}"))
        else:
            by_account.setdefault(account, []).append(region)
    for account, regions in sorted(by_account.items()):
        asked = "asked for but " if options.regions else ""
        notes.append(ScanError(f"aws:{account}", None, f"regions {asked}not enabled in this account, skipped: {', '.join(sorted(regions))}"))
    return notes
