"""``sovscan inventory aws`` against a real moto server over HTTP: an organization of three accounts,
four regions, one region denied by IAM, one role that cannot be assumed, a replicated bucket.

The collector gets a boto3 session pointed at the server (through the fault
proxy of tests/moto_server.py); findings come from the real pipeline.
"""

from __future__ import annotations

import collections
import io
import json
import threading
import zipfile

import boto3
import botocore.session
import pytest

from scanner.pipeline import build_report, load_policy
from scanner.report import json_report
from scanner.sources.aws.audit import AuditOptions, BadOptions, audit_aws
from scanner.sources.aws.shard import Shard, shard_of

MANAGEMENT = "123456789012"  # moto's default account
ROLE = "OrganizationAccountAccessRole"
REGIONS = ("eu-west-3", "us-east-1", "eu-central-1", "eu-west-1")


_LOADER = botocore.session.get_session().get_component("data_loader")


def session(region: str = "eu-west-3", credentials: dict | None = None) -> boto3.Session:
    """A fresh session (own events, own credentials) sharing one model loader, so tests do not re-read botocore's JSON."""
    core = botocore.session.get_session()
    core.register_component("data_loader", _LOADER)
    if credentials:
        keys = {"aws_access_key_id": credentials["AccessKeyId"], "aws_secret_access_key": credentials["SecretAccessKey"], "aws_session_token": credentials["SessionToken"]}
    else:
        keys = {"aws_access_key_id": "AKIATESTMANAGEMENT01", "aws_secret_access_key": "management-secret-never-printed"}
    return boto3.Session(**keys, region_name=region, botocore_session=core)


def tags(**pairs: str) -> list[dict]:
    return [{"Key": k, "Value": v} for k, v in pairs.items()]


