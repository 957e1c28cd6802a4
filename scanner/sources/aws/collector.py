"""Audit one region of one account; merge what every listing found into ``Resource`` records.

A failing call never stops the audit: it becomes a ``ScanError`` located at
``aws:ACCOUNT:REGION`` that says what is missing, and the other listings go
on. A resource whose tags could not be read has ``tags_complete`` Unknown, so
its sensitivity is "unresolved", never "unclassified" and never compliant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from scanner.model import DataCopy, Origin, Resource, ScanError, Tag, Unknown
from scanner.sources.aws.arn import holds_data, parse_arn
from scanner.sources.aws.services import SERVICES, CopyRef, Found, RegionContext

ACCESS_DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError", "Forbidden", "403"})
REGION_DISABLED = frozenset({"AuthFailure", "UnrecognizedClientException", "InvalidClientTokenId", "OptInRequired", "InvalidAccessKeyId"})
THROTTLED = frozenset({"Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded", "TooManyRequestsException", "RequestThrottled", "SlowDown", "RequestThrottledException"})


def location(account: str, region: str, api: str = "aws") -> str:
    """Where an inventory problem happened, in the ``file`` field of errors: ``aws:ACCOUNT:REGION``."""
    return f"{api}:{account}:{region}"


def api_errors() -> tuple[type[Exception], ...]:
    """What a failing call raises: an error answer, a transport problem, or an answer botocore cannot parse."""
    from botocore.exceptions import BotoCoreError, ClientError
    from botocore.parsers import ResponseParserError

    return (ClientError, BotoCoreError, ResponseParserError)


def family(code: str) -> str:
    """What an error code means for the audit: access denied, region disabled, throttled, or itself."""
    if code in ACCESS_DENIED:
        return "access denied"
    if code in REGION_DISABLED:
        return "the region may not be enabled for this account"
    if code in THROTTLED:
        return "still throttled after botocore's adaptive retries"
    return code


def describe_failure(exc: Exception) -> tuple[str, str]:
    """(error code, one sentence) for a botocore failure; never shows credentials."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and "Error" in response:
        code = str(response["Error"].get("Code") or response.get("ResponseMetadata", {}).get("HTTPStatusCode", "error"))
        message = str(response["Error"].get("Message") or "").strip()
        operation = getattr(exc, "operation_name", "")
        text = f"{operation} answered {code}" + (f" ({message})" if message else "")
    else:
        code = type(exc).__name__
        first = (str(exc).strip().splitlines() or [""])[0]
        text = f"{code}: {first[:200]}"
    if family(code) != code:
        text += f"; {family(code)}"
    return code, text


@dataclass
class RegionAudit:
    account: str
    region: str
    found: list[Found] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    tags_failed: str | None = None  # why the tagging API gave nothing here
    failed: int = 0  # listings that failed
    listings: int = 0


def audit_region(ctx: RegionContext, services: Mapping[str, Callable[[RegionContext], Iterator[Found]]] = SERVICES, api: str = "aws") -> RegionAudit:
    audit = RegionAudit(ctx.account, ctx.region, listings=len(services))
    failures: list[tuple[str, str, str]] = []  # (listing, code, text)
    for name, listing in services.items():
        try:
            for item in listing(ctx):
                audit.found.append(item)
        except api_errors() as exc:
            code, text = describe_failure(exc)
            failures.append((name, code, text))
            if name == "tagging":
                audit.tags_failed = f"the Resource Groups Tagging API failed: {text}"
        except (KeyError, TypeError, ValueError) as exc:  # an answer of a shape the API does not document
            failures.append((name, "UnexpectedAnswer", f"unexpected answer ({type(exc).__name__}: {exc})"))
            if name == "tagging":
                audit.tags_failed = "the Resource Groups Tagging API gave an unexpected answer"
    audit.failed = len(failures)
    where = location(ctx.account, ctx.region, api)
    families = {family(code) for _, code, _ in failures}
    if failures and len(failures) == len(services) and len(families) == 1:
        example = failures[0][2]
        audit.errors.append(ScanError(where, None, f"every listing failed ({families.pop()}; e.g. {example}); this region of account {ctx.account} is missing from the inventory"))
    else:
        for name, _, text in failures:
            audit.errors.append(ScanError(where, None, f"{name} listing failed: {text}; those resources of this region are missing from the inventory"))
    for api_name, message in ctx.problems:
        audit.errors.append(ScanError(where, None, f"{api_name}: {message}"))
    return audit


# --------------------------------------------------------------------------- merging


