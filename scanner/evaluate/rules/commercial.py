"""commercial — the data must not be hosted on a commercial cloud.

What it checks: the hosting is not a commercial provider; only hosting the
user declares in ``.sovscan.yml`` as non-commercial (a homologated State
data centre) passes.

Why: IGI 1300 requires classified information to sit on a homologated
classified information system; no source allows a commercial cloud, so the
French State pack denies it (an inference, REFERENCE.md §1.7).

Options: none.

Passes: a classified workload on a declared ministry data centre.
Fails: a bucket tagged classification = secret on any public cloud.
"""

from __future__ import annotations

from collections.abc import Iterator

from scanner.evaluate.rules.base import Outcome, applies, level_words, places
from scanner.model import Assessment, Rule, RuleContext, Unknown
from scanner.support.schema import Obj

OPTIONS = Obj({}, what="commercial options")


def evaluate(assessment: Assessment, rule: Rule, context: RuleContext) -> Iterator[Outcome]:
    if not applies(rule.levels, assessment):
        return
    level = level_words(assessment, rule.levels)
    for place in places(assessment):
        commercial = place.hosting.commercial
        evidence = {**place.evidence(), "requirement": "a homologated, non-commercial information system"}
        if isinstance(commercial, Unknown):
            yield Outcome(False, f"whether {place.describe()} is a commercial cloud is unknown: {commercial.reason}", evidence)
        elif commercial:
            yield Outcome(True, f"{level.capitalize()} information hosted on a commercial cloud: {place.describe()}.", evidence)
