"""The HTML audit report: one self-contained page a security officer can read, print and file.

``render(report)`` is the reporter of the registry (``scan --format html``);
``render_document(doc)`` renders a saved JSON report (``sovscan report``).
Both go through the JSON document, so they give the same page.

The page loads nothing: styles are inline, charts are inline SVG, there is
no script, and a Content-Security-Policy forbids fetching anything, so it
works offline and stays the same when filed. Links to catalog sources are
only followed when the reader clicks them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from scanner.model import Report
from scanner.report.html.blocks import Badge, Block, Code, Figure, Inline, Items, Link, Pairs, Para, Row, Section, Small, Spans, Strong, Table
from scanner.report.html.compose import Page, compose
from scanner.report.html.i18n import Strings, language_from_environment
from scanner.report.html.model import build_audit
from scanner.report.html.style import STYLE

# Nothing may be fetched: inline styles and data: images only (https://www.w3.org/TR/CSP3/).
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
SAFE_URL_SCHEMES = ("https://", "http://")

Previous = Sequence["tuple[str, Mapping[str, Any]] | Mapping[str, Any]"]


def render(report: Report, color: bool = False, lang: str | None = None, previous: Previous | None = None) -> str:
    from scanner.report.json_report import to_document

    return render_document(to_document(report), lang, previous or ())


def render_document(doc: Mapping[str, Any], lang: str | None = None, previous_docs: Previous = ()) -> str:
    """The page for one checked JSON document; ``previous_docs`` are earlier reports, oldest first."""
    return write_page(page_for(doc, lang, previous_docs))


def page_for(doc: Mapping[str, Any], lang: str | None = None, previous_docs: Previous = ()) -> Page:
    """The composed blocks, shared by the HTML, Markdown and text writers."""
    strings = Strings(lang or language_from_environment(os.environ))
    audit = build_audit(doc, level_order(doc), named(previous_docs))
    return compose(audit, strings)


def named(previous: Previous) -> list[tuple[str, Mapping[str, Any]]]:
    """(name, document) pairs; a bare document is named by its position (#1 is the oldest)."""
    return [item if isinstance(item, tuple) else (f"#{i}", item) for i, item in enumerate(previous, 1)]


def level_order(doc: Mapping[str, Any]) -> list[str]:
    """Level ids from least to most sensitive: the document's own list if it has one, else the bundled vocabulary."""
    levels = doc.get("levels")
    if isinstance(levels, list) and levels:
        return [str(level["id"]) if isinstance(level, Mapping) else str(level) for level in levels]
    from scanner.policy.vocabulary import load_vocabulary

    return [level.id for level in load_vocabulary().levels]


# -- writing ----------------------------------------------------------------


def write_page(page: Page) -> str:
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{page.lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">',
        '<meta name="generator" content="sovscan">',
        f"<title>{escape(page.title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{escape(page.title)}</h1>",
        *[_block(b, 2) for b in page.lead],
        "</header>",
        f'<nav aria-labelledby="contents"><h2 id="contents">{escape(page.contents_label)}</h2><ol>',
        *[f'<li><a href="#{s.anchor}">{_spans(s.title)}</a></li>' for s in page.sections],
        "</ol></nav>",
        "<main>",
        *[_block(s, 2) for s in page.sections],
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(out) + "\n"


def _inline(span: Inline) -> str:
    if isinstance(span, str):
        return escape(span)
    if isinstance(span, Code):
        return f"<code>{_breakable(span.text)}</code>"
    if isinstance(span, Small):
        return f'<small class="aside">{escape(span.text)}</small>'
    if isinstance(span, Strong):
        return f"<strong>{escape(span.text)}</strong>"
    if isinstance(span, Link):
        if not span.url.lower().startswith(SAFE_URL_SCHEMES):  # a saved report is data: never a javascript: link
            return escape(span.text)
        return f'<a href="{escape(span.url)}" rel="noreferrer noopener">{escape(span.text)}</a>'
    if isinstance(span, Badge):
        icon = f'<span aria-hidden="true">{escape(span.icon)}</span> ' if span.icon else ""
        return f'<span class="badge {escape(span.kind)}">{icon}{escape(span.text)}</span>'
    raise TypeError(f"not an inline span: {span!r}")


def _breakable(text: str) -> str:
    """Escaped code with line-break opportunities after . _ / : so long addresses wrap at their joints."""
    return re.sub(r"([._/:])", r"\1<wbr>", escape(text, quote=False))


def _spans(spans: Spans) -> str:
    return "".join(_inline(s) for s in spans)


def _block(block: Block, depth: int) -> str:
    if isinstance(block, Section):
        return _section(block, depth)
    if isinstance(block, Para):
        klass = f' class="{block.kind}"' if block.kind else ""
        return f"<p{klass}>{_spans(block.spans)}</p>"
    if isinstance(block, Items):
        return _items(block, depth)
    if isinstance(block, Pairs):
        rows = "".join(f'<div data-key="{escape(p.key)}"><dt>{escape(p.label)}</dt><dd>{_spans(p.value)}</dd></div>' for p in block.pairs)
        return f'<dl data-table="{escape(block.name)}">{rows}</dl>'
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Figure):
        return f'<figure>{block.svg}{_table(block.table)}</figure>'
    raise TypeError(f"not a block: {block!r}")


def _section(section: Section, depth: int) -> str:
    level = min(depth, 6)
    klass = f' class="{section.kind}"' if section.kind else ""
    heading = f'<h{level} id="{section.anchor}-title">{_spans(section.title)}</h{level}>'
    body = "\n".join(_block(b, depth + 1) for b in section.blocks)
    return f'<section id="{section.anchor}"{klass} aria-labelledby="{section.anchor}-title">\n{heading}\n{body}\n</section>'


def _items(block: Items, depth: int) -> str:
    tag = "ol" if block.ordered else "ul"
    klass = f' class="{block.kind}"' if block.kind else ""
    items = "".join(f"<li>{_spans(item.spans)}{''.join(_block(c, depth + 1) for c in item.children)}</li>" for item in block.items)
    return f"<{tag}{klass}>{items}</{tag}>"


def _cell_attrs(i: int, numeric: frozenset[int], keys: tuple[str, ...]) -> str:
    attrs = ' class="num"' if i in numeric else ""
    if i < len(keys):
        attrs += f' data-key="{escape(keys[i])}"'
    return attrs


def _row(row: Row, cell: str, numeric: frozenset[int], keys: tuple[str, ...]) -> str:
    key = f' data-key="{escape(row.key)}"' if row.key else ""
    cells = []
    for i, spans in enumerate(row.cells):
        attrs = _cell_attrs(i, numeric, keys)
        tag, scope = ("th", ' scope="row"') if i == 0 else (cell, "")
        cells.append(f"<{tag}{scope}{attrs}>{_spans(spans)}</{tag}>")
    return f"<tr{key}>{''.join(cells)}</tr>"


def _table(table: Table) -> str:
    keys = table.column_keys
    head = "".join(f'<th scope="col"{_cell_attrs(i, table.numeric, keys)}>{escape(h)}</th>' for i, h in enumerate(table.head))
    body = "".join(_row(r, "td", table.numeric, keys) for r in table.rows)
    foot = f"<tfoot>{_row(table.foot, 'td', table.numeric, keys)}</tfoot>" if table.foot else ""
    name = f' data-table="{escape(table.name)}"' if table.name else ""
    return (
        f'<div class="table-wrap"><table{name}><caption>{escape(table.caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody>{foot}</table></div>"
    )

