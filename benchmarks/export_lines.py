"""Time reading a large Azure Resource Graph export: decoding, numbering its items, and the whole scan.

    python benchmarks/export_lines.py 100000

Writes the export (one storage account per item, indented as ``az graph
query`` prints it) to a temporary folder, then times, in this process,
``json.loads`` of the text (the floor) and ``items_with_lines`` (what gives
each item its line for error messages), and in a fresh process ``sovscan
scan EXPORT --format json -o /dev/null``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scanner.sources.exports.jsonitems import items_with_lines


def export_text(count: int) -> str:
    items = [
        {
            "id": f"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a{i}",
            "type": "microsoft.storage/storageaccounts",
            "location": "francecentral",
            "subscriptionId": "s",
            "tags": {"data_classification": "personal"},
        }
        for i in range(count)
    ]
    return json.dumps({"count": count, "data": items}, indent=2)


def timed(step) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def main(count: int) -> None:
    text = export_text(count)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.json"
        path.write_text(text, encoding="utf-8")
        print(f"{count} items, {len(text) / 1e6:.1f} MB")
        print(f"json.loads        {timed(lambda: json.loads(text)):.2f} s")
        print(f"items_with_lines  {timed(lambda: items_with_lines(text, 'data')):.2f} s")
        scan = [sys.executable, "-m", "scanner", "scan", str(path), "--format", "json", "-o", "/dev/null"]
        print(f"sovscan scan      {timed(lambda: subprocess.run(scan, capture_output=True)):.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
