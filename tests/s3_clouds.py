"""A small estate of S3-compatible clouds on one moto server, reached through the fault proxy as a forward proxy.

Endpoints carry the real host names the catalog knows (``s3.fr-par.scw.cloud``,
``s3.gra.io.cloud.ovh.net``) and one it does not (a town hall's own S3);
``HTTP_PROXY`` sends their requests to the proxy on 127.0.0.1, which shows each
host only its own buckets, as one region's endpoint does. Buckets are created
signed for their own region with that LocationConstraint, so moto answers
GetBucketLocation with the provider's spelling (``fr-par``, ``gra``); a bucket
created without one answers an empty constraint, as us-east-1 does on AWS.
"""

from __future__ import annotations

import boto3
import botocore.session

SCW_PAR = "http://s3.fr-par.scw.cloud"
SCW_AMS = "http://s3.nl-ams.scw.cloud"
OVH_GRA = "http://s3.gra.io.cloud.ovh.net"
OVH_BHS = "http://s3.bhs.io.cloud.ovh.net"
MAIRIE = "http://s3.mairie-exemple.fr"  # a self-hosted S3 that no catalog entry names

KEY_ID = "AKIATESTMANAGEMENT01"  # the moto fixture's environment credentials
SECRET = "management-secret-never-printed"

_LOADER = botocore.session.get_session().get_component("data_loader")

# The vocabulary of the French bodies in this estate: their own key "sensibilite".
CONFIG = "vocabulary:\n  classification_keys: [sensibilite]\n"


def client(url: str, region: str):
    core = botocore.session.get_session()
    core.register_component("data_loader", _LOADER)
    session = boto3.Session(aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET, region_name=region, botocore_session=core)
    return session.client("s3", endpoint_url=url)


def tags(**pairs: str) -> dict:
    return {"TagSet": [{"Key": k, "Value": v} for k, v in pairs.items()]}


def seed(url: str) -> None:
    """Buckets at Scaleway (Paris, Amsterdam), OVHcloud (Gravelines replicated to Beauharnois) and the town hall."""
    buckets = {
        "dossiers-patients": ("fr-par", tags(classification="données de santé", workload="dossier-medical")),
        "exports-rh": ("fr-par", tags(data_classification="personal")),
        "archives-ams": ("nl-ams", tags(data_classification="internal")),
        "registre-dr": ("gra", tags(sensibilite="DR", workload="registre")),
        "registre-dr-bhs": ("bhs", None),
        "etat-civil": (None, tags(data_classification="personal")),
        "brouillons": (None, None),
    }
    for name, (region, tag_set) in buckets.items():
        s3 = client(url, region or "us-east-1")
        if region:
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
        else:
            s3.create_bucket(Bucket=name)
        if tag_set:
            s3.put_bucket_tagging(Bucket=name, Tagging=tag_set)
    gra = client(url, "gra")
    for name in ("registre-dr", "registre-dr-bhs"):
        gra.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    gra.put_bucket_replication(
        Bucket="registre-dr",
        ReplicationConfiguration={
            "Role": "arn:aws:iam::123456789012:role/replication",
            "Rules": [{"ID": "vers-bhs", "Status": "Enabled", "Priority": 1, "Filter": {}, "DeleteMarkerReplication": {"Status": "Disabled"},
                       "Destination": {"Bucket": "arn:aws:s3:::registre-dr-bhs"}}],
        },
    )


VISIBLE = {
    "s3.fr-par.scw.cloud": {"dossiers-patients", "exports-rh"},
    "s3.nl-ams.scw.cloud": {"archives-ams"},
    "s3.gra.io.cloud.ovh.net": {"registre-dr"},
    "s3.bhs.io.cloud.ovh.net": {"registre-dr-bhs"},
    "s3.mairie-exemple.fr": {"etat-civil", "brouillons"},
}


def route(proxy, monkeypatch) -> None:
    """Requests to the estate's hosts go through ``proxy``; 127.0.0.1 (moto, unreachable endpoints) is reached directly."""
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, proxy.url)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    proxy.visible.update({host: set(names) for host, names in VISIBLE.items()})
