"""A small HCL syntax tree: what sovscan's evaluator walks.

python-hcl2 gives either a dict of strings (expressions left as ``${…}``
text) or a lark tree full of grammar detail. We convert the lark tree once
into these frozen nodes, each with its line, so the evaluator never sees
lark or hcl2 shapes and the nodes pickle cheaply into the parse cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Literal:
    value: Any  # str, int, float, bool or None
    line: int


@dataclass(frozen=True, slots=True)
class Template:
    """A string with interpolations: parts are str or expressions or directives."""

    parts: tuple[TemplatePart, ...]
    line: int


@dataclass(frozen=True, slots=True)
class TemplateIf:
    cond: Expr
    then: tuple[TemplatePart, ...]
    otherwise: tuple[TemplatePart, ...]
    line: int


@dataclass(frozen=True, slots=True)
class TemplateFor:
    key_var: str | None
    value_var: str
    collection: Expr
    body: tuple[TemplatePart, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Name:
    """A root identifier: var, local, module, data, each, count, a resource type, a for variable."""

    name: str
    line: int


@dataclass(frozen=True, slots=True)
class GetAttr:
    obj: Expr
    name: str
    line: int


@dataclass(frozen=True, slots=True)
class Index:
    obj: Expr
    key: Expr
    line: int


@dataclass(frozen=True, slots=True)
class Splat:
    """``obj[*].a.b`` or ``obj.*.a``: ``steps`` apply to each element."""

    obj: Expr
    steps: tuple[tuple[str, Any], ...]  # ("attr", name) or ("index", Expr)
    line: int


@dataclass(frozen=True, slots=True)
class Call:
    name: str  # "provider::aws::arn_parse" for provider functions
    args: tuple[Expr, ...]
    expand_last: bool
    line: int


@dataclass(frozen=True, slots=True)
class TupleExpr:
    items: tuple[Expr, ...]
    line: int


@dataclass(frozen=True, slots=True)
class ObjectExpr:
    items: tuple[tuple[Expr, Expr], ...]  # a bare identifier key is a Literal string
    line: int


@dataclass(frozen=True, slots=True)
class Conditional:
    cond: Expr
    then: Expr
    otherwise: Expr
    line: int


@dataclass(frozen=True, slots=True)
class BinaryOp:
    op: str
    left: Expr
    right: Expr
    line: int


@dataclass(frozen=True, slots=True)
class UnaryOp:
    op: str
    operand: Expr
    line: int


@dataclass(frozen=True, slots=True)
class ForExpr:
    key_var: str | None
    value_var: str
    collection: Expr
    key_expr: Expr | None  # None for a tuple-producing for
    value_expr: Expr
    cond: Expr | None
    group: bool
    line: int


@dataclass(frozen=True, slots=True)
class Invalid:
    """An expression the parser accepted but sovscan could not convert (nested too deeply)."""

    reason: str
    line: int


Expr = (
    Invalid | Literal | Template | Name | GetAttr | Index | Splat | Call | TupleExpr | ObjectExpr | Conditional | BinaryOp | UnaryOp | ForExpr
)
TemplatePart = str | Expr | TemplateIf | TemplateFor


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    expr: Expr
    line: int


@dataclass(frozen=True, slots=True)
class Block:
    type: str
    labels: tuple[str, ...]
    body: Body
    line: int
    end_line: int


@dataclass(frozen=True, slots=True)
class Body:
    attributes: tuple[Attribute, ...]
    blocks: tuple[Block, ...]

    def attr(self, name: str) -> Attribute | None:
        for attribute in self.attributes:
            if attribute.name == name:
                return attribute
        return None

    def blocks_of(self, type_: str) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.type == type_)


EMPTY_BODY = Body((), ())


def references(expr: Any) -> list[tuple[str, ...]]:
    """Traversals (``("var", "region")``, ``("aws_s3_bucket", "b", "id")``) an expression reads.

    Used to infer where a child resource lives from the parent it names.
    """
    found: list[tuple[str, ...]] = []

    def chain(node: Any) -> tuple[str, ...] | None:
        if isinstance(node, Name):
            return (node.name,)
        if isinstance(node, GetAttr):
            head = chain(node.obj)
            return head + (node.name,) if head else None
        if isinstance(node, Index):
            return chain(node.obj)
        return None

    def walk(node: Any) -> None:
        if isinstance(node, (Name, GetAttr, Index)):
            path = chain(node)
            if path:
                found.append(path)
                if isinstance(node, Index):
                    walk(node.key)
                return
        if isinstance(node, (list, tuple)):
            for child in node:
                walk(child)
            return
        if hasattr(node, "__slots__") and not isinstance(node, (str, Literal)):
            for slot in node.__slots__:
                walk(getattr(node, slot))

    walk(expr)
    return found
