"""Terraform's JSON syntax (``*.tf.json``) read into the same tree as HCL files.

The standard ``json`` module loses line numbers, which findings need, so
this is a small position-keeping reader (strings are decoded by
``json.decoder.scanstring``). Terraform reads JSON strings as templates
(``"${var.region}"``) and cannot tell a nested block from an object
attribute without the provider schema, so an object value is offered both
ways: as an attribute and as a block.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from scanner.sources.terraform.syntax import ast
from scanner.sources.terraform.syntax.hcl import HclSyntaxError, parse_expression, parse_template

MAX_DEPTH = 200
_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_LITERALS = {"true": True, "false": False, "null": None}
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class JValue:
    value: Any  # str, int, float, bool, None, list[JValue] or list[tuple[str, JValue]]
    kind: str  # "object", "array" or "scalar"
    line: int


class _Reader:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.line = 1

    def skip_ws(self) -> None:
        m = _WS.match(self.text, self.pos)
        end = m.end() if m else self.pos  # the pattern matches the empty string: never None
        self.line += self.text.count("\n", self.pos, end)
        self.pos = end

    def fail(self, message: str) -> HclSyntaxError:
        column = self.pos - self.text.rfind("\n", 0, self.pos)
        return HclSyntaxError(f"JSON syntax error: {message}", self.line, column)

    def value(self, depth: int) -> JValue:
        if depth > MAX_DEPTH:
            raise self.fail("nested too deeply")
        self.skip_ws()
        if self.pos >= len(self.text):
            raise self.fail("unexpected end of file")
        char = self.text[self.pos]
        line = self.line
        if char == "{":
            return JValue(self.object(depth), "object", line)
        if char == "[":
            return JValue(self.array(depth), "array", line)
        if char == '"':
            return JValue(self.string(), "scalar", line)
        for word, literal in _LITERALS.items():
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return JValue(literal, "scalar", line)
        m = _NUMBER.match(self.text, self.pos)
        if m:
            self.pos = m.end()
            text = m.group(0)
            return JValue(float(text) if any(c in text for c in ".eE") else int(text), "scalar", line)
        raise self.fail(f"unexpected character {char!r}")

    def string(self) -> str:
        try:
            text, end = json.decoder.scanstring(self.text, self.pos + 1)  # type: ignore[attr-defined]  # CPython has it; typeshed does not list it
        except json.JSONDecodeError as exc:
            raise self.fail(exc.msg) from None
        self.line += self.text.count("\n", self.pos, end)
        self.pos = end
        # A lone surrogate (\ud800) is not a character: Terraform's Go decoder
        # writes U+FFFD, and Python could not encode it in a report.
        return _LONE_SURROGATE.sub("\ufffd", text)

    def expect(self, char: str) -> None:
        self.skip_ws()
        if not self.text.startswith(char, self.pos):
            found = self.text[self.pos:self.pos + 1] or "end of file"
            raise self.fail(f"expected {char!r} but found {found!r}")
        self.pos += 1

    def object(self, depth: int) -> list[tuple[str, JValue]]:
        self.pos += 1
        items: list[tuple[str, JValue]] = []
        self.skip_ws()
        if self.text.startswith("}", self.pos):
            self.pos += 1
            return items
        while True:
            self.skip_ws()
            if not self.text.startswith('"', self.pos):
                raise self.fail("expected a quoted key")
            key = self.string()
            self.expect(":")
            items.append((key, self.value(depth + 1)))
            self.skip_ws()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                continue
            self.expect("}")
            return items

    def array(self, depth: int) -> list[JValue]:
        self.pos += 1
        items: list[JValue] = []
        self.skip_ws()
        if self.text.startswith("]", self.pos):
            self.pos += 1
            return items
        while True:
            items.append(self.value(depth + 1))
            self.skip_ws()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                continue
            self.expect("]")
            return items


def read_json(text: str) -> JValue:
    if not text.strip():
        raise HclSyntaxError("a .tf.json file must hold a JSON object; this one is empty", 1, 1)
    reader = _Reader(text)
    value = reader.value(0)
    reader.skip_ws()
    if reader.pos != len(text):
        raise reader.fail("unexpected text after the end of the document")
    return value


# --------------------------------------------------------------------------- JSON → tree

# Block types whose labels are consumed as nested object keys, by depth.
_LABELS = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1, "check": 1, "import": 0, "moved": 0}
# Inside a terraform block, these nest one label (backend "s3" {...}).
_TERRAFORM_LABELLED = {"backend": 1}
# Attributes that hold literal values or references, not templates, in JSON syntax.
_LITERAL_ATTRIBUTES = {"variable": {"default"}}
_EXPRESSION_STRINGS = {"type", "provider", "depends_on"}


def parse_tf_json(text: str) -> ast.Body:
    root = read_json(text)
    if root.kind != "object":
        raise HclSyntaxError("a .tf.json file must hold a JSON object", root.line)
    blocks: list[ast.Block] = []
    for block_type, value in root.value:
        if block_type == "//":
            continue
        if block_type == "locals":
            for item in _as_list(value):
                blocks.append(ast.Block("locals", (), _body(item, literal=set()), item.line, item.line))
            continue
        labels_needed = _LABELS.get(block_type, 0)
        blocks.extend(_labelled(block_type, value, labels_needed, ()))
    return ast.Body((), tuple(blocks))


def _labelled(block_type: str, value: JValue, remaining: int, labels: tuple[str, ...]) -> list[ast.Block]:
    if remaining == 0:
        out = []
        for item in _as_list(value):
            literal = _LITERAL_ATTRIBUTES.get(block_type, set())
            body = _terraform_body(item) if block_type == "terraform" else _body(item, literal)
            out.append(ast.Block(block_type, labels, body, item.line, item.line))
        return out
    if value.kind != "object":
        raise HclSyntaxError(f"'{block_type}' needs an object keyed by its labels", value.line)
    out = []
    for key, child in value.value:
        if key == "//":
            continue
        out.extend(_labelled(block_type, child, remaining - 1, labels + (key,)))
    return out


def _terraform_body(value: JValue) -> ast.Body:
    body = _body(value, set())
    blocks = []
    for block in body.blocks:
        if block.type in _TERRAFORM_LABELLED:
            original = dict(_object_items(value))[block.type]
            blocks.extend(_labelled(block.type, original, 1, ()))
        else:
            blocks.append(block)
    return ast.Body(body.attributes, tuple(blocks))


def _object_items(value: JValue) -> list[tuple[str, JValue]]:
    return value.value if value.kind == "object" else []


def _as_list(value: JValue) -> list[JValue]:
    if value.kind == "array":
        return [v for v in value.value if v.kind == "object"]
    return [value]


def _body(value: JValue, literal: set[str]) -> ast.Body:
    if value.kind != "object":
        raise HclSyntaxError("a block must be a JSON object", value.line)
    attributes: list[ast.Attribute] = []
    blocks: list[ast.Block] = []
    for key, child in value.value:
        if key == "//":
            continue
        if key in literal:
            attributes.append(ast.Attribute(key, _literal(child), child.line))
            continue
        if key in _EXPRESSION_STRINGS and child.kind == "scalar" and isinstance(child.value, str):
            attributes.append(ast.Attribute(key, parse_expression(child.value, child.line), child.line))
            continue
        if key == "depends_on":
            continue
        attributes.append(ast.Attribute(key, _expr(child), child.line))
        if child.kind == "object" or (child.kind == "array" and child.value and all(v.kind == "object" for v in child.value)):
            if key == "dynamic":
                blocks.extend(_labelled("dynamic", child, 1, ()))
                continue
            for item in _as_list(child):
                blocks.append(ast.Block(key, (), _body(item, set()), item.line, item.line))
    return ast.Body(tuple(attributes), tuple(blocks))


def _expr(value: JValue) -> ast.Expr:
    if value.kind == "object":
        items = tuple(
            (_key_expr(k, value.line), _expr(v)) for k, v in value.value if k != "//"
        )
        return ast.ObjectExpr(items, value.line)
    if value.kind == "array":
        return ast.TupleExpr(tuple(_expr(v) for v in value.value), value.line)
    if isinstance(value.value, str):
        return parse_template(value.value, value.line)
    return ast.Literal(value.value, value.line)


def _key_expr(key: str, line: int) -> ast.Expr:
    return parse_template(key, line) if "${" in key else ast.Literal(key, line)


def _literal(value: JValue) -> ast.Expr:
    if value.kind == "object":
        return ast.ObjectExpr(tuple((ast.Literal(k, value.line), _literal(v)) for k, v in value.value), value.line)
    if value.kind == "array":
        return ast.TupleExpr(tuple(_literal(v) for v in value.value), value.line)
    return ast.Literal(value.value, value.line)
