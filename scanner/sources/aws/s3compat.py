"""Buckets of S3-compatible clouds (Scaleway, OVHcloud, Exoscale, IONOS, Outscale OOS, a private S3) through boto3.

Per endpoint: ``ListBuckets`` (paginated when the endpoint paginates), then per
bucket ``GetBucketLocation``, ``GetBucketTagging`` and ``GetBucketReplication``
(https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html),
every call in one bounded thread pool. The sessions come from the CLI, one per
profile; clients are made by ``ClientMaker`` (adaptive retries for throttling,
short timeouts so an endpoint that does not answer costs seconds, not minutes).

A failing call never stops the audit; it becomes a ``ScanError`` located at
``s3:HOST`` that says what is missing:

- an endpoint that does not answer or refuses the credentials is missing, the others go on;
- a bucket whose tags cannot be read has ``tags_complete`` Unknown: its
  classification is unreadable (unresolved), which fails the default gate;
  ``NoSuchTagSet`` is a bucket without tags, not an error;
- an operation the endpoint does not implement (501 ``NotImplemented``, 405
  ``MethodNotAllowed``) is said once per endpoint;
- a bucket whose location no endpoint of the run serves is read through the
  endpoint that listed it and judged in its own location, with a note; one
  that another endpoint of the run serves (Exoscale lists every zone's
  buckets at each zone) is audited there only.

A bucket is ``{scheme}://HOST/NAME`` of type ``s3:bucket``; its origin names the
endpoint's host as the account, never its URL or credentials.
"""

from __future__ import annotations

import concurrent.futures as futures
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from scanner.model import DataCopy, Origin, Resource, ScanError, Tag, Unknown
from scanner.sources.aws.audit import Inventory
from scanner.sources.aws.clients import ClientMaker
from scanner.sources.aws.collector import api_errors
from scanner.sources.aws.s3endpoints import API, Failure, Redactor, Target, describe, placement_hints

NO_TAGS = frozenset({"NoSuchTagSet", "NoSuchTagSetError"})
NO_REPLICATION = frozenset({"ReplicationConfigurationNotFoundError", "NoSuchReplicationConfiguration"})
SHOWN_NAMES = 5  # bucket names quoted in one error entry


@dataclass(frozen=True)
class S3Options:
    workers: int = 8
    timeout: float = 10.0  # seconds to connect, and to wait for each answer
    attempts: int = 3  # per call, the first one included (throttling and dropped connections are retried)
    page_size: int | None = None  # None: the endpoint's own ListBuckets page size


@dataclass
class _Endpoint:
    """One target during the audit: its client, what it listed, and its problems by kind."""

    target: Target
    client: Any
    redact: Redactor
    names: list[str] = field(default_factory=list)
    failure: Failure | None = None  # ListBuckets failed: the endpoint is missing
    problems: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (operation, sentence) -> bucket names


@dataclass
class _Bucket:
    endpoint: _Endpoint
    name: str
    location: str | None = None  # as GetBucketLocation spells it; None: empty or not read
    location_failure: Failure | None = None
    tags: tuple[tuple[str, str], ...] = ()
    tags_failure: Failure | None = None
    destinations: tuple[tuple[str, str], ...] = ()  # (rule label, destination bucket ARN or name)
    replication_failure: Failure | None = None


Progress = Callable[[int, int], None]
Item = TypeVar("Item")


def audit_s3(targets: list[tuple[Target, Any]], options: S3Options | None = None, progress: Progress | None = None) -> Inventory:
    """Every bucket of every (target, boto3 session) pair, as one inventory."""
    options = options or S3Options()
    inventory = Inventory(API, None)
    endpoints = [_open(target, session, options) for target, session in targets]
    counter = _Counter(progress)
    with futures.ThreadPoolExecutor(max_workers=max(1, options.workers), thread_name_prefix="sovscan-s3") as pool:
        counter.run(pool, _list, endpoints, options)
        buckets = [_Bucket(e, name) for e in endpoints if e.failure is None for name in e.names]
        counter.run(pool, _read_location, buckets, options)
        kept = _one_per_bucket(buckets)
        counter.run(pool, _read_details, kept, options)
        regions = {_identity(b): _region(b) for b in kept}
        destinations = _destination_regions(kept, regions, options)
    inventory.resources = sorted((_resource(b, regions[_identity(b)], destinations) for b in kept), key=lambda r: (r.origin.account or "", r.address))
    inventory.unjudged += [f"bucket {r.address}: classification unreadable" for r in inventory.resources if isinstance(r.tags_complete, Unknown)]
    for endpoint in endpoints:
        host = endpoint.target.host
        if endpoint.failure is not None:
            inventory.unjudged.append(f"endpoint {host}: not read")
        else:
            inventory.covered += 1
            audited = {r.region for r in inventory.resources if r.origin.account == host and isinstance(r.region, str)}
            inventory.regions[host] = sorted(set(inventory.regions.get(host, [])) | ({endpoint.target.region} if endpoint.target.region else audited))
        inventory.errors += _errors(endpoint)
    inventory.errors.sort(key=lambda e: (e.file or "", e.message))
    return inventory


