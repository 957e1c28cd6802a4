"""Properties that must hold for every input, checked by hypothesis on generated ones.

The expression path: any expression tree, rendered to HCL text, parsed by
``parse_expression`` and run by the real evaluator, gives a value, an
``Unknown`` or one of the two documented errors (``EvalError``,
``HclSyntaxError``), and an ``Unknown`` operand of a strict operation never
turns into a concrete value.

The classifier: any set of tags is classified without an exception, and a
classification tag whose value is unknown never reads as "unclassified".

Numbers stay small (|n| <= 50) so no example wanders into the cost of huge
arithmetic; test_cost covers that.

The suite runs a fixed, derandomised budget; to explore with fresh random
examples, set ``SOVSCAN_HYPOTHESIS_EXAMPLES`` (e.g. 20000).
"""

from __future__ import annotations

import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.classify import classify
from scanner.model import Origin, Resource, Tag, Unknown
from scanner.policy.vocabulary import load_vocabulary, normalize_key
from scanner.sources.terraform.lang.evaluator import Bindings, Budget, Evaluator
from scanner.sources.terraform.lang.functions import FUNCTIONS
from scanner.sources.terraform.lang.values import EvalError, contains_unknown
from scanner.sources.terraform.module.instances import _EMPTY_SCOPE
from scanner.sources.terraform.syntax.hcl import HclSyntaxError, parse_expression

