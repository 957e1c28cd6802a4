"""The registry of reporters: format name → module with ``render(report, color=False) -> str``.

Reporters are pure: they return text and write nothing. Modules are imported
only when their format is asked for.
"""

from __future__ import annotations

import importlib
from types import ModuleType

REPORTERS = {
    "text": "scanner.report.text",
    "json": "scanner.report.json_report",
    "sarif": "scanner.report.sarif",
    "junit": "scanner.report.junit",
    "markdown": "scanner.report.markdown",
    "csv": "scanner.report.csv_report",
    "gitlab": "scanner.report.gitlab",
    "gitlab-sast": "scanner.report.gitlab_sast",
    "html": "scanner.report.html.page",
}

FORMATS = tuple(REPORTERS)


def reporter_for(fmt: str) -> ModuleType:
    return importlib.import_module(REPORTERS[fmt])
