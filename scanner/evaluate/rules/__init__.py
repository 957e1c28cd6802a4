"""The registry of rule kinds: one plain dict, no registration on import.

Each kind is a module with ``OPTIONS`` (the schema of its options) and an
``evaluate(assessment, rule, context)`` generator of outcomes. ``unverified``
rules have no function: the engine gathers into them the requirements that
could not be checked.
"""

from __future__ import annotations

from types import SimpleNamespace

from scanner.support.schema import Obj
from scanner.evaluate.rules import area
from scanner.evaluate.rules import attestation
from scanner.evaluate.rules import classification
from scanner.evaluate.rules import commercial
from scanner.evaluate.rules import exposure
from scanner.evaluate.rules import qualification
from scanner.evaluate.rules import seal

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
