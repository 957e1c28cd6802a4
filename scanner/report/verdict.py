"""The verdict of a report, in one word: what an auditor files.

Four values, tried in this order (``VERDICTS``):

- ``non-compliant``: at least one active finding (not suppressed, not
  accepted by the baseline) of a requirement rule: a resource whose hosting
  is known to break a requirement of its level (no SecNumCloud, outside the
  EU, exposed to foreign law, no homologation…), whatever its severity.
- ``not-assessable``: no requirement is known to be broken, and no
  data-holding resource has a sensitivity level (there is none, or every one
  is unclassified, of an unresolved level or of a value outside the
  vocabulary): nothing could be judged, so nothing can be said.
- ``reservations``: no requirement is known to be broken, but compliance
  cannot be shown either: an active finding that says so remains (a hosting
  that could not be verified, a resource without a level or with an
  unrecognised one, a declared resource deployed elsewhere or a sensitive
  one declared nowhere), or some input could not be read (``errors``).
- ``compliant``: data-holding resources have a level, there is no active
  finding and no input problem.

Findings of severity ``info`` never change the verdict; suppressed findings
(each with its justification) and baseline-accepted ones do not count. The
verdict does not depend on ``--fail-on`` or on any output filter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scanner.model import Report, Severity

NON_COMPLIANT = "non-compliant"
NOT_ASSESSABLE = "not-assessable"
RESERVATIONS = "reservations"
COMPLIANT = "compliant"
VERDICTS = (NON_COMPLIANT, NOT_ASSESSABLE, RESERVATIONS, COMPLIANT)

# Rule kinds whose findings say "cannot be shown", not "is broken" (scanner/evaluate/rules/__init__.py, evaluate/drift.py).
# A finding of any other kind, or of a rule the report does not describe, is a broken requirement.
RESERVATION_KINDS = frozenset({"unverified", "unclassified", "unrecognised", "inventory-comparison"})


def data_resources(report: Report) -> tuple[int, int]:
    """(data-holding resources, those of them without a sensitivity level)."""
    holding = [a for a in report.assessments if a.resource.holds_data]
    return len(holding), sum(1 for a in holding if a.classification.level is None)


def verdict(report: Report) -> str:
    counted = [f for f in report.findings if not f.suppressed and f.severity > Severity.INFO]
    holding, without_level = data_resources(report)
    return decide([getattr(report.rules.get(f.rule), "kind", None) for f in counted], holding, without_level, len(report.errors))


def document_counts(document: Mapping[str, Any]) -> tuple[int, int]:
    """``data_resources`` of a saved JSON report (``sovscan merge``)."""
    holding = [r for r in document.get("resources", []) if r.get("holds_data", True)]
    return len(holding), sum(1 for r in holding if not r.get("sensitivity"))


def document_verdict(document: Mapping[str, Any]) -> str:
    """The verdict of a saved JSON report, from its entries (``sovscan merge`` recomputes it)."""
    kinds = {r.get("id"): r.get("kind") for r in document.get("rules", []) if isinstance(r, dict)}
    counted = [f for f in document.get("findings", []) if not f.get("suppressed") and f.get("severity") != "info"]
    holding, without_level = document_counts(document)
    return decide([kinds.get(f.get("rule")) for f in counted], holding, without_level, len(document.get("errors", [])))


def decide(kinds: Iterable[str | None], holding: int, without_level: int, errors: int) -> str:
    """The verdict from the rule kind of each counted finding, the data-holding resources and the input problems."""
    kinds = list(kinds)
    if any(kind not in RESERVATION_KINDS for kind in kinds):
        return NON_COMPLIANT
    if holding == without_level:
        return NOT_ASSESSABLE
    if kinds or errors:
        return RESERVATIONS
    return COMPLIANT
