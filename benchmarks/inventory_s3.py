"""Time ``sovscan inventory s3`` on a moto server holding N tagged buckets, for several pool sizes.

Run by hand from the repository root: ``.venv/bin/python benchmarks/inventory_s3.py 500 --workers 1 8 16 --latency 30``.
``--latency MS`` puts the fault proxy of tests/moto_server.py in front of moto, adding that much to
every answer, as an endpoint across the network does.
It prints, per pool size, the wall time, the buckets per second and the calls per bucket (one
GetBucketLocation, GetBucketTagging and GetBucketReplication each, plus the ListBuckets pages).
moto answers slower than a real endpoint does and runs on the same cores, so the figures say how
the pool scales, not how fast a provider is.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import boto3  # noqa: E402

from scanner.pipeline import load_policy  # noqa: E402
from scanner.sources.aws.s3compat import S3Options, audit_s3  # noqa: E402
from scanner.sources.aws.s3endpoints import resolve_target  # noqa: E402
from scanner.support.urls import parse_endpoint  # noqa: E402
from tests.moto_server import FaultProxy, MotoServer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("buckets", type=int, nargs="?", default=500)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 8, 16])
    parser.add_argument("--latency", type=float, default=0.0, metavar="MS", help="added to every answer (through the fault proxy)")
    args = parser.parse_args()
    os.environ.update(AWS_ACCESS_KEY_ID="AKIABENCHMARK0000001", AWS_SECRET_ACCESS_KEY="benchmark", AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    server = MotoServer()
    try:
        s3 = boto3.Session(region_name="fr-par").client("s3", endpoint_url=server.url)
        for index in range(args.buckets):
            name = f"bucket-{index:05d}"
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "fr-par"})
            s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "data_classification", "Value": "personal"}]})
        catalog = load_policy(None).catalog
        proxy = FaultProxy(server.port)
        proxy.latency = args.latency / 1000
        print(f"{args.buckets} buckets on moto, {args.latency:g} ms added to each answer")
        print("| workers | seconds | buckets/s | calls/bucket |")
        print("|---:|---:|---:|---:|")
        for workers in args.workers:
            session = boto3.Session()
            calls: collections.Counter = collections.Counter()
            lock = threading.Lock()

            def count(model, calls=calls, lock=lock, **_):
                with lock:
                    calls[model.name] += 1

            session.events.register("before-call.s3", count)
            target = resolve_target(parse_endpoint(proxy.url), catalog, cloud="scaleway", region="fr-par")
            started = time.perf_counter()
            found = audit_s3([(target, session)], S3Options(workers=workers))
            elapsed = time.perf_counter() - started
            assert len(found.resources) == args.buckets and not found.errors, found.errors[:3]
            print(f"| {workers} | {elapsed:.2f} | {args.buckets / elapsed:.0f} | {sum(calls.values()) / args.buckets:.2f} |")
        proxy.stop()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