class _Counter:
    """Runs batches of tasks in the pool and reports (done, total) as they finish; the total grows batch by batch."""

    def __init__(self, progress: Progress | None):
        self.progress = progress
        self.done = self.total = 0

    def run(self, pool: futures.ThreadPoolExecutor, task: Callable[[Item, S3Options], None], items: list[Item], options: S3Options) -> None:
        self.total += len(items)
        for finished in futures.as_completed([pool.submit(task, item, options) for item in items]):
            finished.result()
            self.done += 1
            if self.progress is not None:
                self.progress(self.done, self.total)


def _open(target: Target, session: Any, options: S3Options) -> _Endpoint:
    maker = ClientMaker(session, target.endpoint.url, max_attempts=options.attempts, pool_size=max(10, options.workers),
                        connect_timeout=options.timeout, read_timeout=options.timeout, path_style=True)
    return _Endpoint(target, maker.client("s3", target.signing_region), Redactor.of_session(session))


def _fail(endpoint: _Endpoint, exc: Exception, operation: str, options: S3Options) -> Failure:
    return describe(exc, endpoint.target, operation, options.timeout, endpoint.redact)


def _list(endpoint: _Endpoint, options: S3Options) -> None:
    config = {"PageSize": options.page_size} if options.page_size else {}
    try:
        for page in endpoint.client.get_paginator("list_buckets").paginate(PaginationConfig=config):
            if "Buckets" not in page and "Owner" not in page:
                # A 200 answer that is no bucket list (a web page at that URL) must not pass as "no buckets".
                endpoint.failure = Failure("NotS3", f"ListBuckets: {endpoint.target.host} answered with something that is not an S3 bucket list (is it an S3 endpoint?)", "other")
                return
            endpoint.names += [bucket["Name"] for bucket in page.get("Buckets", [])]
    except api_errors() as exc:
        endpoint.failure = _fail(endpoint, exc, "ListBuckets", options)
    except _SHAPE_ERRORS as exc:
        endpoint.failure = _unexpected("ListBuckets", exc)


def _read_location(bucket: _Bucket, options: S3Options) -> None:
    try:
        answer = bucket.endpoint.client.get_bucket_location(Bucket=bucket.name)
        bucket.location = str(answer.get("LocationConstraint") or "") or None
    except api_errors() as exc:
        bucket.location_failure = _fail(bucket.endpoint, exc, "GetBucketLocation", options)
    except _SHAPE_ERRORS as exc:
        bucket.location_failure = _unexpected("GetBucketLocation", exc)


def _read_details(bucket: _Bucket, options: S3Options) -> None:
    client = bucket.endpoint.client
    try:
        tag_set = client.get_bucket_tagging(Bucket=bucket.name).get("TagSet", [])
        bucket.tags = tuple((str(t["Key"]), str(t.get("Value", ""))) for t in tag_set)
    except api_errors() as exc:
        failure = _fail(bucket.endpoint, exc, "GetBucketTagging", options)
        if failure.code not in NO_TAGS:
            bucket.tags_failure = failure
    except _SHAPE_ERRORS as exc:
        bucket.tags_failure = _unexpected("GetBucketTagging", exc)
    try:
        rules = client.get_bucket_replication(Bucket=bucket.name)["ReplicationConfiguration"].get("Rules", [])
        bucket.destinations = tuple(_destinations(rules))
    except api_errors() as exc:
        failure = _fail(bucket.endpoint, exc, "GetBucketReplication", options)
        if failure.code not in NO_REPLICATION:
            bucket.replication_failure = failure
    except _SHAPE_ERRORS as exc:
        bucket.replication_failure = _unexpected("GetBucketReplication", exc)


# An answer of a shape S3 does not document (a field missing, a list where a map was due).
_SHAPE_ERRORS = (KeyError, TypeError, AttributeError)


def _unexpected(operation: str, exc: Exception) -> Failure:
    return Failure("UnexpectedAnswer", f"{operation} gave an unexpected answer ({type(exc).__name__})", "other")


def _destinations(rules: list[dict]) -> Iterator[tuple[str, str]]:
    for rule in rules:
        destination = (rule.get("Destination") or {}).get("Bucket")
        if rule.get("Status") == "Enabled" and destination:
            yield (f" {rule['ID']}" if rule.get("ID") else ""), destination


# --------------------------------------------------------------------------- where each bucket is


def _region(bucket: _Bucket) -> str | Unknown:
    """The bucket's location as the endpoint reports it; an empty constraint or an unimplemented call is the endpoint's region."""
    target = bucket.endpoint.target
    if bucket.location:
        return bucket.location
    failure = bucket.location_failure
    if failure is not None and failure.kind != "not-implemented":
        return Unknown(f"the location of bucket {bucket.name} could not be read: {failure.text}")
    if target.region:
        return target.region
    why = "the endpoint does not implement GetBucketLocation" if failure is not None else "GetBucketLocation gave no location constraint"
    return Unknown(f"{why} and the region of {target.host} is unknown (give it with --region)")


def _serves(target: Target, region: str | Unknown) -> bool:
    return isinstance(region, str) and target.region is not None and region.lower() == target.region.lower()


