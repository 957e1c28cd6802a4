"""Inline SVG charts for the audit report: bars, a matrix and a trend, with no script and no external asset.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and
``<desc>`` (WAI-ARIA graphics: https://www.w3.org/TR/graphics-aria-1.0/),
writes every number as text so colour is never the only signal, and is
followed in the page by a table holding the same numbers. Colours come from
CSS classes (``fill-…``) defined in ``html_style``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from html import escape

WIDTH = 640
ROW = 26
FONT = 13


def _open(chart_id: str, title: str, desc: str, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{chart_id}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def _text(x: float, y: float, text: str, anchor: str = "start", css: str = "") -> str:
    klass = f' class="{css}"' if css else ""
    return f'<text x="{x:g}" y="{y:g}" text-anchor="{anchor}"{klass}>{escape(text)}</text>'


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def wrap(label: str, width: int) -> list[str]:
    """Greedy line breaking at spaces and after hyphens, for column heads."""
    words = re.findall(r"[^\s-]+-?|-", label)
    lines: list[str] = []
    for word in words:
        joiner = "" if lines and lines[-1].endswith("-") else " "
        if lines and len(lines[-1]) + len(joiner) + len(word) <= width:
            lines[-1] += joiner + word
        else:
            lines.append(word)
    return lines or [""]


def bar_chart(chart_id: str, title: str, desc: str, bars: Sequence[tuple[str, int]], fill: str = "fill-bar") -> str:
    """Horizontal bars, one per (label, count), each with its count written after it."""
    label_width, gap = 170, 8
    room = WIDTH - label_width - 60
    top = max((count for _, count in bars), default=0) or 1
    height = max(len(bars), 1) * ROW + 10
    out = _open(chart_id, title, desc, height)
    for i, (label, count) in enumerate(bars):
        y = 5 + i * ROW
        length = round(room * count / top)
        out.append(_text(label_width - gap, y + ROW / 2 + FONT / 3, _short(label, 24), "end"))
        out.append(f'<rect class="{fill}" x="{label_width}" y="{y + 3}" width="{length}" height="{ROW - 8}" rx="2"/>')
        out.append(_text(label_width + length + gap, y + ROW / 2 + FONT / 3, str(count), css="count"))
    out.append("</svg>")
    return "".join(out)


def matrix_chart(
    chart_id: str,
    title: str,
    desc: str,
    rows: Sequence[str],
    columns: Sequence[tuple[str, str]],
    counts: Sequence[Sequence[int]],
) -> str:
    """A grid of counts: ``rows`` labels, ``columns`` (label, fill class), ``counts[row][column]``.

    A cell's shade grows with its count, and the count is written in it; an
    empty cell shows a dash.
    """
    label_width, line = 180, 14
    cell = (WIDTH - label_width) / max(len(columns), 1)
    heads = [wrap(label, int(cell / 7)) for label, _ in columns]
    head = line * max((len(h) for h in heads), default=1) + 10
    top = max((n for row in counts for n in row), default=0) or 1
    height = head + len(rows) * ROW + 4
    out = _open(chart_id, title, desc, height)
    for j, lines in enumerate(heads):
        x = label_width + j * cell + cell / 2
        for k, text in enumerate(lines):
            out.append(_text(x, head - 8 - (len(lines) - 1 - k) * line, text, "middle", "head"))
    for i, label in enumerate(rows):
        y = head + i * ROW
        out.append(_text(label_width - 8, y + ROW / 2 + FONT / 3, _short(label, 26), "end"))
        for j, (_, fill) in enumerate(columns):
            n = counts[i][j]
            x = label_width + j * cell
            shade = 0.12 + 0.5 * n / top if n else 0
            out.append(f'<rect class="cell {fill if n else "fill-empty"}" x="{x + 2:g}" y="{y + 2}" width="{cell - 4:g}" height="{ROW - 4}" fill-opacity="{shade:.2f}"/>')
            out.append(_text(x + cell / 2, y + ROW / 2 + FONT / 3, str(n) if n else "–", "middle", "count" if n else "zero"))
    out.append("</svg>")
    return "".join(out)


def trend_chart(
    chart_id: str,
    title: str,
    desc: str,
    points: Sequence[tuple[str, Mapping[str, int]]],
    severities: Sequence[tuple[str, str]],
) -> str:
    """Stacked bars, one per report (label, {severity: count}); ``severities`` are (id, label), bottom first.

    The total is written above each bar, each segment tall enough for it
    carries its count, and a legend names the severities in words.
    """
    plot_top, plot_height, legend = 24, 150, 24
    slot = min(90, (WIDTH - 20) / max(len(points), 1))
    bar = slot * 0.55
    top = max((sum(c.values()) for _, c in points), default=0) or 1
    height = plot_top + plot_height + 24 + legend
    out = _open(chart_id, title, desc, height)
    base = plot_top + plot_height
    out.append(f'<line class="axis" x1="10" x2="{WIDTH - 10}" y1="{base}" y2="{base}"/>')
    for i, (label, counts) in enumerate(points):
        x = 10 + i * slot + (slot - bar) / 2
        y: float = base
        for severity, _ in severities:
            n = counts.get(severity, 0)
            if not n:
                continue
            h = plot_height * n / top
            y -= h
            out.append(f'<rect class="fill-sev-{severity}" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}"/>')
            if h >= FONT + 2:
                out.append(_text(x + bar / 2, y + h / 2 + FONT / 3, str(n), "middle", "inbar"))
        out.append(_text(x + bar / 2, y - 6, str(sum(counts.values())), "middle", "count"))
        out.append(_text(x + bar / 2, base + 16, _short(label, max(6, int(slot / 7))), "middle"))
    x = 10
    for severity, label in severities:
        out.append(f'<rect class="fill-sev-{severity}" x="{x}" y="{height - 16}" width="12" height="12"/>')
        out.append(_text(x + 16, height - 6, label))
        x += 30 + 8 * len(label)
    out.append("</svg>")
    return "".join(out)
