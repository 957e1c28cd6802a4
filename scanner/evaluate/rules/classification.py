"""unclassified and unrecognised — every data-bearing resource needs a sensitivity sovscan understands.

``unclassified``: the resource has no classification tag and its workload
none either (or its tags could not be resolved), so no rule can judge it.
``unrecognised``: a classification tag has a value outside the vocabulary;
map it in ``.sovscan.yml`` or fix the tag.

Why: the DINUM vade-mecum asks the data administrator to classify data case
by case; a resource that escapes classification escapes every rule.

Passes: ``tags = { data_classification = "internal" }``.
Fails: an S3 bucket with no tags; ``data_classification = "top-ish"``.
"""

from __future__ import annotations

from collections.abc import Iterator

from scanner.evaluate.rules.base import Outcome
from scanner.model import Assessment, Rule, RuleContext
from scanner.support.schema import Obj

OPTIONS = Obj({}, what="classification options")


def evaluate_unclassified(assessment: Assessment, rule: Rule, context: RuleContext) -> Iterator[Outcome]:
    classification = assessment.classification
    if not assessment.resource.holds_data or classification.classes:
        return
    if classification.status == "unresolved":
        yield Outcome(True, f"The sensitivity of this resource cannot be read: {classification.reason}.", {"status": "unresolved"})
    elif classification.status == "unclassified":
        where = f"workload '{classification.workload}'" if classification.workload else "no workload tag"
        yield Outcome(True, f"No data classification tag on this resource ({where}), so no rule can judge where it may live.", {"status": "unclassified"})


def evaluate_unrecognised(assessment: Assessment, rule: Rule, context: RuleContext) -> Iterator[Outcome]:
    classification = assessment.classification
    for value in classification.unrecognised:
        yield Outcome(True, f"Classification value '{value}' is not in the vocabulary, so this data's sensitivity is unknown.", {"value": value})
