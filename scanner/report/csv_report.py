"""CSV: one row per finding, suppressed ones included and marked, for spreadsheets and audit trackers.

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, tab or carriage return) get a leading apostrophe: addresses and
tag values come from the scanned repository and must stay text
(https://owasp.org/www-community/attacks/CSV_Injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping

from scanner.model import Report
from scanner.model.located import locate

COLUMNS = (
    "severity",
    "rule",
    "address",
    "file",
    "line",
    "root",
    "message",
    "suppressed",
    "suppression_kind",
    "suppression_reason",
    "suppression_until",
    "suppression_approver",
    "fingerprint",
)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def render(report: Report, color: bool = False, paths: Mapping[str, str] | None = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for item in locate(report, paths):
        f = item.finding
        s = f.suppression or {}
        row = (
            str(f.severity),
            f.rule,
            f.address,
            item.file,
            item.line,
            item.root,
            f.message,
            "true" if f.suppressed else "false",
            s.get("kind"),
            s.get("reason"),
            s.get("until"),
            s.get("approver"),
            item.fingerprint,
        )
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()
