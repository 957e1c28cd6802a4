"""qualification — the data's hosting must hold a valid qualification or certification.

What it checks: the offer and region hosting the data (and every copy of it)
hold the scheme named in ``options.scheme`` (SecNumCloud, HDS), confirmed in
the catalog, covering that region and not past its validity date.

Why: rule R9 and SREN art. 31 require SecNumCloud for data of particular
sensitivity on a commercial cloud; CSP L.1111-8 requires an HDS host for
health data. A qualification is granted to an offer, for named regions,
for three years.

Options: ``scheme`` — the scheme required. ``commercial_only`` — when true,
a hosting the user declares non-commercial (an internal State cloud, in
.sovscan.yml) is not judged: R9 and SREN art. 31 bind the use of commercial
cloud services, and internal State clouds are allowed.

Passes: a sensitive bucket on S3NS PREMI3NS in u-france-east1.
Fails: a sensitive bucket on AWS eu-west-3 (no SecNumCloud qualification).
"""

from __future__ import annotations

from collections.abc import Iterator

from scanner.evaluate.rules.base import Outcome, applies, level_words, places
from scanner.model import Assessment, Rule, RuleContext, Unknown
from scanner.support.schema import Bool, Field, Obj, Str

OPTIONS = Obj(
    {"scheme": Field(Str(("SecNumCloud", "HDS", "C5", "EUCS")), required=True), "commercial_only": Field(Bool(), default=False)},
    what="qualification options",
)


def evaluate(assessment: Assessment, rule: Rule, context: RuleContext) -> Iterator[Outcome]:
    if not applies(rule.levels, assessment):
        return
    scheme = rule.options["scheme"]
    level = level_words(assessment, rule.levels)
    for place in places(assessment):
        if rule.options.get("commercial_only") and place.hosting.commercial is False:
            continue
        status = place.hosting.certifications.get(scheme)
        if status is not None:
            holds, why = status.holds, status.why
        else:
            holds = Unknown(f"the catalog cannot tell whether {scheme} applies")
            why = holds.reason
        evidence = {**place.evidence(), "requirement": f"{scheme} qualification of the offer in this region", "catalog": why}
        if isinstance(holds, Unknown):
            yield Outcome(False, f"{scheme} of {place.describe()} cannot be verified: {holds.reason}", evidence)
        elif holds is False:
            yield Outcome(True, f"{level.capitalize()} data on {place.describe()}, which has no valid {scheme}: {why}.", evidence)