UNKNOWN = Unknown("the test's unknown operand")
EXPLORE = os.environ.get("SOVSCAN_HYPOTHESIS_EXAMPLES")
PROPERTY = settings(
    max_examples=int(EXPLORE) if EXPLORE else 300,
    derandomize=not EXPLORE,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


# --------------------------------------------------------------------------- expressions as text

def _string_literal(text: str) -> str:
    """An HCL quoted string holding ``text`` (template sequences escaped)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return '"' + escaped.replace("${", "$${").replace("%{", "%%{") + '"'


numbers = st.one_of(st.integers(-50, 50), st.floats(-50, 50, allow_nan=False).map(lambda f: round(f, 3)))
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
names = st.sampled_from(["u", "var.x", "local.y", "each.key", "count.index", "path.module", "terraform.workspace", "self", "data.a.b.c", "module.m.out", "aws_s3_bucket.b.id", "nope"])

LEAVES = st.one_of(
    numbers.map(lambda n: repr(n) if n >= 0 else f"({n!r})"),
    texts.map(_string_literal),
    st.sampled_from(["true", "false", "null", "[]", "{}"]),
    names,
)


def _composite(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    operator = st.sampled_from(["+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||"])
    function = st.sampled_from(sorted(FUNCTIONS) + ["file", "templatefile", "fileset", "try", "can", "no_such_function", "provider::aws::arn_parse"])
    key = st.one_of(st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True), texts.map(_string_literal), inner.map(lambda e: f"({e})"))
    return st.one_of(
        st.tuples(inner, operator, inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(["!", "-"]), inner).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} ? {t[1]} : {t[2]})"),
        st.lists(inner, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(st.tuples(key, inner), max_size=3).map(lambda items: "{" + ", ".join(f"{k} = {v}" for k, v in items) + "}"),
        st.tuples(function, st.lists(inner, max_size=3), st.booleans()).map(lambda t: f"{t[0]}({', '.join(t[1])}{'...' if t[2] and t[1] else ''})"),
        st.tuples(inner, inner).map(lambda t: f"({t[0]})[{t[1]}]"),
        st.tuples(inner, st.sampled_from(["a", "id", "key", "value", "0"])).map(lambda t: f"({t[0]}).{t[1]}"),
        st.tuples(inner, st.sampled_from(["a", "id"])).map(lambda t: f"({t[0]})[*].{t[1]}"),
        st.tuples(inner, inner, inner).map(lambda t: f"[for k, v in {t[0]} : {t[1]} if {t[2]}]"),
        st.tuples(inner, inner, inner, st.booleans()).map(lambda t: f"{{for k, v in {t[0]} : {t[1]} => {t[2]}{'...' if t[3] else ''}}}"),
        st.tuples(texts, inner, texts).map(lambda t: _string_literal(t[0])[:-1] + "${" + t[1] + "}" + _string_literal(t[2])[1:]),
        st.tuples(inner, inner, inner).map(lambda t: f'"%{{ if {t[0]} }}${{{t[1]}}}%{{ else }}${{{t[2]}}}%{{ endif }}"'),
        st.tuples(inner, inner).map(lambda t: f'"%{{ for x in {t[0]} ~}}${{{t[1]}}},%{{ endfor }}"'),
        st.tuples(inner).map(lambda t: f"<<EOT\n${{{t[0]}}}\nEOT\n"),
    )


EXPRESSIONS = st.recursive(LEAVES, _composite, max_leaves=12)


def _evaluate(text: str):
    expression = parse_expression(text)
    scope = Bindings(_EMPTY_SCOPE, {"u": UNKNOWN})
    return Evaluator(Budget(200_000)).eval(expression, scope)


@PROPERTY
@given(EXPRESSIONS)
def test_any_expression_gives_a_value_an_unknown_or_a_documented_error(text: str):
    try:
        value = _evaluate(text)
    except (EvalError, HclSyntaxError):
        return
    json.dumps(_plain(value))  # whatever comes back can be rendered


def _plain(value):
    if isinstance(value, Unknown):
        return "unknown"
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "materialize"):
        return _plain(value.materialize())
    return value


# --------------------------------------------------------------------------- unknown stays unknown

KNOWN = st.one_of(st.integers(1, 9).map(str), st.sampled_from(['"a"', '"7"', "true", "[1, 2]", '{a = 1}']))

# Operations whose result depends on their operand: an unknown operand leaves the result unknown.
STRICT = [
    "({e}) + {k}", "{k} - ({e})", "({e}) * {k}", "({e}) / {k}", "({e}) % {k}", "-({e})", "!({e})",
    "({e}) == {k}", "{k} != ({e})", "({e}) < {k}", "({e}) >= {k}",
    '"x${{{e}}}y"', '"%{{ if {e} }}a%{{ else }}b%{{ endif }}"', '"%{{ for v in {e} }}${{v}}%{{ endfor }}"',
    "upper({e})", "lower({e})", "tostring({e})", "tonumber({e})", "length({e})", "abs({e})",
    "({e})[0]", "({e}).a", "({e})[*].a", "[for v in {e} : v]", "{{for k, v in {e} : k => v}}",
    "({e}) ? 1 : 2", "jsonencode({e})", 'format("%s", {e})', 'join(",", {e})', "concat({e}, [1])",
    "keys({e})", "values({e})", "toset({e})", "tolist({e})", "flatten({e})", 'split(",", {e})',
    "coalesce({e}, {k})", "contains([1], {e})", 'replace({e}, "a", "b")', "min({e}, {k})",
]


@st.composite
def depends_on_unknown(draw) -> str:
    text = "u"
    for _ in range(draw(st.integers(1, 4))):
        text = draw(st.sampled_from(STRICT)).format(e=text, k=draw(KNOWN))
    return text


@PROPERTY
@given(depends_on_unknown())
def test_an_unknown_operand_never_becomes_a_concrete_value(text: str):
    try:
        value = _evaluate(text)
    except EvalError:
        return  # an error is not a value: nothing was passed off as known
    assert contains_unknown(value) is not None, f"{text} gave {value!r}"


# --------------------------------------------------------------------------- the classifier

VOCABULARY = load_vocabulary()
CLASSIFICATION_KEYS = ["data_classification", "DataClassification", "classification", "Sensitivity", "confidentiality", "data-classification"]
WORKLOAD_KEYS = ["workload", "Application", "app", "project", "service"]
KNOWN_VALUES = sorted(VOCABULARY.synonyms)[:40] + ["sensitive", "Santé", "PII, health", "dr;secret", "", "  "]

tag_keys = st.one_of(st.sampled_from(CLASSIFICATION_KEYS + WORKLOAD_KEYS), st.text(max_size=12))
tag_values = st.one_of(st.sampled_from(KNOWN_VALUES), st.text(max_size=12), st.just(UNKNOWN))


@st.composite
def resources(draw) -> list[Resource]:
    out = []
    for index in range(draw(st.integers(1, 5))):
        tags = tuple(Tag(k, v, Origin("main.tf", 1)) for k, v in draw(st.lists(st.tuples(tag_keys, tag_values), max_size=5)))
        out.append(
            Resource(
                address=f"aws_s3_bucket.r{index}",
                type=draw(st.sampled_from(["aws_s3_bucket", "aws_db_instance", "terraform_backend"])),
                provider="aws",
                region="eu-west-3",
                origin=Origin("main.tf", index + 1),
                tags=tags,
                tags_complete=draw(st.sampled_from([True, UNKNOWN])),
                root=".",
            )
        )
    return out


def _has_unknown_classification(resource: Resource) -> bool:
    unknown_tag = any(isinstance(t.value, Unknown) and normalize_key(t.key) in VOCABULARY.classification_keys for t in resource.tags)
    return unknown_tag or isinstance(resource.tags_complete, Unknown)


@PROPERTY
@given(resources(), st.sampled_from([None, "internal", "public"]))
def test_the_classifier_never_raises_and_an_unknown_tag_is_never_unclassified(found: list[Resource], untagged_level):
    results = classify(found, VOCABULARY, untagged_level)
    assert len(results) == len(found)
    data = [(r, c) for r, c in zip(found, results, strict=True) if r.type != "terraform_backend"]
    unknown_workloads = {c.workload for r, c in data if c.workload and _has_unknown_classification(r)}
    any_unknown = any(_has_unknown_classification(r) for r, _ in data)
    for resource, result in zip(found, results, strict=True):
        if resource.type == "terraform_backend":
            depends_on_unknown = any_unknown  # the state holds every resource of its root
        else:
            depends_on_unknown = _has_unknown_classification(resource) or result.workload in unknown_workloads
        if depends_on_unknown:
            assert result.status != "unclassified", (resource, result)
            if not result.classes or _has_unknown_classification(resource):
                assert not any(step.what.startswith("untagged_level") for step in result.evidence), "an unknown level took the default one"


def _resource(address: str, type_: str, *tags: tuple[str, object]) -> Resource:
    origin = Origin("main.tf", 1)
    return Resource(address, type_, "aws", "eu-west-3", origin, tags=tuple(Tag(k, v, origin) for k, v in tags), root=".")


def test_a_member_of_a_workload_whose_level_is_unknown_is_unresolved():
    tagged = _resource("aws_s3_bucket.a", "aws_s3_bucket", ("data_classification", UNKNOWN), ("workload", "payroll"))
    member = _resource("aws_lambda_function.b", "aws_lambda_function", ("workload", "payroll"))
    assert [c.status for c in classify([tagged, member], VOCABULARY)] == ["unresolved", "unresolved"]


def test_the_state_of_a_root_holding_a_resource_of_unknown_level_is_unresolved():
    tagged = _resource("aws_s3_bucket.a", "aws_s3_bucket", ("data_classification", UNKNOWN))
    backend = _resource("terraform_backend.s3", "terraform_backend")
    assert classify([tagged, backend], VOCABULARY)[1].status == "unresolved"
