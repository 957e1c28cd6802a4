"""area — the data must stay inside a set of countries (EU, EEA, EEA plus adequacy countries).

What it checks: every country of the region hosting the data, and of every
copy of it, is inside ``options.area``.

Why: SecNumCloud §19.2 b keeps customer data in the EU; HDS v2 keeps health
data in the EEA; GDPR chapter V lets personal data leave the EEA only to an
adequacy country or under a transfer tool.

Options: ``area`` — ``eu``, ``eea`` or ``eea_or_adequacy``.

Passes: a sensitive volume on Outscale cloudgouv-eu-west-1 (France).
Fails: a sensitive bucket in AWS eu-west-2 (London: outside the EU).
"""

from __future__ import annotations

from collections.abc import Iterator

from scanner.evaluate.rules.base import Outcome, applies, level_words, places
from scanner.model import Assessment, Rule, RuleContext, Unknown
from scanner.support.schema import Field, Obj, Str

OPTIONS = Obj({"area": Field(Str(("eu", "eea", "eea_or_adequacy")), required=True)}, what="area options")

_FIELD = {"eu": "in_eu", "eea": "in_eea", "eea_or_adequacy": "adequacy"}
_WORDS = {"eu": "the European Union", "eea": "the European Economic Area", "eea_or_adequacy": "the EEA and the countries with an adequacy decision"}


def evaluate(assessment: Assessment, rule: Rule, context: RuleContext) -> Iterator[Outcome]:
    if not applies(rule.levels, assessment):
        return
    area = rule.options["area"]
    level = level_words(assessment, rule.levels)
    for place in places(assessment):
        inside = getattr(place.hosting, _FIELD[area])
        evidence = {**place.evidence(), "requirement": f"stored in {_WORDS[area]}"}
        if isinstance(inside, Unknown):
            yield Outcome(False, f"whether {place.describe()} is in {_WORDS[area]} is unknown: {inside.reason}", evidence)
        elif inside is False:
            yield Outcome(True, f"{level.capitalize()} data stored in {place.describe()}, outside {_WORDS[area]}.", evidence)
