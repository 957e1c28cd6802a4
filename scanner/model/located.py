"""Each finding with its resource, the place to point at and its stable identity: what CI formats share.

- The place: a resource inside a downloaded remote module lives under
  ``.terraform/modules``, which is not in the repository; CI platforms
  cannot show it, so the finding points at the outermost remote module call
  (``Resource.module_call``) and names the file inside the module apart.
- The identity: rule, address and root module folder (never the line, which
  moves with every edit) so that code scanning, GitLab and baselines match a
  finding across runs while identical addresses in two root modules stay
  distinct.
- Paths: relative to the repository root when the CLI passes ``paths`` (a
  mapping from the paths the report shows), else as shown.

Pure functions of the report: no disk, no clock.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from scanner.model import Assessment, Finding, Report, Resource
from scanner.model.evidence import hosting_evidence, sensitivity_evidence


@dataclass(frozen=True)
class Located:
    finding: Finding
    resource: Resource | None
    file: str | None  # where to point, relative to the repository root when known
    line: int | None
    root: str  # the root module folder, relative to the repository root; "" when there is none
    fingerprint: str  # stable across runs: rule, address, root module (and an occurrence number)
    declared_at: str | None = None  # "file:line" inside a remote module, when ``file`` is the module call


def repo_path(shown: str | None, paths: Mapping[str, str] | None) -> str | None:
    if shown is None:
        return None
    return (paths or {}).get(shown, shown)


def root_folder(resource: Resource | None) -> str | None:
    """The shown path of the root module folder: where the outermost module call, or the resource, is declared."""
    if resource is None:
        return None
    first = resource.module_calls[0] if resource.module_calls else resource.origin
    if first.file is None:
        return resource.root
    return posixpath.dirname(first.file) or "."


def shown_paths(report: Report, resources: tuple[Resource | None, ...] | None = None) -> set[str]:
    """Every path a CI reporter may print: finding, module call, suppression and error files, and root folders.

    ``resources``: ``resources_of(report)`` when the caller has it already.
    """
    found: set[str] = set()
    for resource in resources if resources is not None else resources_of(report):
        if resource is None:
            continue
        for origin in (resource.origin, resource.module_call):
            if origin is not None and origin.file:
                found.add(origin.file)
        folder = root_folder(resource)
        if folder:
            found.add(folder)
    found.update(f.origin.file for f in report.findings if f.origin.file)
    found.update(f.suppression["file"] for f in report.findings if f.suppression and f.suppression.get("file"))
    found.update(e.file for e in report.errors if e.file)
    found.update(report.inputs)
    return found


def identity(rule: str, address: str, root: str) -> str:
    return hashlib.sha256(f"{rule}\0{address}\0{root}".encode()).hexdigest()


def resources_of(report: Report) -> tuple[Resource | None, ...]:
    """The resource of each finding of ``report.findings``, in the same order.

    A finding names its address and origin. Two root modules calling one
    module give two resources with the same address and origin; they differ
    by root (and then, most often, by hosting or sensitivity, which the
    finding's evidence records). Resources that even that cannot tell apart
    are taken in report order, which the pipeline's stable sorts keep.
    """
    by_place: dict[tuple, list[Assessment]] = defaultdict(list)
    for assessment in report.assessments:
        r = assessment.resource
        by_place[(r.address, r.origin.file, r.origin.line)].append(assessment)
    seen: dict[tuple, int] = defaultdict(int)
    found: list[Resource | None] = []
    for finding in report.findings:
        candidates = by_place.get((finding.address, finding.origin.file, finding.origin.line), [])
        root = getattr(finding, "root", None)  # exact when the model carries it
        if root is not None:
            candidates = [a for a in candidates if a.resource.root == root] or candidates
        if len(candidates) > 1:
            same = [a for a in candidates if _evidence_matches(finding, a)]
            candidates = same or candidates
        if not candidates:
            found.append(None)
            continue
        key = (finding.rule, finding.address, finding.origin.file, finding.origin.line, id(candidates[0]))
        index = seen[key]
        seen[key] += 1
        found.append(candidates[min(index, len(candidates) - 1)].resource)
    return tuple(found)


def _evidence_matches(finding: Finding, assessment: Assessment) -> bool:
    evidence = finding.evidence or {}
    return evidence.get("hosting") == hosting_evidence(assessment.hosting) and evidence.get("sensitivity") == sensitivity_evidence(assessment)


def locate(report: Report, paths: Mapping[str, str] | None = None, resources: tuple[Resource | None, ...] | None = None) -> list[Located]:
    """Every finding, located, in the order (file, line, rule, address).

    ``resources``: ``resources_of(report)`` when the caller has it already
    (marking findings suppressed keeps them in order, so it still applies).
    """
    items: list[Located] = []
    occurrences: dict[str, int] = defaultdict(int)
    for finding, resource in zip(report.findings, resources if resources is not None else resources_of(report), strict=True):
        origin = finding.origin
        declared_at = None
        if resource is not None and resource.module_call is not None and resource.module_call.file:
            declared_at = f"{repo_path(origin.file, paths)}:{origin.line}" if origin.file else None
            origin = resource.module_call
        root = repo_path(root_folder(resource), paths) or ""
        base = identity(finding.rule, finding.address, root)
        occurrences[base] += 1
        # the same rule can fail twice for one resource (its primary and a replica): keep fingerprints unique
        fingerprint = base if occurrences[base] == 1 else identity(finding.rule, f"{finding.address}#{occurrences[base]}", root)
        items.append(Located(finding, resource, repo_path(origin.file, paths), origin.line, root, fingerprint, declared_at))
    return sorted(items, key=lambda x: (x.file or "", x.line or 0, x.finding.rule, x.finding.address, x.root))
