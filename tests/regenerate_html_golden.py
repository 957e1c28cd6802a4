"""Golden snapshots of the HTML audit report's rendered text (not its markup).

Regenerate them after an intended change, then review the diff:

    .venv/bin/python -m tests.regenerate_html_golden

Each snapshot is the text a reader sees in ``sovscan scan CASE --format
html`` (run from the repository root on the pinned test date), one block
per line: headings with their level, table rows as ``cell | cell``, list
items with their marker, and each chart's written labels and numbers.
"""

from __future__ import annotations

import functools
import os
import sys
import tempfile
from pathlib import Path
from xml.etree.ElementTree import Element

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "html"
TODAY = "2026-11-27"  # the date tests/conftest.py pins

CASES = {
    "demo.en": ("fixtures/demo", "en"),
    "demo.fr": ("fixtures/demo", "fr"),
    "suppress-exceptions.en": ("fixtures/terraform/suppress-exceptions", "en"),
}

SVG = "{http://www.w3.org/2000/svg}"
BLOCKS = {"p", "li", "caption", "tr", "dt", "dd", "figure", "section", "header", "nav", "main", "table", "ul", "ol", "dl", "div", "thead", "tbody", "tfoot", "body"}
SKIPPED = {"head", "style", "script", "title"}
NESTED = {"ul", "ol", "p"}  # blocks an item may hold


def golden_path(case: str) -> Path:
    return GOLDEN / f"{case}.txt"


@functools.cache
def render_html(case: str) -> str:
    """The page of ``sovscan scan CASE --format html`` in the case's language, from the repository root."""
    from click.testing import CliRunner

    from scanner.cli.app import cli

    folder, lang = CASES[case]
    previous = Path.cwd()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.html"
        os.chdir(ROOT)
        try:
            CliRunner(env={"LC_ALL": None, "LC_MESSAGES": None, "LANG": f"{lang}_FR.UTF-8" if lang == "fr" else "C.UTF-8"}).invoke(
                cli, ["scan", folder, "--format", "html", "--output", str(out)], catch_exceptions=False
            )
        finally:
            os.chdir(previous)
        return out.read_text(encoding="utf-8")


def visible_text(html: str) -> str:
    """What a reader sees, one block per line, parsed with html5lib (strict: a parse error raises)."""
    import html5lib

    tree = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(html)
    lines: list[str] = []
    _walk(tree, lines)
    return "\n".join(line for line in lines if line.strip()) + "\n"


def _inline(element: Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _walk(element: Element, lines: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in SKIPPED:
        return
    if tag == f"{SVG}svg":
        title = next((_inline(e) for e in element.iter(f"{SVG}title")), "")
        texts = [_inline(e) for e in element.iter(f"{SVG}text")]
        lines.append(f"[chart: {title}] " + " ".join(texts))
        return
    if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        lines.append("#" * int(tag[1]) + " " + _inline(element))
        return
    if tag == "tr":
        lines.append(" | ".join(_inline(cell) for cell in element))
        return
    if tag == "div" and element.get("data-key") is not None and element.find("dt") is not None:
        lines.append(f"{_inline(element.find('dt'))}: {_inline(element.find('dd'))}")
        return
    if tag in ("p", "caption", "dt", "dd") or (tag == "li" and not any(child.tag in NESTED for child in element)):
        lines.append(("- " if tag == "li" else "") + _inline(element))
        return
    if tag == "li":  # an item holding blocks (a list, paragraphs): its own words, then each block
        own = " ".join(((element.text or "") + "".join(_inline(c) + (c.tail or "") for c in element if c.tag not in NESTED)).split())
        lines.append("- " + own)
        for child in element:
            if child.tag in NESTED:
                _walk(child, lines)
        return
    for child in element:
        _walk(child, lines)


def main() -> int:
    os.environ["SOVSCAN_TODAY"] = TODAY
    os.environ.setdefault("SOVSCAN_CACHE_DIR", tempfile.mkdtemp(prefix="sovscan-cache-"))
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        golden_path(case).write_text(visible_text(render_html(case)), encoding="utf-8")
        print(golden_path(case).relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
