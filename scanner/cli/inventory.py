"""``sovscan inventory aws|outscale|s3``: load policy → session → audit → classify → evaluate → render → save → exit code.

boto3 is imported here, inside the commands, never at start-up. The session
is made here and handed to the collector. A progress bar goes to stderr only
when stderr is a terminal, so CI logs get nothing extra. Credentials are
never printed: errors quote the API's error code and message only.
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from scanner.cli.app import ExitCode, UsageProblem
from scanner.cli.scan import output_options, scan_clock, settings_from


def policy_options(function: Callable) -> Callable:
    options = [
        click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), help="A .sovscan.yml (default: the nearest one above the current folder)."),
        click.option("--pack", help="Policy pack (default: fr-state)."),
        click.option("--as-of", help="Judge qualification validity on this date (YYYY-MM-DD) [default: today]."),
        click.option("--save", type=click.Path(path_type=Path, dir_okay=False), help="Write the normalised inventory (a snapshot) to this JSON file."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def connection_options(function: Callable) -> Callable:
    """``inventory aws`` and ``outscale``: where the calls go and with whose credentials."""
    options = [
        click.option("--endpoint-url", help="Send every API call to this URL (a proxy or a test server); where resources live still comes from the regions."),
        click.option("--profile", help="The AWS CLI profile with the credentials to use."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@click.group()
def inventory() -> None:
    """Audit live clouds: what exists, where, and whether its data may live there."""


@inventory.command("aws")
@click.option("--regions", default="all", show_default=True, metavar="all|R1,R2", help="Regions to audit; 'all' is every region enabled in each account.")
@click.option("--org-role", metavar="ROLE", help="Audit every account of the AWS organization by assuming this role (name or path/name) in each.")
@click.option("--shard", metavar="I/N", help="With --org-role: audit only the accounts of job I of N (stable hash of the account id).")
@click.option("--workers", type=click.IntRange(1, 64), default=8, show_default=True, help="Accounts and regions audited at once.")
@connection_options
@policy_options
@output_options
def aws(regions: str, org_role: str | None, shard: str | None, workers: int, **options: Any) -> None:
    """Audit AWS (and the aws-eusc partition): every data service in every enabled region."""
    from scanner.sources.aws.audit import AuditFailed, AuditOptions, BadOptions, audit_aws
    from scanner.sources.aws.shard import Shard

    settings = settings_from(options)
    policy = _policy(options)
    wanted = None if regions.strip().lower() == "all" else tuple(r.strip() for r in regions.split(",") if r.strip())
    if wanted == ():
        raise UsageProblem("--regions: name at least one region, or 'all'")
    try:
        parsed_shard = Shard.parse(shard) if shard else None
    except ValueError as exc:
        raise UsageProblem(str(exc)) from None
    audit_options = AuditOptions(regions=wanted, endpoint_url=options["endpoint_url"], org_role=org_role, shard=parsed_shard, workers=workers)
    session = _session(options["profile"], wanted[0] if wanted else None)
    started = scan_clock()
    with _progress("Auditing AWS") as progress:
        try:
            found = audit_aws(session, audit_options, progress)
        except (AuditFailed, BadOptions) as exc:
            raise UsageProblem(str(exc)) from None
    sys.exit(_finish(found, policy, settings, options, started))


@inventory.command("outscale")
@click.option("--region", "regions", multiple=True, required=True, metavar="REGION", help="Outscale region, e.g. cloudgouv-eu-west-1 (repeatable).")
@connection_options
@policy_options
@output_options
def outscale(regions: tuple[str, ...], **options: Any) -> None:
    """Audit 3DS Outscale through its EC2-compatible (FCU) and S3-compatible (OOS) endpoints."""
    from scanner.sources.aws.outscale import audit_outscale

    settings = settings_from(options)
    policy = _policy(options)
    session = _session(options["profile"], regions[0])
    started = scan_clock()
    with _progress("Auditing Outscale") as progress:
        found = audit_outscale(session, regions, options["endpoint_url"], progress)
    sys.exit(_finish(found, policy, settings, options, started))


@inventory.command("s3")
@click.option("--endpoint-url", "endpoint_urls", multiple=True, metavar="URL",
              help="An S3-compatible endpoint, e.g. https://s3.fr-par.scw.cloud (repeatable) [default: the endpoints under inventory: s3: in .sovscan.yml].")
@click.option("--region", help="Region of the endpoints given [default: read from the host by the catalog, e.g. fr-par for s3.fr-par.scw.cloud].")
@click.option("--cloud", metavar="ID", help="Catalog provider operating the endpoints given (a hosting: id of .sovscan.yml for your own S3) [default: from the host].")
@click.option("--profile", help="AWS CLI profile with the endpoints' credentials [default: the environment's].")
@click.option("--workers", type=click.IntRange(1, 64), default=8, show_default=True, help="Calls made at once.")
@click.option("--timeout", type=click.FloatRange(0.1, 300), default=10.0, show_default=True, help="Seconds to connect to an endpoint, and to wait for each answer.")
@click.option("--allow-incomplete", is_flag=True, help="Exit 0 (not 3) when an endpoint could not be read or a bucket's classification is unreadable.")
@policy_options
@output_options
def s3(endpoint_urls: tuple[str, ...], region: str | None, cloud: str | None, profile: str | None, workers: int, timeout: float, allow_incomplete: bool, **options: Any) -> None:
    """Audit the buckets of S3-compatible clouds: Scaleway, OVHcloud, Exoscale, IONOS, Outscale OOS, your own S3."""
    from scanner.sources.aws.s3compat import S3Options, audit_s3

    settings = settings_from(options)
    policy = _policy(options)
    targets, errors = _s3_targets(endpoint_urls, region, cloud, profile, policy)
    started = scan_clock()
    with _progress("Auditing S3 endpoints") as progress:
        found = audit_s3(targets, S3Options(workers=workers, timeout=timeout), progress)
    found.errors = sorted(found.errors + errors, key=lambda e: (e.file or "", e.message))
    found.unjudged += [f"{e.file}:{e.line}: endpoint not audited" for e in errors]
    sys.exit(_finish(found, policy, settings, options, started, allow_incomplete))


def _s3_targets(urls: tuple[str, ...], region: str | None, cloud: str | None, profile: str | None, policy: Any) -> tuple[list[tuple[Any, Any]], list[Any]]:
    """(target, session) per endpoint, from the command line or else from .sovscan.yml; errors for those that cannot be audited."""
    from scanner.model import ScanError
    from scanner.policy.config import S3EndpointSetting
    from scanner.sources.aws.s3endpoints import resolve_target
    from scanner.support.urls import BadEndpoint, parse_endpoint

    if cloud is not None and cloud not in policy.catalog.providers:
        raise UsageProblem(f"--cloud {cloud}: not a provider of the catalog or of hosting: in .sovscan.yml; expected an id such as scaleway or ovhcloud (see `sovscan catalog`)")
    if urls:
        settings = []
        for url in urls:
            try:
                settings.append(S3EndpointSetting(parse_endpoint(url).url, profile, region, cloud))
            except BadEndpoint as exc:
                raise UsageProblem(f"--endpoint-url {exc}") from None
    else:
        given = [name for name, value in (("--region", region), ("--cloud", cloud), ("--profile", profile)) if value is not None]
        if given:
            raise UsageProblem(f"{given[0]} applies to the --endpoint-url given; for the endpoints of .sovscan.yml set it under inventory: s3:")
        settings = list(policy.config.inventory_s3)
        if not settings:
            listed = "".join(f"\n  {e}" for e in policy.errors if "inventory" in e.message)
            raise UsageProblem(f"name an S3 endpoint with --endpoint-url URL, or list them under inventory: s3: in .sovscan.yml{listed}")
    sessions: dict[str | None, Any] = {}
    problems: dict[str | None, str] = {}
    targets, errors = [], []
    for setting in settings:
        endpoint = parse_endpoint(setting.endpoint_url)
        if setting.profile not in sessions and setting.profile not in problems:
            try:
                sessions[setting.profile] = _session(setting.profile, None)
            except UsageProblem as exc:
                if urls:
                    raise
                problems[setting.profile] = exc.message
        if setting.profile in problems:
            key, line = setting.where("profile")
            errors.append(ScanError(policy.config.file, line, f"key '{key}' is '{setting.profile}', which is not a profile of the AWS configuration; {endpoint.host} is not audited"))
            continue
        targets.append((resolve_target(endpoint, policy.catalog, setting.profile, setting.region, setting.cloud), sessions[setting.profile]))
    return targets, errors


def _policy(options: dict[str, Any]):
    from scanner.cli.scan import _check_date
    from scanner.pipeline import PolicyError, load_policy

    if options.get("as_of"):
        _check_date(options["as_of"])
    try:
        return load_policy(options.get("config_path"), options.get("pack"), options.get("as_of"), search_from=Path("."))
    except PolicyError as exc:
        raise UsageProblem(str(exc)) from None


def _session(profile: str | None, region: str | None) -> Any:
    import boto3
    import botocore.exceptions

    try:
        session = boto3.Session(profile_name=profile)
    except botocore.exceptions.ProfileNotFound:
        raise UsageProblem(f"--profile {profile}: no such profile in the AWS configuration") from None
    if session.region_name is None and region:
        session = boto3.Session(profile_name=profile, region_name=region)
    return session


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr when it is a terminal; nothing otherwise (CI logs stay clean)."""
    if not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=1, label=label, file=sys.stderr, show_pos=True) as bar:
        def update(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        yield update


def _finish(found: Any, policy: Any, settings: Any, options: dict[str, Any], started: Any, allow_incomplete: bool = True) -> int:
    """Judge the inventory, write the snapshot and the reports; the exit code.

    Without ``allow_incomplete``, what the audit saw but could not judge (``found.unjudged``)
    exits 3 when no finding reaches --fail-on.
    """
    from scanner.cli.replay import Outputs, write_file
    from scanner.cli.scan import write_outputs
    from scanner.model import Severity
    from scanner.pipeline import build_report, exit_code
    from scanner.sources import snapshot

    inputs = [f"{found.api}:{account}" for account in found.accounts] or [found.api]
    report = build_report(inputs, found.resources, found.errors, policy)
    if options.get("save"):
        taken_at = datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        write_file(options["save"], snapshot.render(found, taken_at))
    fail_on = settings.fail_on or policy.config.fail_on or "high"
    write_outputs(report, settings, {}, Outputs(), fail_on, (started, scan_clock()))
    if not found.covered:
        click.echo(f"sovscan: nothing could be audited ({len(found.errors)} problems, listed in the report)", err=True)
        return ExitCode.ERROR
    if settings.soft_fail:
        return ExitCode.OK
    code = exit_code(report.findings, Severity.parse(fail_on))
    if code == ExitCode.OK and found.unjudged and not allow_incomplete:
        click.echo(f"sovscan: incomplete: {_unjudged(found.unjudged)} (see the report's errors); --allow-incomplete accepts it", err=True)
        return ExitCode.INCOMPLETE
    return code


def _unjudged(items: list[str]) -> str:
    shown = "; ".join(items[:3])
    return shown + (f"; and {len(items) - 3} more" if len(items) > 3 else "")
