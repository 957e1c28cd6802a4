"""``sovscan inventory aws|outscale``: load policy → session → audit → classify → evaluate → render → save → exit code.

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


def _finish(found: Any, policy: Any, settings: Any, options: dict[str, Any], started: Any) -> int:
    """Judge the inventory, write the snapshot and the reports; the exit code."""
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
    return exit_code(report.findings, Severity.parse(fail_on))
