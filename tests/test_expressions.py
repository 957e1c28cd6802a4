"""The expression evaluator and built-in functions, as Terraform computes them."""

from __future__ import annotations

import pytest

from scanner.model import Unknown
from scanner.sources.terraform.lang.evaluator import Bindings, Budget, Evaluator
from scanner.sources.terraform.lang.types import convert, parse_type
from scanner.sources.terraform.lang.values import EvalError, PartialMap, TfSet
from scanner.sources.terraform.module.instances import _EMPTY_SCOPE
from scanner.sources.terraform.syntax.hcl import parse_expression

UNKNOWN = Unknown("not known statically")


def ev(text: str, **names):
    scope = Bindings(_EMPTY_SCOPE, names) if names else _EMPTY_SCOPE
    return Evaluator(Budget(1_000_000)).eval(parse_expression(text), scope)


@pytest.mark.parametrize(
    "text, expected",
    [
        ('"eu-${"west"}-3"', "eu-west-3"),
        ("1 + 2 * 3", 7),
        ("7 / 2", 3.5),
        ("10 % 4", 2),
        ('"a" == "a" && 1 < 2', True),
        ("true ? \"x\" : \"y\"", "x"),
        ('[for s in ["a", "b"] : upper(s)]', ["A", "B"]),
        ('{for k, v in {a = 1, b = 2} : v => k}', {"1": "a", "2": "b"}),
        ('{for s in ["x", "y", "x"] : s => s...}', {"x": ["x", "x"], "y": ["y"]}),
        ('[for s in ["a", "", "b"] : s if s != ""]', ["a", "b"]),
        ('[{n = 1}, {n = 2}][*].n', [1, 2]),
        ('{a = {b = ["c"]}}.a.b[0]', "c"),
        ('merge({a = 1, b = 1}, {b = 2})', {"a": 1, "b": 2}),
        ('lookup({eu = "fr-par"}, "us", "nl-ams")', "nl-ams"),
        ('concat(["a"], ["b", "c"])', ["a", "b", "c"]),
        ('coalesce("", null, "x")', "x"),
        ('try(local_missing_name, "fallback")', "fallback"),
        ('can(tonumber("x"))', False),
        ('lower("EUROPE-WEST9")', "europe-west9"),
        ('format("%s-%02d", "node", 7)', "node-07"),
        ('join(",", ["a", "b"])', "a,b"),
        ('split("-", "eu-west-3")', ["eu", "west", "3"]),
        ('replace("eu_west_3", "_", "-")', "eu-west-3"),
        ('replace("eu-west-3a", "/[a-z]$/", "")', "eu-west-3"),
        ('element(["a", "b"], 3)', "b"),
        ('keys({b = 1, a = 2})', ["a", "b"]),
        ('values({b = 1, a = 2})', [2, 1]),
        ('tomap({a = "x"})', {"a": "x"}),
        ('toset(["b", "a", "b"])', ["a", "b"]),
        ('contains(["a"], "a")', True),
        ('length("abc")', 3),
        ('substr("cloudgouv-eu-west-1", 0, 9)', "cloudgouv"),
        ('trimprefix("s3ns:project", "s3ns:")', "project"),
        ('trimsuffix("eu-west-3a", "a")', "eu-west-3"),
        ('jsondecode(jsonencode({r = "fr-par"})).r', "fr-par"),
        ('yamldecode("region: nl-ams").region', "nl-ams"),
        ('regex("^([a-z]+)-", "fr-par")', ["fr"]),
        ('flatten([["a"], ["b", ["c"]]])', ["a", "b", "c"]),
        ('zipmap(["a"], ["x"])', {"a": "x"}),
        ('range(3)', [0, 1, 2]),
        ('"%{ if true }on%{ else }off%{ endif }"', "on"),
        ('"%{ for r in ["a", "b"] }${r};%{ endfor }"', "a;b;"),
        ('one(["only"])', "only"),
        ('startswith("eu-west-3", "eu-")', True),
        ('cidrsubnet("10.0.0.0/16", 8, 2)', "10.0.2.0/24"),
    ],
)
def test_expression_values(text, expected):
    assert ev(text) == expected


def test_unknown_propagates_and_never_becomes_a_value():
    assert isinstance(ev('"${x}-a"', x=UNKNOWN), Unknown)
    assert isinstance(ev("upper(x)", x=UNKNOWN), Unknown)
    assert isinstance(ev("x == \"eu\"", x=UNKNOWN), Unknown)
    assert isinstance(ev('x ? "a" : "b"', x=UNKNOWN), Unknown)
    assert isinstance(ev("[for s in x : s]", x=UNKNOWN), Unknown)
    assert isinstance(ev("lookup(x, \"a\", \"d\")", x=PartialMap({}, "unknown map")), Unknown)


def test_a_condition_that_does_not_matter_gives_the_common_value():
    assert ev('x ? "eu-west-3" : "eu-west-3"', x=UNKNOWN) == "eu-west-3"


def test_known_keys_survive_a_merge_with_an_unknown_map():
    merged = ev('merge(x, {data_classification = "sensitive"})', x=UNKNOWN)
    assert isinstance(merged, PartialMap)
    assert merged["data_classification"] == "sensitive"
    overridden = ev('merge({data_classification = "sensitive"}, x)', x=UNKNOWN)
    assert isinstance(overridden["data_classification"], Unknown)


def test_short_circuit_with_unknown():
    assert ev("false && x", x=UNKNOWN) is False
    assert ev("true || x", x=UNKNOWN) is True
    assert isinstance(ev("true && x", x=UNKNOWN), Unknown)


@pytest.mark.parametrize(
    "text, message",
    [
        ('{a = 1}.b', "object has no attribute 'b'"),
        ('["a"][3]', "index 3 out of range"),
        ('tonumber("x")', "is not a number"),
        ('{for s in ["a", "a"] : s => s}', "duplicate key 'a'"),
        ("1 / 0", "division by zero"),
        ('lookup({}, "a")', "no key 'a'"),
    ],
)
def test_what_terraform_rejects_is_an_error(text, message):
    with pytest.raises(EvalError, match=message):
        ev(text)


def test_functions_that_need_apply_time_are_unknown():
    for text in ("timestamp()", "uuid()", 'provider::aws::arn_parse("x")', "no_such_function(1)"):
        assert isinstance(ev(text), Unknown), text


def test_expansion_is_cut_by_the_size_limit():
    with pytest.raises(EvalError, match="too large"):
        ev("range(1000000)")


@pytest.mark.parametrize(
    "type_text, value, expected",
    [
        ("number", "3", 3),
        ("bool", "true", True),
        ("string", 3, "3"),
        ("list(string)", [1, 2], ["1", "2"]),
        ("set(string)", ["b", "a", "b"], ["a", "b"]),
        ("map(number)", {"a": "1"}, {"a": 1}),
        ('object({ region = optional(string, "fr-par"), size = number })', {"size": "2"}, {"region": "fr-par", "size": 2}),
    ],
)
def test_type_conversions(type_text, value, expected):
    spec = parse_type(parse_expression(type_text), lambda e: Evaluator(Budget(1000)).eval(e, _EMPTY_SCOPE))
    converted = convert(value, spec)
    assert converted == expected
    if type_text.startswith("set"):
        assert isinstance(converted, TfSet)


def test_a_missing_required_object_attribute_is_an_error():
    spec = parse_type(parse_expression("object({ region = string })"))
    with pytest.raises(EvalError, match="lacks the required attribute 'region'"):
        convert({}, spec)
