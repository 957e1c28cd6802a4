"""attestation — the system must have a recorded decision, such as a DR homologation.

What it checks: ``.sovscan.yml`` records an attestation of ``options.scheme``
for the resource's workload (or an address pattern matching it), valid on
the date of the verdict.

Why: II 901 governs systems processing Diffusion Restreinte information;
hosting them on a commercial cloud needs a specific homologation beyond
SecNumCloud. sovscan cannot see a homologation decision, so the user records
its reference and validity.

Options: ``scheme`` — the attestation scheme (DR-homologation).

Passes: a DR workload whose homologation is recorded until 2029.
Fails: a DR volume with no recorded homologation.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from scanner.evaluate.rules.base import Outcome, applies
from scanner.model import Assessment, Rule, RuleContext
from scanner.support.schema import Field, Obj, Str

OPTIONS = Obj({"scheme": Field(Str(), required=True)}, what="attestation options")


def evaluate(assessment: Assessment, rule: Rule, context: RuleContext) -> Iterator[Outcome]:
    if not applies(rule.levels, assessment):
        return
    scheme = rule.options["scheme"]
    workload = assessment.classification.workload
    address = assessment.resource.address
    matching = [
        a for a in context.attestations
        if a.scheme == scheme
        and ((a.workload and a.workload == workload) or (a.address and fnmatch.fnmatchcase(address, a.address)))
    ]
    valid = [a for a in matching if not a.valid_until or a.valid_until >= context.as_of]
    if valid:
        return
    if matching:
        expired = max(a.valid_until or "" for a in matching)
        yield Outcome(True, f"The {scheme} recorded for this system expired on {expired}.", {"requirement": scheme, "attestations": [a.reference for a in matching]})
        return
    target = f"workload '{workload}'" if workload else "this resource"
    yield Outcome(True, f"No {scheme} is recorded for {target} (attestations in .sovscan.yml).", {"requirement": scheme})
