"""The registry of rule kinds: one plain dict, no registration on import.

Each kind is a module with ``OPTIONS`` (the schema of its options) and an
``evaluate(assessment, rule, context)`` generator of outcomes. ``unverified``
rules have no function: the engine gathers into them the requirements that
could not be checked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any, Protocol

from scanner.evaluate.rules import area, attestation, classification, commercial, exposure, qualification, seal
from scanner.support.schema import Obj


class RuleKind(Protocol):
    """What the engine and the pack loader need of a rule kind (a module, or a namespace for the shared ones)."""

    @property
    def OPTIONS(self) -> Obj: ...  # the module constant of each kind

    @property
    def evaluate(self) -> Callable[..., Iterator[Any]] | None: ...


KINDS: dict[str, RuleKind] = {
    "qualification": qualification,
    "area": area,
    "exposure": exposure,
    "attestation": attestation,
    "commercial": commercial,
    "seal": seal,
    "unclassified": SimpleNamespace(OPTIONS=classification.OPTIONS, evaluate=classification.evaluate_unclassified, __doc__=classification.__doc__),
    "unrecognised": SimpleNamespace(OPTIONS=classification.OPTIONS, evaluate=classification.evaluate_unrecognised, __doc__=classification.__doc__),
    "unverified": SimpleNamespace(OPTIONS=Obj({}, what="unverified options"), evaluate=None, __doc__="Gathers the requirements that could not be checked."),
}

# What the policy layer checks a pack's options against (it may not import this stage).
RULE_OPTIONS = {name: kind.OPTIONS for name, kind in KINDS.items()}
