"""``sovscan inventory`` as users run it: a real process, credentials from the environment, a moto server
behind ``--endpoint-url``; the snapshot it saves is read back by ``sovscan scan``; Outscale through its
EC2- and S3-compatible APIs."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.sources.aws.outscale import audit_outscale
from tests.test_inventory_aws import MANAGEMENT, judged, session, tags

SOVSCAN = [sys.executable, "-m", "scanner"]
SECRET = "management-secret-never-printed"


def run(*args: str, cwd: Path, stderr_tty: bool = False) -> subprocess.CompletedProcess:
    env = {**os.environ, "SOVSCAN_TODAY": "2026-11-27", "NO_COLOR": "1"}
    if not stderr_tty:
        return subprocess.run(SOVSCAN + list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    # stderr on a pseudo-terminal, as in an interactive shell
    leader, follower = pty.openpty()
    done = subprocess.run(SOVSCAN + list(args), cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=follower, text=True, timeout=120)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    done.stderr = b"".join(chunks).decode("utf-8", "replace")
    return done


@pytest.fixture
def payroll(moto):
    """A sensitive bucket in Paris replicated to Virginia, and an untagged volume."""
    s3 = session().client("s3", endpoint_url=moto.url)
    s3.create_bucket(Bucket="payroll-files", CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
    s3.put_bucket_tagging(Bucket="payroll-files", Tagging={"TagSet": tags(data_classification="sensitive")})
    s3.put_bucket_versioning(Bucket="payroll-files", VersioningConfiguration={"Status": "Enabled"})
    s3_us = session("us-east-1").client("s3", endpoint_url=moto.url)
    s3_us.create_bucket(Bucket="payroll-replica")
    s3_us.put_bucket_versioning(Bucket="payroll-replica", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_replication(
        Bucket="payroll-files",
        ReplicationConfiguration={"Role": f"arn:aws:iam::{MANAGEMENT}:role/r", "Rules": [{"ID": "to-us", "Status": "Enabled", "Priority": 1, "Filter": {}, "DeleteMarkerReplication": {"Status": "Disabled"}, "Destination": {"Bucket": "arn:aws:s3:::payroll-replica"}}]},
    )
    volume = session().client("ec2", endpoint_url=moto.url).create_volume(Size=1, AvailabilityZone="eu-west-3a")["VolumeId"]
    return {"volume": f"arn:aws:ec2:eu-west-3:{MANAGEMENT}:volume/{volume}"}


def test_inventory_json_report_and_snapshot_read_back_by_scan(payroll, moto, tmp_path):
    # Only eu-west-3 is audited: the replica's region comes from GetBucketLocation.
    done = run("inventory", "aws", "--endpoint-url", moto.url, "--regions", "eu-west-3", "--format", "json", "--save", "snapshot.json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert done.stderr == ""  # no progress bar, no chatter: stderr is not a terminal
    report = json.loads(done.stdout)
    assert report["inputs"] == [f"aws:{MANAGEMENT}"]
    assert [(r["address"], r["region"], r["country"], r["sensitivity"]) for r in report["resources"]] == [
        (payroll["volume"], "eu-west-3", "FR", None),
        ("arn:aws:s3:::payroll-files", "eu-west-3", "FR", "sensitive"),
    ]
    assert report["resources"][1]["copies"][0]["region"] == "us-east-1"
    assert sorted((f["rule"], f["address"]) for f in report["findings"]) == [
        ("sensitive-data-exposed-to-foreign-law", "arn:aws:s3:::payroll-files"),
        ("sensitive-data-outside-eu", "arn:aws:s3:::payroll-files"),
        ("sensitive-data-without-secnumcloud", "arn:aws:s3:::payroll-files"),
        ("unclassified-resource", payroll["volume"]),
    ]
    assert "taken_at" not in done.stdout  # the report has no timestamp; the snapshot does

    snapshot = json.loads((tmp_path / "snapshot.json").read_text())
    assert (snapshot["kind"], snapshot["schema_version"], snapshot["api"], snapshot["partition"]) == ("sovscan-inventory", 1, "aws", "aws")
    assert snapshot["taken_at"].endswith("Z") and len(snapshot["taken_at"]) == 20
    assert snapshot["accounts"] == [MANAGEMENT] and snapshot["regions"] == {MANAGEMENT: ["eu-west-3"]}

    scanned = run("scan", "snapshot.json", "--format", "json", cwd=tmp_path)
    assert scanned.returncode == 1, scanned.stderr
    again = json.loads(scanned.stdout)
    assert again["resources"] == report["resources"]
    assert again["findings"] == report["findings"]
    for output in (done.stdout, scanned.stdout, (tmp_path / "snapshot.json").read_text()):
        assert SECRET not in output


def test_a_progress_bar_only_when_stderr_is_a_terminal(payroll, moto, tmp_path):
    done = run("inventory", "aws", "--endpoint-url", moto.url, "--regions", "eu-west-3,us-east-1", "--format", "json", "-o", "report.json", cwd=tmp_path, stderr_tty=True)
    assert done.returncode == 1
    assert "Auditing AWS" in done.stderr and "3/3" in done.stderr  # one account, then two regions
    assert SECRET not in done.stderr


def test_credentials_that_do_not_work_stop_with_one_line(fault_proxy, tmp_path):
    fault_proxy.denied_services.add("sts")
    done = run("inventory", "aws", "--endpoint-url", fault_proxy.url, "--regions", "eu-west-3", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "Error: cannot authenticate to AWS: GetCallerIdentity answered AccessDenied "
        "(User is not authorized to perform this action in region eu-west-3 (explicit deny)); access denied\n"
    )


def test_usage_errors_exit_2(moto, tmp_path):
    shard = run("inventory", "aws", "--endpoint-url", moto.url, "--regions", "eu-west-3", "--shard", "1/2", cwd=tmp_path)
    assert (shard.returncode, shard.stderr.strip()) == (2, "Error: --shard splits the accounts of an organization: use it with --org-role")
    bad = run("inventory", "aws", "--endpoint-url", moto.url, "--org-role", "Audit", "--shard", "3/2", cwd=tmp_path)
    assert (bad.returncode, bad.stderr.strip()) == (2, "Error: --shard '3/2': I must be between 1 and N (shards are numbered from 1)")


def test_version_does_not_import_boto3():
    code = "import sys\nfrom scanner.cli.app import main\ntry:\n    main(['--version'])\nexcept SystemExit:\n    pass\nprint('boto3' in sys.modules, 'botocore' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.splitlines()[-1] == "False False"


def test_outscale_through_its_ec2_and_s3_compatible_endpoints(fault_proxy):
    """moto stands in for FCU and OOS; the proxy renames the signed region so moto accepts it."""
    fault_proxy.region_aliases["cloudgouv-eu-west-1"] = "eu-west-3"
    ec2 = session().client("ec2", endpoint_url=fault_proxy.url)
    volume = ec2.create_volume(Size=1, AvailabilityZone="eu-west-3a", TagSpecifications=[{"ResourceType": "volume", "Tags": tags(data_classification="sensitive")}])["VolumeId"]
    s3 = session().client("s3", endpoint_url=fault_proxy.url)
    s3.create_bucket(Bucket="archives", CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
    s3.put_bucket_tagging(Bucket="archives", Tagging={"TagSet": tags(data_classification="internal")})
    fault_proxy.seen.clear()

    found = audit_outscale(session("cloudgouv-eu-west-1"), ("cloudgouv-eu-west-1",), fault_proxy.url)
    assert {region for region, _ in fault_proxy.seen} == {"cloudgouv-eu-west-1"}  # every call signed for the Outscale region
    doc = judged(found)
    assert [(r["address"], r["type"], r["provider"], r["cloud"], r["region"], r["country"], r["sensitivity"]) for r in doc["resources"]] == [
        ("https://oos.cloudgouv-eu-west-1.outscale.com/archives", "oos:bucket", "outscale", "outscale", "cloudgouv-eu-west-1", "FR", "internal"),
        (volume, "fcu:volume", "outscale", "outscale", "cloudgouv-eu-west-1", "FR", "sensitive"),
    ]
    assert [(f["rule"], f["address"]) for f in doc["findings"]] == [("sensitive-data-hosting-unverified", volume)]
    assert found.errors == []