@dataclass
class _Entry:
    account: str
    arn: str
    api: str
    region: str | None = None
    tags: tuple[tuple[str, str], ...] | None = None
    tags_api: str = ""
    tags_failed: str | None = None
    copies: list[CopyRef] = field(default_factory=list)


def _key(account: str, arn: str) -> tuple[str, ...]:
    """ARNs of one resource from two APIs may differ in the account field (EBS snapshots): ignore it."""
    parsed = parse_arn(arn)
    if parsed is None:
        return (account, arn)
    return (account, parsed.partition, parsed.service, parsed.region, parsed.resource)


def bucket_regions(audits: list[RegionAudit]) -> dict[str, str]:
    """Bucket name -> region, from the S3 listings of every audited region (names are unique in a partition)."""
    regions = {}
    for audit in audits:
        for item in audit.found:
            parsed = parse_arn(item.arn)
            if parsed and parsed.service == "s3" and item.region and "/" not in parsed.resource:
                regions[parsed.resource] = item.region
    return regions


def unresolved_destinations(audits: list[RegionAudit], known: Mapping[str, object]) -> set[tuple[str, str]]:
    """(account, bucket name) of replication destinations whose region the listings did not give."""
    missing = set()
    for audit in audits:
        for item in audit.found:
            for copy in item.copies:
                if copy.region is None:
                    name = _bucket_name(copy.destination)
                    if name not in known:
                        missing.add((audit.account, name))
    return missing


def _bucket_name(destination: str) -> str:
    parsed = parse_arn(destination)
    return parsed.resource if parsed else destination


def to_resources(audits: list[RegionAudit], regions_of_buckets: Mapping[str, str | Unknown], api: str = "aws") -> list[Resource]:
    """One Resource per ARN and account, whatever listings found it."""
    entries: dict[tuple, _Entry] = {}
    for audit in audits:
        for item in audit.found:
            key = _key(audit.account, item.arn)
            entry = entries.get(key)
            direct = not item.api.startswith("tagging:")
            if entry is None:
                entry = entries[key] = _Entry(audit.account, item.arn, item.api)
            elif direct and entry.api.startswith("tagging:"):
                entry.arn, entry.api = item.arn, item.api
            if entry.region is None and item.region:
                entry.region = item.region
            if entry.tags is None and item.tags is not None:
                entry.tags, entry.tags_api = item.tags, item.api
            if direct and audit.tags_failed and entry.tags_failed is None:
                entry.tags_failed = audit.tags_failed
            entry.copies.extend(c for c in item.copies if c not in entry.copies)
    resources = [_resource(entry, regions_of_buckets, api) for entry in entries.values()]
    return sorted(resources, key=lambda r: (r.origin.account or "", str(r.region), r.address))


def _resource(entry: _Entry, regions_of_buckets: Mapping[str, str | Unknown], api: str) -> Resource:
    parsed = parse_arn(entry.arn)
    kind = parsed.type if parsed else "unknown"
    region: str | Unknown
    if entry.region:
        region = entry.region
    elif parsed and parsed.region:
        region = parsed.region
    elif parsed and parsed.service == "s3":
        region = Unknown("the bucket was tagged but no S3 listing of an audited region returned it, so its location was not read")
    else:
        region = Unknown(f"a global resource: its ARN names no region ({entry.arn})")
    tags_complete: bool | Unknown = True
    if entry.tags is None and entry.tags_failed:
        tags_complete = Unknown(entry.tags_failed)
    tag_origin = Origin(account=entry.account, api=entry.tags_api or "tagging:GetResources")
    return Resource(
        address=entry.arn,
        type=kind,
        provider=api,
        region=region,
        origin=Origin(account=entry.account, api=entry.api),
        tags=tuple(Tag(k, v, tag_origin, via="inventory") for k, v in (entry.tags or ())),
        tags_complete=tags_complete,
        copies=tuple(_copy(entry.account, copy, regions_of_buckets, api) for copy in entry.copies),
        holds_data=holds_data(kind),
    )


def _copy(account: str, copy: CopyRef, regions_of_buckets: Mapping[str, str | Unknown], api: str) -> DataCopy:
    region: str | Unknown
    if copy.region is not None:
        region = copy.region
    else:
        region = regions_of_buckets.get(_bucket_name(copy.destination)) or Unknown(f"the location of {copy.destination} was not read")
    return DataCopy(kind=copy.kind, provider=api, region=region, hints={"destination": copy.destination}, origin=Origin(account=account, api=copy.declared_by))
