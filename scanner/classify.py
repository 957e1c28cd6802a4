"""Classify: how sensitive each resource's data is, from its tags and its workload's.

Every resource of a workload takes the levels of the whole workload: an
untagged function in the payroll workload handles payroll data. A tag whose
value cannot be resolved statically, or that the vocabulary does not know,
is reported as such, never read as "unclassified".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scanner.model import Classification, Resource, Tag, TraceStep, Unknown
from scanner.policy.vocabulary import Vocabulary, normalize_key, normalize_value

_SEPARATORS = re.compile(r"[,;+|]")


@dataclass
class _Own:
    classes: set[str]
    evidence: list[TraceStep]
    unrecognised: list[str]
    unresolved: str | None
    workload: str | None


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
                own.evidence.append(TraceStep(f"tag {tag.key} ({tag.via}) of {resource.address}", f"{tag.value} → {level}", tag.origin))
    for key in vocabulary.workload_keys:
        tag = by_key.get(key)
        if tag is not None and isinstance(tag.value, str) and tag.value.strip():
            own.workload = tag.value.strip()
            break
    if not own.classes and own.unresolved is None and isinstance(resource.tags_complete, Unknown):
        own.unresolved = f"some tags are unknown ({resource.tags_complete.reason})"
    return own


def classify(resources: list[Resource], vocabulary: Vocabulary, default_level: str | None = None) -> list[Classification]:
    """One classification per resource, in the same order."""
    owns = [_own(r, vocabulary) for r in resources]
    workload_classes: dict[str, set[str]] = {}
    workload_evidence: dict[str, list[TraceStep]] = {}
    for own in owns:
        if own.workload:
            workload_classes.setdefault(own.workload, set()).update(own.classes)
            workload_evidence.setdefault(own.workload, []).extend(own.evidence)
    results = []
    for resource, own in zip(resources, owns):
        classes = set(own.classes)
        evidence = list(own.evidence)
        if own.workload:
            lifted = workload_classes[own.workload] - classes
            if lifted:
                classes |= lifted
                for step in workload_evidence[own.workload]:
                    if step not in evidence:
                        evidence.append(TraceStep(f"workload '{own.workload}': {step.what}", step.value, step.origin))
        status = "classified"
        reason = None
        if not classes:
            if own.unrecognised:
                status = "unrecognised"
            elif own.unresolved:
                status, reason = "unresolved", own.unresolved
            elif default_level:
                classes = {default_level}
                evidence.append(TraceStep("untagged_level in .sovscan.yml", default_level))
            else:
                status = "unclassified"
        level = max(classes, key=vocabulary.rank) if classes else None
        results.append(
            Classification(
                level=level,
                classes=frozenset(classes),
                workload=own.workload,
                status=status,
                evidence=tuple(evidence),
                reason=reason,
                unrecognised=tuple(own.unrecognised),
            )
        )
    return results
