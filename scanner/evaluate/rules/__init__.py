"""The registry of rule kinds: one plain dict, no registration on import.

Each kind is a module with ``OPTIONS`` (the schema of its options) and an
``evaluate(assessment, rule, context)`` generator of outcomes. ``unverified``
rules have no function: the engine gathers into them the requirements that
could not be checked.
"""

from __future__ import annotations

from types import SimpleNamespace

from scanner.evaluate.rules import area, attestation, classification, commercial, exposure, qualification, seal
from scanner.support.schema import Obj

KINDS = {
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
