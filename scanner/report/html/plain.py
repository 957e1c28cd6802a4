"""The audit report as Markdown or plain text: the same blocks as the HTML page, without charts.

A figure is written as its table, which holds the same numbers. Markdown
follows CommonMark with GitHub's tables (https://github.github.com/gfm/#tables-extension-).
"""

from __future__ import annotations

import re

from scanner.report.html.blocks import Badge, Block, Code, Figure, Inline, Items, Link, Pairs, Para, Row, Section, Small, Spans, Strong, Table, plain
from scanner.report.html.compose import Page

# -- Markdown ---------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|])")


def _md_text(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_inline(span: Inline) -> str:
    if isinstance(span, str):
        return _md_text(span)
    if isinstance(span, Code):
        fence = "``" if "`" in span.text else "`"
        return f"{fence}{span.text}{fence}"
    if isinstance(span, Strong):
        return f"**{_md_text(span.text)}**"
    if isinstance(span, Small):
        return f"({_md_text(span.text)})"
    if isinstance(span, Badge):
        return f"{span.icon} **{_md_text(span.text)}**" if span.icon else f"**{_md_text(span.text)}**"
    if isinstance(span, Link):
        return f"<{span.url}>" if span.text == span.url else f"[{_md_text(span.text)}](<{span.url}>)"
    raise TypeError(f"not an inline span: {span!r}")


def _md_spans(spans: Spans) -> str:
    return "".join(_md_inline(s) for s in spans).replace("\n", " ")


def _md_table(table: Table) -> list[str]:
    cell = lambda spans: _md_spans(spans).replace("|", "\\|")  # noqa: E731 - a pipe ends a cell, even escaped once
    align = [("---:" if i in table.numeric else "---") for i in range(len(table.head))]
    lines = [f"**{_md_text(table.caption)}**", "", "| " + " | ".join(_md_text(h) for h in table.head) + " |", "| " + " | ".join(align) + " |"]
    rows = list(table.rows) + ([table.foot] if table.foot else [])
    lines += ["| " + " | ".join(cell(c) for c in row.cells) + " |" for row in rows]
    return lines


def _md_items(block: Items, indent: str) -> list[str]:
    lines = []
    for i, item in enumerate(block.items, 1):
        marker = f"{i}. " if block.ordered else "- "
        lines.append(indent + marker + _md_spans(item.spans))
        for child in item.children:
            lines += _md_block(child, 99, indent + " " * len(marker))
    return lines


def _md_block(block: Block, depth: int, indent: str = "") -> list[str]:
    if isinstance(block, Section):
        lines = ["#" * min(depth, 6) + " " + _md_spans(block.title), ""]
        for child in block.blocks:
            lines += _md_block(child, depth + 1) + [""]
        return lines
    if isinstance(block, Para):
        return [indent + _md_spans(block.spans)]
    if isinstance(block, Items):
        return _md_items(block, indent)
    if isinstance(block, Pairs):
        return [f"{indent}- **{_md_text(p.label)}**: {_md_spans(p.value)}" for p in block.pairs]
    if isinstance(block, Table):
        return _md_table(block)
    if isinstance(block, Figure):
        return _md_table(block.table)
    raise TypeError(f"not a block: {block!r}")


def to_markdown(page: Page) -> str:
    lines = [f"# {_md_text(page.title)}", ""]
    for block in page.lead:
        lines += _md_block(block, 2) + [""]
    for section in page.sections:
        lines += _md_block(section, 2)
    return "\n".join(lines).rstrip("\n") + "\n"


# -- text -------------------------------------------------------------------

_UNDERLINE = {1: "=", 2: "=", 3: "-"}


def _text_spans(spans: Spans) -> str:
    out = []
    for span in spans:
        if isinstance(span, Small):
            out.append(f"({span.text})")
        elif isinstance(span, Link) and span.text != span.url:
            out.append(f"{span.text} <{span.url}>")
        else:
            out.append(plain((span,)))
    return "".join(out).replace("\n", " ")


def _text_table(table: Table) -> list[str]:
    rows: list[Row] = list(table.rows) + ([table.foot] if table.foot else [])
    grid = [list(table.head)] + [[_text_spans(c) for c in row.cells] for row in rows]
    widths = [max(len(line[i]) for line in grid if i < len(line)) for i in range(len(table.head))]

    def line(cells: list[str]) -> str:
        padded = [c.rjust(widths[i]) if i in table.numeric else c.ljust(widths[i]) for i, c in enumerate(cells)]
        return "  ".join(padded).rstrip()

    out = [table.caption, line(grid[0]), "  ".join("-" * w for w in widths)]
    out += [line(cells) for cells in grid[1:]]
    return out


def _text_block(block: Block, depth: int, indent: str = "") -> list[str]:
    if isinstance(block, Section):
        title = _text_spans(block.title)
        mark = _UNDERLINE.get(depth)
        lines = [title, mark * len(title)] if mark else [title]
        for child in block.blocks:
            lines += [""] + _text_block(child, depth + 1)
        return lines + [""]
    if isinstance(block, Para):
        return [indent + _text_spans(block.spans)]
    if isinstance(block, Items):
        lines = []
        for i, item in enumerate(block.items, 1):
            marker = f"{i}. " if block.ordered else "- "
            lines.append(indent + marker + _text_spans(item.spans))
            for child in item.children:
                lines += _text_block(child, depth, indent + " " * len(marker))
        return lines
    if isinstance(block, Pairs):
        width = max((len(p.label) for p in block.pairs), default=0)
        return [f"{indent}{p.label.ljust(width)}  {_text_spans(p.value)}" for p in block.pairs]
    if isinstance(block, Table):
        return _text_table(block)
    if isinstance(block, Figure):
        return _text_table(block.table)
    raise TypeError(f"not a block: {block!r}")


def to_text(page: Page) -> str:
    lines = [page.title, "=" * len(page.title), ""]
    for block in page.lead:
        lines += _text_block(block, 2)
    lines.append("")
    for section in page.sections:
        lines += _text_block(section, 2)
    return "\n".join(line.rstrip() for line in lines).rstrip("\n") + "\n"
