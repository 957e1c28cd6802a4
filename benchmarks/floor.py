"""The parse floor: python-hcl2 alone parses every file sovscan parses, in one fresh process.

This is the floor issue 8 measures sovscan against: ``hcl2.load`` on each
``.tf`` and ``.tfvars`` file, one process, one core, its grammar loaded on
first use (from python-hcl2's own cache file when one exists, as after any
earlier use; built otherwise). Nothing else: no evaluation, no report.

    python benchmarks/floor.py benchmarks/corpus/10k
"""

from __future__ import annotations

import os
import sys
import time


def files_under(root: str) -> list[str]:
    """The files sovscan reads, in a stable order, skipping hidden folders as sovscan does."""
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [os.path.join(folder, n) for n in sorted(names) if n.endswith((".tf", ".tfvars"))]
    return found


def main(root: str) -> int:
    started = time.perf_counter()
    import hcl2

    files = files_under(root)
    size = 0
    for path in files:
        with open(path, encoding="utf-8") as handle:
            hcl2.load(handle)
        size += os.path.getsize(path)
    print(f"{len(files)} files, {size} bytes parsed in {time.perf_counter() - started:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
