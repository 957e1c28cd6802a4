"""Justified, dated exceptions: inline ``sovscan:ignore`` comments and the waiver file.

Inline, inside a block or in the comment lines just above it (``#``, ``//``
or ``/* */`` comments; several rule ids separated by commas)::

    # sovscan:ignore[sensitive-data-without-secnumcloud] reason="DINUM derogation 2026-14" until=2027-06-30
    resource "aws_s3_bucket" "payroll" { ... }

``reason`` is mandatory; ``until`` (inclusive, YYYY-MM-DD) and ``approver``
are optional. On a ``module`` block the comment covers the findings of every
resource inside that module. Comments inside downloaded remote modules
(``.terraform/``) are never read: a third-party module cannot silence
findings in your repository.

The waiver file, ``.sovscan-waivers.yml`` (the nearest one above the scanned
path, like ``.sovscan.yml``, or ``--waivers FILE``), keeps exceptions
reviewed apart from the code::

    waivers:
      - rule: personal-data-outside-eea
        address: aws_dynamodb_table.analytics     # * and ? are wildcards; [ ] are literal
        path: envs/prod                          # optional: a gitignore-style file or folder pattern, relative to this file's folder
        reason: SCCs signed with the processor, DPO opinion 2026-031
        expires: 2027-06-30
        approver: RSSI ministère

A suppression whose date has passed stops applying and is reported; one
that matches no finding is reported as stale. Suppressed findings stay in
the report with ``suppressed: true`` and what suppressed them; the exit
code ignores them.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from scanner.model import Finding, Origin, Report, ScanError
from scanner.model.located import Located
from scanner.support.patterns import name_matches, path_matches
from scanner.support.schema import INVALID, Date, Field, ListOf, Obj, Problems, Str, Where
from scanner.support.yamlload import YamlError, load_yaml_file

WAIVER_NAMES = (".sovscan-waivers.yml", ".sovscan-waivers.yaml")

_MARKER = re.compile(r"(?:#|//|/\*)\s*sovscan:ignore\b(?P<rest>.*)$")
_RULES = re.compile(r"\[(?P<rules>[^\]]*)\]")
_FIELD = re.compile(r'\s*(?P<key>[A-Za-z_]+)=(?:"(?P<quoted>[^"]*)"|(?P<bare>[^\s"]+))')
_COMMENT_LINE = re.compile(r"\s*(?:#|//|/\*|\*)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Suppression:
    """One exception: which rules, why, until when, who approved it, and where it is written."""

    kind: str  # inline | waiver | baseline
    rules: tuple[str, ...]
    reason: str
    until: str | None
    approver: str | None
    file: str | None
    line: int | None
    address: str | None = None  # waiver: address pattern
    path: str | None = None  # waiver: file or folder pattern, relative to the repository root

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "reason": self.reason, "until": self.until, "approver": self.approver, "file": self.file, "line": self.line}

    def expired(self, as_of: str) -> bool:
        return self.until is not None and self.until < as_of

    def describe(self) -> str:
        if self.kind == "inline":
            return f"sovscan:ignore[{','.join(self.rules)}]"
        return f"waiver for {self.rules[0]} on {self.address}" + (f" in {self.path}" if self.path else "")


# --------------------------------------------------------------------------- inline comments


@dataclass(frozen=True)
class SourceFile:
    """The suppressions written in one Terraform file, and where its comment lines are."""

    shown: str
    suppressions: tuple[Suppression, ...]
    comment_lines: frozenset[int]

    def above(self, line: int) -> int:
        """The first line of the run of comment lines just above ``line`` (``line`` itself when none)."""
        start = line
        while start - 1 in self.comment_lines:
            start -= 1
        return start


def read_inline(text: str, shown: str, known_rules: Iterable[str]) -> tuple[SourceFile, list[ScanError]]:
    """The ``sovscan:ignore`` comments of one file; each malformed one is an error and does not apply."""
    known = set(known_rules)
    suppressions: list[Suppression] = []
    errors: list[ScanError] = []
    comments: set[int] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if _COMMENT_LINE.match(line):
            comments.add(number)
        match = _MARKER.search(line)
        if match is None:
            continue
        parsed, problem = _parse_marker(match.group("rest"), known)
        if problem:
            errors.append(ScanError(shown, number, f"sovscan:ignore {problem}; this suppression does not apply", kind="exception"))
        if parsed is not None:
            rules, fields = parsed
            suppressions.append(Suppression("inline", rules, fields["reason"], fields.get("until"), fields.get("approver"), shown, number))
    return SourceFile(shown, tuple(suppressions), frozenset(comments)), errors


def _parse_marker(rest: str, known: set[str]) -> tuple[tuple[tuple[str, ...], dict[str, str]] | None, str | None]:
    rest = rest.rstrip()
    if rest.endswith("*/"):
        rest = rest[:-2].rstrip()
    rules_match = _RULES.match(rest)
    if rules_match is None:
        return None, "names no rule: write sovscan:ignore[rule-id] reason=\"…\""
    rules = tuple(r.strip() for r in rules_match.group("rules").split(",") if r.strip())
    if not rules:
        return None, "names no rule: write sovscan:ignore[rule-id] reason=\"…\""
    fields: dict[str, str] = {}
    position = rules_match.end()
    while position < len(rest):
        if not rest[position:].strip():
            break
        field = _FIELD.match(rest, position)
        if field is None:
            return None, f"cannot read {rest[position:].strip()!r}: expected key=value or key=\"text\""
        key = field.group("key")
        if key not in ("reason", "until", "approver"):
            return None, f"has an unknown key '{key}'; expected reason, until, approver"
        fields[key] = field.group("quoted") if field.group("quoted") is not None else field.group("bare")
        position = field.end()
    if not (fields.get("reason") or "").strip():
        return None, 'has no reason: a reason="…" is mandatory'
    until = fields.get("until")
    if until is not None and not _valid_date(until):
        return None, f"until={until!r} is not a date written YYYY-MM-DD"
    unknown = [r for r in rules if r not in known]
    if unknown:
        kept = tuple(r for r in rules if r in known)
        problem = f"names unknown rule(s) {', '.join(unknown)}; see `sovscan rules`"
        return ((kept, fields) if kept else None), problem
    return (rules, fields), None


def _valid_date(text: str) -> bool:
    import datetime

    if not _DATE.fullmatch(text):
        return False
    try:
        datetime.date.fromisoformat(text)
        return True
    except ValueError:
        return False


# --------------------------------------------------------------------------- the waiver file


def find_waivers(start: Path) -> Path | None:
    """The nearest waiver file at or above ``start``."""
    from scanner.policy.paths import find_upward

    return find_upward(start, WAIVER_NAMES)


_NON_EMPTY = r"(?s)\s*\S.*"

_WAIVER = Obj(
    {
        "rule": Field(Str(pattern=r"[a-z][a-z0-9-]*", expected="a rule id such as personal-data-outside-eea"), required=True),
        "address": Field(Str(pattern=_NON_EMPTY, expected="a resource address or pattern"), required=True),
        "path": Field(Str(pattern=_NON_EMPTY, expected="a file or folder path")),
        "reason": Field(Str(pattern=_NON_EMPTY, expected="a sentence saying why"), required=True),
        "expires": Field(Date(), required=True),
        "approver": Field(Str(pattern=_NON_EMPTY, expected="who approved the exception"), required=True),
    },
    what="waiver",
)

_WAIVER_FILE = Obj({"version": Field(Str(("1",))), "waivers": Field(ListOf(_WAIVER), required=True)}, what="waiver file")


def load_waivers(path: Path, shown: str, known_rules: Iterable[str], folder: str = "") -> tuple[list[Suppression], list[ScanError]]:
    """The waivers of a file, checked; each problem is one sentence with file and line, and drops its entry.

    ``folder`` is the waiver file's folder relative to the repository root:
    ``path`` patterns are relative to it.
    """
    try:
        raw = load_yaml_file(path, shown)
    except YamlError as exc:
        return [], [ScanError(exc.file, exc.line, exc.message, kind="exception")]
    if raw is None:
        return [], []
    problems = Problems(file=shown)
    checked = _WAIVER_FILE.check(raw, Where("", 1), problems)  # a bad entry is dropped, the others kept
    errors = [ScanError(f, line, m, kind="exception") for f, line, m in problems.items]
    if checked is INVALID:
        return [], errors
    known = set(known_rules)
    waivers = []
    for item in checked["waivers"]:
        if item["rule"] not in known:
            errors.append(ScanError(shown, item["_line"], f"waiver names unknown rule '{item['rule']}'; see `sovscan rules`; it does not apply", kind="exception"))
            continue
        pattern = item["path"]
        if pattern is not None:
            pattern = posixpath.normpath(posixpath.join(folder, pattern.strip()))
        waivers.append(
            Suppression("waiver", (item["rule"],), item["reason"].strip(), item["expires"], item["approver"].strip(), shown, item["_line"], item["address"].strip(), pattern)
        )
    return waivers, errors


def _path_matches(pattern: str, path: str | None) -> bool:
    """``pattern`` is repository-relative (the waiver file's folder already joined), so it is anchored."""
    if not path:
        return False
    folder = pattern.rstrip("/")
    if folder in (".", ""):
        return True
    return path_matches(path, "/" + folder.lstrip("/"))


def waiver_matches(waiver: Suppression, item: Located) -> bool:
    finding = item.finding
    if finding.rule not in waiver.rules or not name_matches(finding.address, waiver.address or ""):
        return False
    if waiver.path is None:
        return True
    return _path_matches(waiver.path, item.file) or _path_matches(waiver.path, item.root)


# --------------------------------------------------------------------------- applying them


def _own_file(origin: Origin) -> bool:
    """Files of the user's repository, never a downloaded module under .terraform/."""
    return origin.file is not None and ".terraform" not in origin.file.split("/")


def inline_matches(suppression: Suppression, item: Located, source: SourceFile) -> bool:
    resource = item.resource
    if resource is None or item.finding.rule not in suppression.rules or suppression.line is None:
        return False
    for block in (resource.origin, *resource.module_calls):
        if block.file != suppression.file or block.line is None or not _own_file(block):
            continue
        last = block.end_line or block.line
        if block.line <= suppression.line <= last or source.above(block.line) <= suppression.line < block.line:
            return True
    return False


def files_to_read(report: Report) -> list[str]:
    """Shown paths of the Terraform files declaring the scanned resources and module calls (not .tf.json: JSON has no comments)."""
    found: set[str] = set()
    for assessment in report.assessments:
        resource = assessment.resource
        for origin in (resource.origin, *resource.module_calls):
            if origin.file is not None and _own_file(origin) and origin.file.endswith(".tf"):
                found.add(origin.file)
    return sorted(found)


def apply(
    report: Report,
    items: list[Located],
    sources: Mapping[str, SourceFile],
    waivers: list[Suppression],
    as_of: str,
    extra_errors: Iterable[ScanError] = (),
    report_stale: bool = True,
) -> Report:
    """Mark the findings that a live suppression covers; report expired and stale ones.

    ``report_stale`` is False for partial scans (the pre-commit hook scans a
    few root modules): an exception may then match findings of the others.
    """
    errors: list[ScanError] = list(extra_errors)
    used: set[Suppression] = set()
    marked: dict[int, Suppression] = {}
    for item in items:
        if item.finding.suppressed:
            continue
        candidates: list[Suppression] = []
        resource = item.resource
        if resource is not None:
            files = {o.file for o in (resource.origin, *resource.module_calls) if o.file}
            for file in sorted(files):
                source = sources.get(file)
                if source is not None:
                    candidates += [s for s in source.suppressions if inline_matches(s, item, source)]
        candidates += [w for w in waivers if waiver_matches(w, item)]
        for suppression in candidates:
            if suppression.expired(as_of):
                continue  # reported below, once
            used.add(suppression)
            marked.setdefault(id(item.finding), suppression)
    everything = [s for source in sources.values() for s in source.suppressions] + list(waivers)
    for suppression in everything:
        if suppression.expired(as_of):
            errors.append(
                ScanError(
                    suppression.file,
                    suppression.line,
                    f"{suppression.describe()} expired on {suppression.until}; it no longer applies (reason given: {suppression.reason})",
                    kind="exception",
                )
            )
        elif report_stale and suppression not in used:
            errors.append(ScanError(suppression.file, suppression.line, f"{suppression.describe()} matches no finding; remove it", kind="exception"))
    findings = tuple(_suppressed(f, marked[id(f)]) if id(f) in marked else f for f in report.findings)
    errors.sort(key=lambda e: (e.file or "", e.line or 0, e.message))
    return replace(report, findings=findings, errors=report.errors + tuple(errors))


def _suppressed(finding: Finding, suppression: Suppression) -> Finding:
    return replace(finding, suppressed=True, suppression=suppression.as_json())