def seed_management(url: str) -> dict[str, str]:
    """The management account: a payroll workload in Paris replicated to Virginia, a health volume, a personal key."""
    paris, virginia, frankfurt = session("eu-west-3"), session("us-east-1"), session("eu-central-1")
    s3 = paris.client("s3", endpoint_url=url)
    s3.create_bucket(Bucket="payroll-files", CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
    s3.put_bucket_tagging(Bucket="payroll-files", Tagging={"TagSet": tags(data_classification="sensitive", workload="payroll")})
    s3_us = virginia.client("s3", endpoint_url=url)
    s3_us.create_bucket(Bucket="payroll-replica")
    s3.put_bucket_versioning(Bucket="payroll-files", VersioningConfiguration={"Status": "Enabled"})
    s3_us.put_bucket_versioning(Bucket="payroll-replica", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_replication(
        Bucket="payroll-files",
        ReplicationConfiguration={
            "Role": f"arn:aws:iam::{MANAGEMENT}:role/replication",
            "Rules": [{"ID": "to-us", "Status": "Enabled", "Priority": 1, "Filter": {}, "DeleteMarkerReplication": {"Status": "Disabled"}, "Destination": {"Bucket": "arn:aws:s3:::payroll-replica"}}],
        },
    )
    role = paris.client("iam", endpoint_url=url).create_role(RoleName="payslips", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handle(event, context):\n    return None\n")
    function = paris.client("lambda", endpoint_url=url).create_function(
        FunctionName="payslips", Runtime="python3.12", Role=role, Handler="handler.handle", Code={"ZipFile": code.getvalue()}, Tags={"workload": "payroll"}
    )["FunctionArn"]
    ec2 = paris.client("ec2", endpoint_url=url)
    health = ec2.create_volume(Size=1, AvailabilityZone="eu-west-3a", TagSpecifications=[{"ResourceType": "volume", "Tags": tags(data_classification="health")}])["VolumeId"]
    untagged = ec2.create_volume(Size=1, AvailabilityZone="eu-west-3b")["VolumeId"]
    group = ec2.create_security_group(GroupName="payroll", Description="payroll", TagSpecifications=[{"ResourceType": "security-group", "Tags": tags(workload="payroll")}])["GroupId"]
    key = virginia.client("kms", endpoint_url=url).create_key(Tags=[{"TagKey": "data_classification", "TagValue": "personal"}])["KeyMetadata"]["Arn"]
    frankfurt.client("ec2", endpoint_url=url).create_volume(Size=1, AvailabilityZone="eu-central-1a", TagSpecifications=[{"ResourceType": "volume", "Tags": tags(data_classification="sensitive")}])
    return {"function": function, "health": health, "untagged": untagged, "group": group, "key": key}


def create_organization(url: str) -> tuple[str, str]:
    """(second account, third account) of an organization managed by moto's default account."""
    organizations = session("us-east-1").client("organizations", endpoint_url=url)
    organizations.create_organization(FeatureSet="ALL")
    second = organizations.create_account(Email="second@example.org", AccountName="second")["CreateAccountStatus"]["AccountId"]
    third = organizations.create_account(Email="third@example.org", AccountName="third")["CreateAccountStatus"]["AccountId"]
    return second, third


def seed_second(url: str, account: str) -> dict[str, str]:
    """An HR database in Ireland, in the second account, reached through the organization role."""
    credentials = session().client("sts", endpoint_url=url).assume_role(RoleArn=f"arn:aws:iam::{account}:role/{ROLE}", RoleSessionName="seed")["Credentials"]
    rds = session("eu-west-1", credentials).client("rds", endpoint_url=url)
    database = rds.create_db_instance(
        DBInstanceIdentifier="hr-db", DBInstanceClass="db.t3.micro", Engine="postgres", MasterUsername="hr", MasterUserPassword="not-a-real-password",
        AllocatedStorage=20, Tags=tags(data_classification="personal", workload="hr"),
    )["DBInstance"]["DBInstanceArn"]
    snapshot = rds.describe_db_snapshots()["DBSnapshots"][0]["DBSnapshotArn"]  # moto's automated snapshot of hr-db
    return {"database": database, "snapshot": snapshot}


class CallCounter:
    """Counts every API call a session's clients make (botocore's before-call event)."""

    def __init__(self, target: boto3.Session) -> None:
        self.calls: collections.Counter = collections.Counter()
        self._lock = threading.Lock()
        target.events.register("before-call", self._count)

    def _count(self, model, **_) -> None:
        with self._lock:
            self.calls[f"{model.service_model.service_name}:{model.name}"] += 1


def judged(found) -> dict:
    policy = load_policy(None, None, "2026-11-27")
    return json.loads(json_report.render(build_report([f"aws:{a}" for a in found.accounts], found.resources, found.errors, policy)))


@pytest.fixture
def organization(moto, fault_proxy):
    """The seeded organization; eu-central-1 is denied by IAM and the third account's role cannot be assumed."""
    url = moto.url
    made = seed_management(url)
    second, third = create_organization(url)
    made.update(seed_second(url, second))
    fault_proxy.denied_regions.add("eu-central-1")
    fault_proxy.denied_roles.add(f"arn:aws:iam::{third}:role/{ROLE}")
    made.update(second=second, third=third)
    return made


def test_organization_audit_finds_every_resource_with_its_place(organization, fault_proxy):
    second, third = organization["second"], organization["third"]
    found = audit_aws(session(), AuditOptions(regions=REGIONS, endpoint_url=fault_proxy.url, org_role=ROLE))

    assert found.accounts == sorted([MANAGEMENT, second])
    assert found.regions == {MANAGEMENT: list(REGIONS), second: list(REGIONS)}
    doc = judged(found)
    resources = {r["address"]: (r["type"], r["origin"]["account"], r["region"], r["cloud"], r["country"], r["sensitivity"], r["holds_data"]) for r in doc["resources"]}
    volume = lambda v: f"arn:aws:ec2:eu-west-3:{MANAGEMENT}:volume/{v}"  # noqa: E731
    assert resources == {
        "arn:aws:s3:::payroll-files": ("s3:bucket", MANAGEMENT, "eu-west-3", "aws", "FR", "sensitive", True),
        "arn:aws:s3:::payroll-replica": ("s3:bucket", MANAGEMENT, "us-east-1", "aws", "US", None, True),
        organization["function"]: ("lambda:function", MANAGEMENT, "eu-west-3", "aws", "FR", "sensitive", True),
        volume(organization["health"]): ("ec2:volume", MANAGEMENT, "eu-west-3", "aws", "FR", "health", True),
        volume(organization["untagged"]): ("ec2:volume", MANAGEMENT, "eu-west-3", "aws", "FR", None, True),
        f"arn:aws:ec2:eu-west-3:{MANAGEMENT}:security-group/{organization['group']}": ("ec2:security-group", MANAGEMENT, "eu-west-3", "aws", "FR", "sensitive", False),
        organization["key"]: ("kms:key", MANAGEMENT, "us-east-1", "aws", "US", "personal", True),
        organization["database"]: ("rds:db", second, "eu-west-1", "aws", "IE", "personal", True),
        organization["snapshot"]: ("rds:snapshot", second, "eu-west-1", "aws", "IE", None, True),
    }

    replicated = next(r for r in doc["resources"] if r["address"] == "arn:aws:s3:::payroll-files")
    assert replicated["copies"] == [
        {"kind": "s3-replication", "cloud": "aws", "region": "us-east-1", "country": "US", "origin": {"account": MANAGEMENT, "api": "s3 replication rule to-us to arn:aws:s3:::payroll-replica"}}
    ]

    findings = sorted((f["rule"], f["address"]) for f in doc["findings"])
    assert findings == sorted([
        ("sensitive-data-exposed-to-foreign-law", "arn:aws:s3:::payroll-files"),
        ("sensitive-data-outside-eu", "arn:aws:s3:::payroll-files"),  # its replica in us-east-1
        ("sensitive-data-without-secnumcloud", "arn:aws:s3:::payroll-files"),
        ("sensitive-data-exposed-to-foreign-law", organization["function"]),
        ("sensitive-data-without-secnumcloud", organization["function"]),
        ("sensitive-data-exposed-to-foreign-law", volume(organization["health"])),
        ("sensitive-data-hosting-unverified", volume(organization["health"])),
        ("sensitive-data-without-secnumcloud", volume(organization["health"])),
        ("unclassified-resource", "arn:aws:s3:::payroll-replica"),
        ("unclassified-resource", volume(organization["untagged"])),
        ("unclassified-resource", organization["snapshot"]),
        ("personal-data-outside-eea", organization["key"]),
        ("personal-data-exposed-to-foreign-law", organization["key"]),
        ("personal-data-exposed-to-foreign-law", organization["database"]),
    ])
    outside = next(f for f in doc["findings"] if f["rule"] == "sensitive-data-outside-eu")
    assert outside["evidence"]["copy"] == {"kind": "s3-replication", "origin": {"account": MANAGEMENT, "api": "s3 replication rule to-us to arn:aws:s3:::payroll-replica"}}
    assert "us-east-1 (US)" in outside["message"]

    errors = [(e["file"], e["message"]) for e in doc["errors"]]
    assert [file for file, _ in errors] == sorted([f"aws:{MANAGEMENT}:eu-central-1", f"aws:{second}:eu-central-1", f"aws:{third}"])
    denied = dict(errors)
    assert denied[f"aws:{MANAGEMENT}:eu-central-1"].startswith("every listing failed (access denied; e.g. ")
    assert denied[f"aws:{MANAGEMENT}:eu-central-1"].endswith(f"this region of account {MANAGEMENT} is missing from the inventory")
    assert denied[f"aws:{third}"].startswith(f"cannot assume arn:aws:iam::{third}:role/{ROLE}: AssumeRole answered AccessDenied")
    assert denied[f"aws:{third}"].endswith(f"account {third} is missing from the inventory")
    assert "never-printed" not in json.dumps(doc)


def test_calls_grow_with_regions_and_pages_not_with_resources(moto):
    """The same estate ten times larger costs the same listing calls; one more region costs one more of each."""
    def run(regions: tuple[str, ...], page_size: int | None = None) -> collections.Counter:
        audited = session()
        counter = CallCounter(audited)
        audit_aws(audited, AuditOptions(regions=regions, endpoint_url=moto.url, page_size=page_size))
        return counter.calls

    def add_volumes(count: int) -> None:
        ec2 = session().client("ec2", endpoint_url=moto.url)
        for _ in range(count):
            ec2.create_volume(Size=1, AvailabilityZone="eu-west-3a", TagSpecifications=[{"ResourceType": "volume", "Tags": tags(data_classification="internal")}])

    listings = {
        "resourcegroupstaggingapi:GetResources", "s3:ListBuckets", "rds:DescribeDBInstances", "rds:DescribeDBSnapshots", "dynamodb:ListTables",
        "ec2:DescribeVolumes", "ec2:DescribeSnapshots", "efs:DescribeFileSystems", "lambda:ListFunctions", "kms:ListKeys", "backup:ListBackupVaults",
    }
    add_volumes(2)
    small = run(("eu-west-3", "us-east-1"))
    assert small == {"sts:GetCallerIdentity": 1, "ec2:DescribeRegions": 1, **dict.fromkeys(listings, 2)}

    add_volumes(18)
    assert run(("eu-west-3", "us-east-1")) == small  # 20 volumes cost what 2 did
    assert run(("eu-west-3", "us-east-1", "eu-west-1")) == {"sts:GetCallerIdentity": 1, "ec2:DescribeRegions": 1, **dict.fromkeys(listings, 3)}

    # Pages: the tagging API answers 20 tagged volumes of eu-west-3 in pages of 6 (4 pages), and us-east-1 in 1.
    paged = run(("eu-west-3", "us-east-1"), page_size=6)
    assert paged["resourcegroupstaggingapi:GetResources"] == 4 + 1

    # The detail calls AWS offers no bulk for grow with what they describe: one per bucket, one per table.
    s3 = session().client("s3", endpoint_url=moto.url)
    dynamodb = session().client("dynamodb", endpoint_url=moto.url)
    for index in range(3):
        s3.create_bucket(Bucket=f"archive-{index}", CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
        dynamodb.create_table(TableName=f"table-{index}", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    detailed = run(("eu-west-3", "us-east-1"))
    assert detailed == {**small, "s3:GetBucketReplication": 3, "dynamodb:DescribeTable": 3}


def test_every_enabled_region_is_audited_and_disabled_ones_are_named(moto):
    found = audit_aws(session(), AuditOptions(regions=None, endpoint_url=moto.url, workers=16))
    enabled = [
        "af-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
        "ca-central-1", "eu-central-1", "eu-north-1", "eu-south-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1",
        "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    ]
    assert found.regions == {MANAGEMENT: enabled}  # moto's GovCloud and China regions are other partitions
    assert [(e.file, e.message) for e in found.errors] == [(
        f"aws:{MANAGEMENT}",
        "regions not enabled in this account, skipped: ap-east-1, ap-east-2, ap-south-2, ap-southeast-4, ap-southeast-5, ap-southeast-6, "
        "ap-southeast-7, ca-west-1, eu-central-2, eu-south-2, il-central-1, me-central-1, me-south-1, mx-central-1",
    )]


def test_a_disabled_region_asked_for_is_skipped_and_said_so(moto):
    found = audit_aws(session(), AuditOptions(regions=("eu-west-3", "me-south-1"), endpoint_url=moto.url))
    assert found.regions == {MANAGEMENT: ["eu-west-3"]}
    assert [(e.file, e.message) for e in found.errors] == [(f"aws:{MANAGEMENT}", "regions asked for but not enabled in this account, skipped: me-south-1")]


def test_throttling_is_retried_and_the_audit_completes(fault_proxy):
    key = session().client("kms", endpoint_url=fault_proxy.url).create_key()["KeyMetadata"]["Arn"]
    fault_proxy.throttle[("eu-west-3", "kms")] = 2
    fault_proxy.seen.clear()
    found = audit_aws(session(), AuditOptions(regions=("eu-west-3",), endpoint_url=fault_proxy.url))
    assert [r.address for r in found.resources] == [key]
    assert found.errors == []
    assert fault_proxy.throttle[("eu-west-3", "kms")] == 0  # both throttled answers were met, then retried
    assert fault_proxy.seen.count(("eu-west-3", "kms")) == 3


def test_throttling_that_never_ends_becomes_an_error_and_the_rest_goes_on(fault_proxy):
    volume = session().client("ec2", endpoint_url=fault_proxy.url).create_volume(Size=1, AvailabilityZone="eu-west-3a")["VolumeId"]
    fault_proxy.throttle[("eu-west-3", "kms")] = 1000
    fault_proxy.seen.clear()
    found = audit_aws(session(), AuditOptions(regions=("eu-west-3",), endpoint_url=fault_proxy.url, attempts=2))
    assert [r.address for r in found.resources] == [f"arn:aws:ec2:eu-west-3:{MANAGEMENT}:volume/{volume}"]
    assert [(e.file, e.message) for e in found.errors] == [(
        f"aws:{MANAGEMENT}:eu-west-3",
        "kms listing failed: ListKeys answered ThrottlingException (Rate exceeded); still throttled after botocore's adaptive retries; "
        "those resources of this region are missing from the inventory",
    )]
    assert fault_proxy.seen.count(("eu-west-3", "kms")) == 2


def test_tags_unreadable_make_the_sensitivity_unresolved_never_unclassified(fault_proxy):
    """A region where only the tagging API is denied: its buckets' sensitivity is unknown, not 'no tag'."""
    session().client("s3", endpoint_url=fault_proxy.url).create_bucket(Bucket="secret-plans", CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
    fault_proxy.denied_services = {"tagging"}
    found = audit_aws(session(), AuditOptions(regions=("eu-west-3",), endpoint_url=fault_proxy.url))
    doc = judged(found)
    bucket = next(r for r in doc["resources"] if r["address"] == "arn:aws:s3:::secret-plans")
    assert bucket["classification_status"] == "unresolved"
    finding = next(f for f in doc["findings"] if f["address"] == "arn:aws:s3:::secret-plans")
    assert (finding["rule"], finding["message"]) == (
        "unclassified-resource",
        "The sensitivity of this resource cannot be read: some tags are unknown (the Resource Groups Tagging API failed: GetResources answered AccessDeniedException "
        "(User is not authorized to perform this action in region eu-west-3 (explicit deny)); access denied).",
    )


def test_shards_split_the_organization_without_overlap(fault_proxy):
    url = fault_proxy.url
    second, third = create_organization(url)
    everyone = sorted([MANAGEMENT, second, third])
    seen = []
    for index in (1, 2):
        found = audit_aws(session(), AuditOptions(regions=("eu-west-3",), endpoint_url=url, org_role=ROLE, shard=Shard(index, 2)))
        assert found.accounts == [a for a in everyone if shard_of(a, 2) == index]
        seen += found.accounts
    assert sorted(seen) == everyone


def test_shard_numbers_are_stable_across_runs_and_machines():
    # sha256-based: these values are the same everywhere, unlike Python's salted hash().
    assert [shard_of(a, 4) for a in ("123456789012", "111122223333", "444455556666", "210987654321")] == [3, 1, 4, 1]
    assert Shard.parse("2/8") == Shard(2, 8)
    for bad, why in (("0/4", "between 1 and N"), ("5/4", "between 1 and N"), ("two", "expected I/N")):
        with pytest.raises(ValueError, match=why):
            Shard.parse(bad)


def test_the_aws_eusc_partition_is_audited_with_its_own_arns(moto):
    sovereign = session("eusc-de-east-1")
    volume = sovereign.client("ec2", endpoint_url=moto.url).create_volume(Size=1, AvailabilityZone="eusc-de-east-1a", TagSpecifications=[{"ResourceType": "volume", "Tags": tags(data_classification="sensitive")}])["VolumeId"]
    found = audit_aws(sovereign, AuditOptions(regions=("eusc-de-east-1",), endpoint_url=moto.url))
    assert found.partition == "aws-eusc"
    doc = judged(found)
    address = f"arn:aws-eusc:ec2:eusc-de-east-1:{MANAGEMENT}:volume/{volume}"
    assert [(r["address"], r["cloud"], r["region"], r["country"], r["sensitivity"]) for r in doc["resources"]] == [(address, "aws-eusc", "eusc-de-east-1", "DE", "sensitive")]
    assert sorted((f["rule"], f["address"]) for f in doc["findings"]) == [("sensitive-data-exposed-to-foreign-law", address), ("sensitive-data-without-secnumcloud", address)]


def test_regions_of_two_partitions_are_refused(moto):
    with pytest.raises(BadOptions, match="region eusc-de-east-1 is in partition aws-eusc, not aws"):
        audit_aws(session(), AuditOptions(regions=("eu-west-3", "eusc-de-east-1"), endpoint_url=moto.url))


def test_a_cross_region_read_replica_is_a_copy_judged_on_its_source(moto):
    paris = session().client("rds", endpoint_url=moto.url)
    source = paris.create_db_instance(
        DBInstanceIdentifier="usagers", DBInstanceClass="db.t3.micro", Engine="postgres", MasterUsername="app", MasterUserPassword="not-a-real-password",
        AllocatedStorage=20, Tags=tags(data_classification="personal"),
    )["DBInstance"]["DBInstanceArn"]
    replica = session("us-east-1").client("rds", endpoint_url=moto.url).create_db_instance_read_replica(
        DBInstanceIdentifier="usagers-us", SourceDBInstanceIdentifier=source, DBInstanceClass="db.t3.micro"
    )["DBInstance"]["DBInstanceArn"]
    found = audit_aws(session(), AuditOptions(regions=("eu-west-3",), endpoint_url=moto.url))
    doc = judged(found)
    entry = next(r for r in doc["resources"] if r["address"] == source)
    assert entry["copies"] == [{"kind": "rds-read-replica", "cloud": "aws", "region": "us-east-1", "country": "US", "origin": {"account": MANAGEMENT, "api": f"rds read replica {replica}"}}]
    outside = [f for f in doc["findings"] if f["address"] == source and f["rule"] == "personal-data-outside-eea"]
    assert [f["message"] for f in outside] == ["Personal data stored in its read replica in aws us-east-1 (US), outside the EEA and the countries with an adequacy decision."]


def test_dynamodb_global_table_replicas_are_copies():
    """moto has no global tables: DescribeTable's Replicas as AWS documents them
    (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTable.html)."""
    from scanner.sources.aws.services import CopyRef, RegionContext, replica_copies

    table = {
        "TableName": "sessions",
        "TableArn": f"arn:aws:dynamodb:eu-west-3:{MANAGEMENT}:table/sessions",
        "Replicas": [{"RegionName": "eu-west-3", "ReplicaStatus": "ACTIVE"}, {"RegionName": "us-west-2", "ReplicaStatus": "ACTIVE"}],
    }
    ctx = RegionContext(MANAGEMENT, "aws", "eu-west-3", client=lambda service: None)
    assert list(replica_copies(table, ctx)) == [
        CopyRef("dynamodb-replica", f"arn:aws:dynamodb:us-west-2:{MANAGEMENT}:table/sessions", "us-west-2", "dynamodb global table replica in us-west-2"),
    ]


def test_the_sharding_example_of_the_docs_is_what_the_code_does():
    import re
    from pathlib import Path

    docs = (Path(__file__).resolve().parent.parent / "docs" / "inventory.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d{12}) \| (\d) \|$", docs, re.MULTILINE)
    assert len(rows) == 8
    assert [(account, shard_of(account, 3)) for account, _ in rows] == [(account, int(shard)) for account, shard in rows]