def _identity(bucket: _Bucket) -> tuple[str, str, str]:
    """A bucket seen through two endpoints of one cloud is one bucket: (cloud or host, location, name)."""
    target = bucket.endpoint.target
    return (target.cloud or target.host, str(_region(bucket)).lower(), bucket.name)


def _one_per_bucket(buckets: list[_Bucket]) -> list[_Bucket]:
    """Each bucket once, through an endpoint that serves its location when the run has one."""
    chosen: dict[tuple[str, str, str], _Bucket] = {}
    for bucket in buckets:
        key = _identity(bucket)
        other = chosen.get(key)
        if other is None or (not _serves(other.endpoint.target, _region(other)) and _serves(bucket.endpoint.target, _region(bucket))):
            chosen[key] = bucket
    kept = list(chosen.values())
    for bucket in kept:
        region, target = _region(bucket), bucket.endpoint.target
        if isinstance(region, str) and target.region is not None and not _serves(target, region):
            sentence = (f"in location {region}, which this endpoint (region {target.region}) does not serve and no endpoint of this run does: "
                        f"read through {target.host} and judged in {region}; add the endpoint of {region} to audit them there")
            bucket.endpoint.problems.setdefault(("location", sentence), []).append(bucket.name)
    return kept


def _destination_regions(kept: list[_Bucket], regions: dict, options: S3Options) -> dict[tuple[str, str], str | Unknown]:
    """(endpoint host, destination) -> region: from the buckets of the run, else one GetBucketLocation."""
    by_name = {(b.endpoint.target.cloud or b.endpoint.target.host, b.name): regions[_identity(b)] for b in kept}
    found: dict[tuple[str, str], str | Unknown] = {}
    for bucket in kept:
        target = bucket.endpoint.target
        for _, destination in bucket.destinations:
            name = _bucket_name(destination)
            known = by_name.get((target.cloud or target.host, name))
            if known is not None:
                found[(target.host, destination)] = known
            elif (target.host, destination) not in found:
                probe = _Bucket(bucket.endpoint, name)
                _read_location(probe, options)
                found[(target.host, destination)] = _region(probe)
    return found


def _bucket_name(destination: str) -> str:
    """``arn:aws:s3:::NAME`` (how S3-compatible clouds name a destination too) or a bare name."""
    return destination.rsplit(":", 1)[-1] if destination.startswith("arn:") else destination


# --------------------------------------------------------------------------- records and errors


def _resource(bucket: _Bucket, region: str | Unknown, destinations: dict[tuple[str, str], str | Unknown]) -> Resource:
    target = bucket.endpoint.target
    host = target.host
    complete: bool | Unknown = True
    if bucket.tags_failure is not None:
        complete = Unknown(f"the tags of bucket {bucket.name} could not be read: {bucket.tags_failure.text}")
        _note(bucket, "GetBucketTagging", bucket.tags_failure, "their classification is unreadable")
    if bucket.location_failure is not None:
        _note(bucket, "GetBucketLocation", bucket.location_failure,
              f"placed in {target.region}, the endpoint's region" if isinstance(region, str) else "their location is unknown")
    if bucket.replication_failure is not None:
        _note(bucket, "GetBucketReplication", bucket.replication_failure, "where copies of their data go is unknown")
    tag_origin = Origin(account=host, api="s3:GetBucketTagging")
    copies = []
    for label, destination in bucket.destinations:
        where = destinations[(host, destination)]
        copies.append(DataCopy("s3-replication", API, where, {**placement_hints(target, where), "destination": destination},
                               Origin(account=host, api=f"s3 replication rule{label} to {destination}")))
    return Resource(
        address=f"{target.endpoint.scheme}://{host}/{bucket.name}",
        type="s3:bucket",
        provider=API,
        region=region,
        origin=Origin(account=host, api="s3:ListBuckets"),
        tags=tuple(Tag(key, value, tag_origin, via="inventory") for key, value in bucket.tags),
        tags_complete=complete,
        hints=placement_hints(target, region),
        copies=tuple(copies),
    )


def _note(bucket: _Bucket, operation: str, failure: Failure, consequence: str) -> None:
    if failure.kind == "not-implemented":
        sentence = f"{operation} is not implemented by this endpoint ({failure.code}): {consequence}"
    else:
        sentence = f"{failure.text}: {consequence}"
    bucket.endpoint.problems.setdefault((operation, sentence), []).append(bucket.name)


def _errors(endpoint: _Endpoint) -> list[ScanError]:
    target = endpoint.target
    if endpoint.failure is not None:
        return [ScanError(target.where, None, f"{endpoint.failure.text}; the buckets of this endpoint are missing from the inventory")]
    errors = []
    for (_, sentence), names in sorted(endpoint.problems.items()):
        names = sorted(names)
        shown = ", ".join(names[:SHOWN_NAMES]) + (f" and {len(names) - SHOWN_NAMES} more" if len(names) > SHOWN_NAMES else "")
        errors.append(ScanError(target.where, None, f"{len(names)} bucket{'s' if len(names) > 1 else ''} ({shown}): {sentence}"))
    return errors
