"""exposure — the operator must not be exposed to non-EU extraterritorial law.

What it checks: the legal entity operating the region (not the brand: OVH
US LLC runs OVHcloud's US regions) is not exposed to the US CLOUD Act,
FISA 702 or the PRC National Intelligence Law. When ``options.satisfied_by``
names a scheme (SecNumCloud), a valid qualification satisfies the rule, since
SecNumCloud §19.6 is the immunity test itself.

Why: SREN art. 31 requires protection against access by third-country
authorities not authorised by EU law; GDPR art. 48 does not recognise a
third-country order outside an international agreement.

Options: ``satisfied_by`` — a scheme whose valid qualification passes the rule.

Passes: a sensitive database on OVHcloud GRA11.
Fails: a sensitive storage account on Azure francecentral.
"""

from __future__ import annotations

from collections.abc import Iterator

from scanner.evaluate.rules.base import Outcome, applies, level_words, places
from scanner.model import Assessment, Rule, RuleContext, Unknown
from scanner.support.schema import Field, Obj, Str

OPTIONS = Obj({"satisfied_by": Field(Str(("SecNumCloud",)))}, what="exposure options")


def evaluate(assessment: Assessment, rule: Rule, context: RuleContext) -> Iterator[Outcome]:
    if not applies(rule.levels, assessment):
        return
    scheme = rule.options.get("satisfied_by")
    level = level_words(assessment, rule.levels)
    seen_operators: set[str] = set()
    for place in places(assessment):
        hosting = place.hosting
        operator_key = str(hosting.operator)
        if not isinstance(hosting.operator, Unknown) and operator_key in seen_operators:
            continue  # one operator, one verdict, however many of its regions hold copies
        seen_operators.add(operator_key)
        if scheme:
            status = hosting.certifications.get(scheme)
            if status is not None and status.holds is True:
                continue
        exposure = hosting.exposure
        operator = hosting.operator if not isinstance(hosting.operator, Unknown) else "its operator"
        laws = ", ".join(hosting.exposure_laws) or "non-EU law"
        evidence = {**place.evidence(), "requirement": "operator immune to non-EU extraterritorial law", "operator": str(operator), "laws": list(hosting.exposure_laws)}
        if isinstance(exposure, Unknown):
            yield Outcome(False, f"who operates {place.describe()} is unknown: {exposure.reason}", evidence)
        elif exposure == "unclear":
            yield Outcome(False, f"whether {operator} is exposed to non-EU law is unclear in the catalog", evidence)
        elif exposure == "exposed":
            yield Outcome(True, f"{level.capitalize()} data on {place.describe()}, run by {operator}, which is exposed to {laws}.", evidence)
