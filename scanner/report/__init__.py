"""The registry of reporters: format name → module with ``render(report, color) -> str``.

Reporters are pure: they return text and write nothing.
"""

from __future__ import annotations

from scanner.report import json_report, text

REPORTERS = {
    "text": text,
    "json": json_report,
}
