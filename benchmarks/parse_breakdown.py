"""Where parsing time goes, in one process: lark's parse, sovscan's conversion, python-hcl2's own transform, the cache.

Times each step over every .tf/.tfvars file of a corpus, the texts already
in memory, the grammar already loaded (its load is timed apart):

- lark parse: python-hcl2's grammar and post-lexer (``hcl.parse_tree``), what
  sovscan and the floor share;
- sovscan's ``parse_body``: the same parse, then the conversion of lark's
  tree into sovscan's frozen AST (the difference is the conversion);
- python-hcl2 transform: what ``hcl2.load`` adds to the lark parse
  (``hcl2.api.transform`` + ``serialize``), which sovscan skips;
- parse cache encode / decode of every tree.

    python benchmarks/parse_breakdown.py benchmarks/corpus/10k
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def breakdown(corpus: Path) -> list[tuple[str, float]]:
    from scanner.sources.terraform.syntax import hcl
    from scanner.sources.terraform.syntax.parsecache import decode, encode

    files = sorted(p for p in corpus.rglob("*") if p.name.endswith((".tf", ".tfvars")) and not any(part.startswith(".") for part in p.parts))
    texts = [p.read_text(encoding="utf-8") for p in files]
    timings = []

    started = time.perf_counter()
    hcl._parser()
    timings.append(("grammar load (from sovscan's cache folder)", time.perf_counter() - started))

    # Each step re-parses and drops its trees, as a scan does; the differences isolate the extra steps.
    started = time.perf_counter()
    for text in texts:
        hcl.parse_tree(text)
    lark_parse = time.perf_counter() - started
    timings.append((f"lark parse of {len(files)} files ({sum(map(len, texts)):,} characters)", lark_parse))

    started = time.perf_counter()
    bodies = [hcl.parse_body(text) for text in texts]
    whole = time.perf_counter() - started
    timings.append(("sovscan parse_body: lark parse + conversion to sovscan's AST", whole))
    timings.append(("  of which the conversion (difference)", whole - lark_parse))

    from hcl2.api import serialize, transform

    started = time.perf_counter()
    for text in texts:
        serialize(transform(hcl.parse_tree(text)))
    hcl2_load = time.perf_counter() - started
    timings.append(("python-hcl2: lark parse + transform + serialize (what hcl2.load does)", hcl2_load))
    timings.append(("  of which the transform and serialize, skipped by sovscan (difference)", hcl2_load - lark_parse))

    started = time.perf_counter()
    payloads = [encode((body, []), str(path)) for body, path in zip(bodies, files, strict=True)]
    timings.append((f"parse cache encode ({sum(map(len, payloads)):,} bytes)", time.perf_counter() - started))

    started = time.perf_counter()
    for payload, path in zip(payloads, files, strict=True):
        decode(payload, str(path))
    timings.append(("parse cache decode", time.perf_counter() - started))
    return timings


def main(argv: list[str]) -> int:
    corpus = Path(argv[0])
    print(f"| step ({corpus.name}) | seconds |\n|---|---:|")
    for label, seconds in breakdown(corpus):
        print(f"| {label} | {seconds:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
