"""Baselines: accept today's findings, fail only on new ones.

``sovscan scan --create-baseline FILE`` writes the keys of the current
active findings; ``--baseline FILE`` then marks findings whose key is in
the file as suppressed (kind ``baseline``) so only new ones count. A key is
(rule, address, root module folder, file), paths relative to the
repository root: the same address in two root modules gives two keys, and
keys survive edits that move lines. The file is sorted JSON with no dates,
so it diffs cleanly in review.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from scanner.model import Report
from scanner.model.located import Located
from scanner.support.jsonload import loads

KIND = "sovscan-baseline"
VERSION = 1
FIELDS = ("rule", "address", "root", "file")

Key = tuple[str, str, str, str]


class BaselineError(Exception):
    """The baseline file cannot be used (exit code 2)."""


def key(item: Located) -> Key:
    return (item.finding.rule, item.finding.address, item.root, item.file or "")


def render(items: list[Located]) -> str:
    keys = sorted({key(i) for i in items if not i.finding.suppressed})
    document = {"kind": KIND, "version": VERSION, "findings": [dict(zip(FIELDS, k, strict=True)) for k in keys]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def load(path: Path, shown: str) -> frozenset[Key]:
    try:
        document = loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"{shown}: cannot read the baseline: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise BaselineError(f"{shown}: not a sovscan baseline (invalid JSON: {exc})") from None
    if not isinstance(document, dict) or document.get("kind") != KIND:
        raise BaselineError(f'{shown}: not a sovscan baseline (expected "kind": "{KIND}"; write one with --create-baseline)')
    if document.get("version") != VERSION:
        raise BaselineError(f"{shown}: baseline version {document.get('version')!r} is not supported; expected {VERSION}")
    entries = document.get("findings")
    if not isinstance(entries, list):
        raise BaselineError(f'{shown}: "findings" must be a list')
    keys = set()
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not all(isinstance(entry.get(f), str) for f in FIELDS):
            raise BaselineError(f"{shown}: findings[{index}] must have the text fields {', '.join(FIELDS)}")
        keys.add(tuple(entry[f] for f in FIELDS))
    return frozenset(keys)


def apply(report: Report, items: list[Located], keys: frozenset[Key], shown: str) -> Report:
    """Mark active findings whose key is in the baseline as suppressed by it."""
    suppression = {"kind": "baseline", "reason": f"accepted in the baseline {shown}", "until": None, "approver": None, "file": shown, "line": None}
    baselined = {id(i.finding) for i in items if not i.finding.suppressed and key(i) in keys}
    findings = tuple(replace(f, suppressed=True, suppression=suppression) if id(f) in baselined else f for f in report.findings)
    return replace(report, findings=findings)
