"""A tiny document model for the audit report: sections, paragraphs, tables, lists and figures.

The audit is composed once into these blocks (``html_compose``) and written
as HTML (``html``), Markdown or text (``html_plain``), so the three formats
say the same thing. Heading levels come from section nesting, so headings
are always in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Link:
    text: str
    url: str


@dataclass(frozen=True)
class Code:
    text: str


@dataclass(frozen=True)
class Strong:
    text: str


@dataclass(frozen=True)
class Small:
    """Secondary words, on their own line in HTML (a resource's type under its address)."""

    text: str


@dataclass(frozen=True)
class Badge:
    """A word with an icon and a style (severity, trust, verdict): the icon and word carry the meaning, colour only helps."""

    kind: str  # CSS class, e.g. "sev-high", "trust-outside_eu"
    icon: str
    text: str


Inline = str | Link | Code | Strong | Small | Badge
Spans = tuple[Inline, ...]


@dataclass(frozen=True)
class Para:
    spans: Spans
    kind: str = ""  # CSS class: "verdict", "note", "lead"


@dataclass(frozen=True)
class Item:
    spans: Spans
    children: tuple[Block, ...] = ()


@dataclass(frozen=True)
class Items:
    items: tuple[Item, ...]
    ordered: bool = False
    kind: str = ""


@dataclass(frozen=True)
class Pair:
    label: str
    value: Spans
    key: str = ""  # stable data-key, for tests and tooling


@dataclass(frozen=True)
class Pairs:
    """A description list: label → value."""

    pairs: tuple[Pair, ...]
    name: str = ""  # data-table name


@dataclass(frozen=True)
class Row:
    cells: tuple[Spans, ...]  # the first cell is the row header
    key: str = ""


@dataclass(frozen=True)
class Table:
    caption: str
    head: tuple[str, ...]
    rows: tuple[Row, ...]
    name: str = ""  # data-table name, for tests and tooling
    column_keys: tuple[str, ...] = ()
    numeric: frozenset[int] = field(default_factory=frozenset)  # columns aligned right
    foot: Row | None = None


@dataclass(frozen=True)
class Figure:
    """An inline SVG chart and the table holding the same numbers (what text formats show)."""

    svg: str
    table: Table


@dataclass(frozen=True)
class Section:
    title: Spans
    blocks: tuple[Block, ...]
    anchor: str
    kind: str = ""


Block = Para | Items | Pairs | Table | Figure | Section


def plain(spans: Spans) -> str:
    """The words of some spans, without markup."""
    out = []
    for span in spans:
        if isinstance(span, str):
            out.append(span)
        elif isinstance(span, Badge):
            out.append(f"{span.icon} {span.text}" if span.icon else span.text)
        else:
            out.append(span.text)
    return "".join(out)
