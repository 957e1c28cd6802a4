"""Valid Terraform that python-hcl2 8.x rejects is read, with its values and its lines right.

Each case is a construct HCL's specification allows
(https://github.com/hashicorp/hcl/blob/main/hclsyntax/spec.md) that
python-hcl2's grammar refused, found on public repositories or in
python-hcl2's issue tracker; ``scanner/sources/terraform/syntax/grammar.py``
says how each is read.
"""

from __future__ import annotations

import pytest

from scanner.sources.terraform.lang.evaluator import Budget, Evaluator
from scanner.sources.terraform.module.instances import _EMPTY_SCOPE
from scanner.sources.terraform.syntax import ast
from scanner.sources.terraform.syntax.grammar import PATCHES, GrammarPatchError, grammar_path, patched_grammar
from scanner.sources.terraform.syntax.hcl import HclSyntaxError, parse_body


def value_of(text: str, name: str = "a"):
    body = parse_body(text)
    attr = next(a for a in body.attributes if a.name == name)
    assert not isinstance(attr.expr, ast.Invalid), attr.expr
    return Evaluator(Budget(100_000)).eval(attr.expr, _EMPTY_SCOPE)


@pytest.mark.parametrize(
    "text, value",
    [
        # cloud-foundation-fabric modules/gke-nodepool: an attribute access continued on the next line, in parentheses
        ('a = try(\n  {b = {c = "deep"}}\n  .b\n  .c, null)\n', "deep"),
        ('a = (\n  {b = "x"}\n  .b\n)\n', "x"),
        ('a = (\n  ["first", "second"]\n  [1]\n)\n', "second"),
        ('a = (\n  [{id = 1}, {id = 2}]\n  [*].id\n)\n', [1, 2]),
        # newlines are ignored in a for expression, in braces too (python-hcl2 #142, #246 are of the same family)
        ('a = { for k, v in {x = 1, y = 2} :\n  k\n  => v\n  if v > 1\n  && k != ""\n}\n', {"y": 2}),
        ('a = [\n  for v in ["a", "", "b"] : v\n  if v != ""\n  && v != "b"\n]\n', ["a"]),
        # comments inside calls and between arguments
        ('a = concat(\n  ["x"], # first\n  // second\n  /* third */ ["y"]\n)\n', ["x", "y"]),
        # strip markers in interpolations (HCL "Template Interpolations")
        ('a = "records- ${~ "prod" ~} -eu"\n', "records-prod-eu"),
        ('a = <<EOT\nleft  ${~ "x" }  right\nEOT\n', "leftx  right\n"),
        # Unicode names (HCL "Identifiers", UAX #31)
        ('région = "fr"\na = 1\n', 1),
        # a closing heredoc marker followed by blanks still closes it (python-hcl2 #343; terrascan's test data)
        ('a = <<EOF\nbody\nEOF  \nb = 1\n', "body\n"),
        ('a = <<-EOT\n  body\n  EOT\t\nb = 1\n', "body\n"),
    ],
    ids=["get-attr-on-next-line", "paren-get-attr", "index-on-next-line", "splat-on-next-line",
         "for-object-over-lines", "for-tuple-over-lines", "comments-in-call", "interpolation-strip-markers",
         "heredoc-strip-marker", "unicode-name", "heredoc-marker-blanks", "heredoc-trim-marker-blanks"],
)
def test_valid_terraform_is_read_with_its_value(text: str, value):
    assert value_of(text) == value


def test_lines_stay_right_after_newlines_inside_brackets():
    body = parse_body('locals {\n  a = try(\n    var.x\n    .b\n    .c,\n    null\n  )\n  b = 1\n}\n\nresource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n')
    locals_block, resource = body.blocks
    assert [(a.name, a.line) for a in locals_block.body.attributes] == [("a", 2), ("b", 8)]
    assert (resource.line, resource.end_line) == (11, 13)


def test_a_block_comment_between_a_block_type_and_its_labels_is_whitespace():
    body = parse_body('resource /* the bucket */ "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n')
    assert (body.blocks[0].type, body.blocks[0].labels) == ("resource", ("aws_s3_bucket", "b"))


def test_an_attribute_named_for_in_a_block_is_not_a_for_expression():
    """azurerm_monitor_alert_prometheus_rule_group has ``for = "PT5M"`` in a block (python-hcl2 #166)."""
    body = parse_body('resource "x" "y" {\n  rule {\n    for      = "PT5M"\n    severity = 2\n  }\n}\n')
    rule = body.blocks[0].body.blocks[0]
    assert [a.name for a in rule.body.attributes] == ["for", "severity"]


def test_newlines_still_end_attributes_outside_brackets():
    """Only brackets and for expressions ignore newlines: a block body keeps one attribute per line."""
    body = parse_body("locals {\n  a = 1\n  b = {\n    c = 2\n    d = 3\n  }\n}\n")
    assert [a.name for a in body.blocks[0].body.attributes] == ["a", "b"]


def test_provider_functions_with_an_alias_are_read_and_left_unknown():
    """OpenTofu 1.7+: provider::NAME::ALIAS::FUNCTION(); sovscan does not run provider functions."""
    body = parse_body('a = provider::aws::west::arn_parse("arn:aws:s3:::b")\n')
    assert isinstance(body.attributes[0].expr, ast.Call) and body.attributes[0].expr.name == "provider::aws::west::arn_parse"


def test_a_real_mistake_is_still_a_syntax_error():
    with pytest.raises(HclSyntaxError):
        parse_body("a = (\n  1 +\n)\n")


def test_every_patch_finds_its_place_in_the_installed_grammar():
    text = grammar_path().read_text(encoding="utf-8")
    patched = patched_grammar(text)
    for _name, old, new in PATCHES:
        assert old not in patched and new in patched
    with pytest.raises(GrammarPatchError):
        patched_grammar(text.replace(PATCHES[0][1], "NAME : /x/"))
