"""Classify: how sensitive each resource's data is, from its tags and its workload's.

Every resource of a workload takes the levels of the whole workload: an
untagged function in the payroll workload handles payroll data. A resource
that holds the whole Terraform state (the backend) takes every level of its
root module. A tag whose value cannot be resolved statically, or that the
vocabulary does not know, is reported as such, never read as "unclassified".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from scanner.model import Classification, Resource, Tag, TraceStep, Unknown
from scanner.policy.vocabulary import Vocabulary, normalize_key, normalize_value

_SEPARATORS = re.compile(r"[,;+|]")
STATE_HOLDERS = {"terraform_backend"}  # resources holding every attribute of their root module


@dataclass
class _Own:
    """What a resource's own tags say."""

    classes: set[str]
    evidence: list[TraceStep]
    unrecognised: list[str]
    unresolved: str | None
    workload: str | None
    first_proof: dict[str, TraceStep] = field(default_factory=dict)  # level -> the tag step that gives it


def _own(resource: Resource, vocabulary: Vocabulary) -> _Own:
    own = _Own(set(), [], [], None, None)
    by_key: dict[str, Tag] = {}
    for tag in resource.tags:
        by_key.setdefault(normalize_key(tag.key), tag)
    for tag in resource.tags:
        if normalize_key(tag.key) not in vocabulary.classification_keys:
            continue
        if isinstance(tag.value, Unknown):
            own.unresolved = f"tag {tag.key} is unknown ({tag.value.reason})"
            continue
        for part in _SEPARATORS.split(tag.value):
            if not part.strip():
                continue
            level = vocabulary.synonyms.get(normalize_value(part))
            if level is None:
                own.unrecognised.append(part.strip())
            else:
                own.classes.add(level)
                step = TraceStep(f"tag {tag.key} ({tag.via}) of {resource.address}", f"{tag.value} → {level}", tag.origin)
                own.evidence.append(step)
                own.first_proof.setdefault(level, step)
    for key in vocabulary.workload_keys:
        workload_tag = by_key.get(key)
        if workload_tag is not None and isinstance(workload_tag.value, str) and workload_tag.value.strip():
            own.workload = workload_tag.value.strip()
            break
    if not own.classes and own.unresolved is None and isinstance(resource.tags_complete, Unknown):
        own.unresolved = f"some tags are unknown ({resource.tags_complete.reason})"
    return own


def classify(resources: list[Resource], vocabulary: Vocabulary, default_level: str | None = None) -> list[Classification]:
    """One classification per resource, in the same order."""
    owns = [_own(r, vocabulary) for r in resources]
    workloads = _workload_levels(owns)
    drafts = [_lift(own, workloads, default_level, vocabulary) for own in owns]
    roots = _root_levels(resources, drafts)
    return [
        _state_holder(resource, draft, roots, vocabulary) if resource.type in STATE_HOLDERS else draft
        for resource, draft in zip(resources, drafts, strict=True)
    ]


@dataclass
class _Group:
    """The levels found in a workload or a root module, and why some may be missing."""

    levels: set[str]
    proof: list[TraceStep]  # one step per level, for a root module's state
    unresolved: str | None = None
    first_proof: dict[str, TraceStep] = field(default_factory=dict)  # level -> the first step giving it


def _workload_levels(owns: list[_Own]) -> dict[str, _Group]:
    found: dict[str, _Group] = {}
    for own in owns:
        if own.workload:
            group = found.setdefault(own.workload, _Group(set(), []))
            group.levels.update(own.classes)
            for level, step in own.first_proof.items():
                group.first_proof.setdefault(level, step)
            if group.unresolved is None and not own.classes and (own.unresolved or own.unrecognised):
                group.unresolved = own.unresolved or f"tag value {own.unrecognised[0]!r} is not in the vocabulary"
    return found


def _lift(own: _Own, workloads: dict, default_level: str | None, vocabulary: Vocabulary) -> Classification:
    classes = set(own.classes)
    evidence = list(own.evidence)
    group = workloads.get(own.workload) if own.workload else None
    if group is not None and group.levels - classes:
        # One proof per lifted level (the tag that first gave it), not every member's tags:
        # a workload of n members would otherwise carry n² steps.
        for level in sorted(group.levels - classes):
            step = group.first_proof[level]
            evidence.append(TraceStep(f"workload '{own.workload}': {step.what}", step.value, step.origin))
        classes |= group.levels
    status, reason = "classified", None
    if not classes:
        if own.unrecognised:
            status = "unrecognised"
        elif own.unresolved:
            status, reason = "unresolved", own.unresolved
        elif group is not None and group.unresolved:
            status, reason = "unresolved", f"the level of workload '{own.workload}' is unknown ({group.unresolved})"
        elif default_level:
            classes = {default_level}
            evidence.append(TraceStep("untagged_level in .sovscan.yml", default_level))
        else:
            status = "unclassified"
    return Classification(
        level=max(classes, key=vocabulary.rank) if classes else None,
        classes=frozenset(classes),
        workload=own.workload,
        status=status,
        evidence=tuple(evidence),
        reason=reason,
        unrecognised=tuple(own.unrecognised),
    )


def _root_levels(resources: list[Resource], drafts: list[Classification]) -> dict[str | None, _Group]:
    """Every level present in each root module, with one proof per level."""
    found: dict[str | None, _Group] = {}
    for resource, draft in zip(resources, drafts, strict=True):
        if resource.type in STATE_HOLDERS:
            continue
        group = found.setdefault(resource.root, _Group(set(), []))
        for level in sorted(draft.classes - group.levels):
            group.levels.add(level)
            group.proof.append(TraceStep(f"the state holds {resource.address}", level, resource.origin))
        if group.unresolved is None and draft.status in ("unresolved", "unrecognised"):
            group.unresolved = f"the level of {resource.address} is unknown"
    return found


def _state_holder(resource: Resource, draft: Classification, roots: dict, vocabulary: Vocabulary) -> Classification:
    group = roots.get(resource.root, _Group(set(), []))
    levels = group.levels
    if levels:
        status, reason = "classified", None
    elif group.unresolved:
        status, reason = "unresolved", f"the state holds a resource of unknown level ({group.unresolved})"
    else:
        status, reason = "unclassified", None
    return replace(
        draft,
        level=max(levels, key=vocabulary.rank) if levels else None,
        classes=frozenset(levels),
        status=status,
        evidence=tuple(group.proof),
        reason=reason,
    )
