"""seal — the hosting must reach a minimum SEAL level per objective of the EU Cloud Sovereignty Framework.

What it checks: for every objective listed in ``options.minimum`` (SOV-1
Strategic … SOV-8 Environmental Sustainability), the SEAL level (0-4) of
the provider hosting the data, and of every copy of it, is at least the
minimum. A level the catalog does not hold, or holds only from an
unofficial scoring, is unknown: it is never read as a pass.

Why: the European Commission's Cloud Sovereignty Framework (v1.2.1, 2025)
lets a buyer set a minimum SEAL level per sovereignty objective as a
pass/fail gate (REFERENCE.md §1.8, sources S48, S50, S51). SEAL-0 is "no
sovereignty", SEAL-4 "full digital sovereignty"; the Commission names
SEAL-2, 3 and 4 as the relevant thresholds.

Options: ``minimum`` — a mapping of objective (``SOV-1`` … ``SOV-8``) to the
lowest acceptable SEAL level (0-4); objectives not listed are not checked.
In ``.sovscan.yml``, ``rules: {RULE: {options: {minimum: {SOV-2: 3}}}}``
changes one objective and keeps the pack's other minimums.

Passes: sensitive data on a provider whose recorded tender assessment
reaches every minimum.
Fails: sensitive data on a provider assessed SEAL-1 for SOV-2 (Legal &
Jurisdictional) when the minimum is SEAL-2.
"""

from __future__ import annotations

from collections.abc import Iterator

from scanner.evaluate.rules.base import Outcome, applies, level_words, places
from scanner.model import Assessment, Rule, RuleContext, Unknown
from scanner.policy.catalog import SEAL_OBJECTIVES
from scanner.support.schema import Field, Int, MapOf, Obj, Str

# The eight objectives' names (REFERENCE.md §1.8, S48).
OBJECTIVES = {
    "SOV-1": "Strategic",
    "SOV-2": "Legal & Jurisdictional",
    "SOV-3": "Data & AI",
    "SOV-4": "Operational",
    "SOV-5": "Supply Chain",
    "SOV-6": "Technology",
    "SOV-7": "Security & Compliance",
    "SOV-8": "Environmental Sustainability",
}

OPTIONS = Obj(
    {"minimum": Field(MapOf(Int(0, 4), key=Str(SEAL_OBJECTIVES, expected="an objective, one of: " + ", ".join(SEAL_OBJECTIVES))), required=True)},
    what="seal options",
)


def evaluate(assessment: Assessment, rule: Rule, context: RuleContext) -> Iterator[Outcome]:
    if not applies(rule.levels, assessment):
        return
    minimum = {o: n for o, n in sorted(rule.options["minimum"].items()) if n > 0}
    if not minimum:
        return
    level = level_words(assessment, rule.levels)
    requirement = "EU Cloud Sovereignty Framework minimum: " + ", ".join(f"{o} ≥ SEAL-{n}" for o, n in minimum.items())
    for place in places(assessment):
        hosting = place.hosting
        below: list[str] = []
        unknown: dict[str, list[str]] = {}  # reason -> objectives
        found: dict[str, int | str] = {}
        for objective, required in minimum.items():
            got = hosting.seal.get(objective)
            if got is None:
                got = hosting.cloud if isinstance(hosting.cloud, Unknown) else Unknown(f"the catalog records no SEAL level for {objective}")
            if isinstance(got, Unknown):
                # One reason for many objectives reads once: "SOV-1, SOV-2: no SEAL level in the catalog".
                unknown.setdefault(got.reason.replace(f" for {objective}", ""), []).append(objective)
                found[objective] = "unknown"
                continue
            found[objective] = got
            if got < required:
                below.append(f"{objective} {OBJECTIVES[objective]} is SEAL-{got}, below SEAL-{required}")
        evidence = {**place.evidence(), "requirement": requirement, "seal": found}
        if below:
            yield Outcome(True, f"{level.capitalize()} data on {place.describe()}, below the EU Cloud Sovereignty Framework minimum: {'; '.join(below)}.", evidence)
        if unknown:
            reasons = "; ".join(f"{', '.join(objectives)}: {reason}" for reason, objectives in unknown.items())
            yield Outcome(False, f"the SEAL levels of {place.describe()} cannot be verified ({reasons})", evidence)
