"""Time each CI reporter on a large inventory: the 25,826 findings of 25,812 S3 buckets (issue 17).

    .venv/bin/python benchmarks/ci_formats.py [--buckets 25800] [--repeat 3]

Writes the snapshot to a temporary folder, judges it once with the real
pipeline, then renders every format (best of ``--repeat``) and prints the
time, the size and, for SARIF, the gzip-compressed size GitHub's 10 MB limit
applies to. Run by hand; never a timed test.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scanner.pipeline import build_report, load_policy  # noqa: E402
from scanner.report import REPORTERS, reporter_for  # noqa: E402
from scanner.sources.snapshot import read_snapshot  # noqa: E402

ACCOUNT = "111122223333"


def snapshot(unclassified: int, sensitive: int = 2, personal: int = 10) -> dict:
    """Sensitive and personal buckets in us-east-1 (3 and 2 findings each), untagged ones in eu-west-3 (1 each)."""

    def bucket(name: str, region: str, tags: dict) -> dict:
        return {"address": f"arn:aws:s3:::{name}", "type": "s3:bucket", "provider": "aws", "region": region, "account": ACCOUNT, "api": "s3:ListBuckets",
                "tags": tags, "tags_api": "tagging:GetResources", "tags_complete": True, "hints": {}, "holds_data": True, "copies": []}  # fmt: skip

    resources = [bucket(f"payroll-{i:03d}", "us-east-1", {"data_classification": "sensitive"}) for i in range(sensitive)]
    resources += [bucket(f"users-{i:03d}", "us-east-1", {"data_classification": "personal"}) for i in range(personal)]
    resources += [bucket(f"logs-{i:05d}", "eu-west-3", {}) for i in range(unclassified)]
    return {"kind": "sovscan-inventory", "schema_version": 1, "taken_at": "2026-11-27T06:00:00Z", "tool": {"name": "sovscan", "version": "0.1.0"},
            "api": "aws", "partition": "aws", "shard": None, "accounts": [ACCOUNT], "regions": {ACCOUNT: ["eu-west-3", "us-east-1"]},
            "skipped": [], "resources": resources, "errors": []}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buckets", type=int, default=25_800, help="untagged buckets (one low finding each)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("SOVSCAN_TODAY", "2026-11-27")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "aws.json"
        path.write_text(json.dumps(snapshot(args.buckets)), encoding="utf-8")
        start = time.perf_counter()
        read = read_snapshot(path, "aws.json")
        report = build_report(["aws.json"], read.resources, read.errors, load_policy(None, None, "2026-11-27"))
        print(f"judge: {time.perf_counter() - start:.2f} s for {len(report.assessments):,} resources, {len(report.findings):,} findings")
    print(f"{'format':12} {'render':>8} {'size':>10} {'gzip':>9}")
    for fmt in REPORTERS:
        if fmt in ("text", "html"):
            continue  # not CI formats
        render = reporter_for(fmt).render
        best, text = float("inf"), ""
        for _ in range(args.repeat):
            start = time.perf_counter()
            text = render(report)
            best = min(best, time.perf_counter() - start)
        raw = text.encode("utf-8")
        print(f"{fmt:12} {best:7.2f}s {len(raw) / 2**20:8.1f} MB {len(gzip.compress(raw)) / 2**20:7.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
