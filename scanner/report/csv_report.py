"""CSV: one row per finding, suppressed ones included and marked, for spreadsheets and audit trackers.

Columns (``COLUMNS``): the finding and its exception first, then where the
resource is hosted and what it holds (``cloud``, ``provider``, ``region``,
``country``, ``sensitivity``, ``workload``, ``operator``, ``account`` for an
inventoried resource) and the rule's ``legal_reference``. New columns are
added at the end, never inserted: a tracker that reads columns by position
keeps working.

Two dialects (``--csv-dialect``): ``standard``, comma-separated UTF-8 with
``\\n`` line ends; ``excel-fr``, what Excel opens as columns in a French
locale (where the list separator is ``;``): semicolons, a UTF-8 byte order
mark (without it Excel reads the file as Windows-1252 and garbles
"santé"), and ``\\r\\n`` line ends.

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, tab or carriage return) get a leading apostrophe: addresses and
tag values come from the scanned repository and must stay text
(https://owasp.org/www-community/attacks/CSV_Injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from scanner.model import Assessment, Report, Unknown
from scanner.model.evidence import value
from scanner.model.located import Located, locate

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
    "cloud",
    "provider",
    "region",
    "country",
    "sensitivity",
    "workload",
    "operator",
    "account",
    "legal_reference",
)

# name -> (delimiter, line end, byte order mark)
DIALECTS = {
    "standard": (",", "\n", ""),
    "excel-fr": (";", "\r\n", "\ufeff"),
}


def _cell(cell: object) -> str:
    text = "" if cell is None else str(cell)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _place(item: Located, assessment: Assessment | None) -> tuple[Any, ...]:
    """cloud, provider, region, country, sensitivity, workload, operator, account."""
    resource = item.resource
    account = item.finding.origin.account or (resource.origin.account if resource is not None else None)
    if assessment is None:
        return (None, resource.provider if resource is not None else None, None, None, None, None, None, account)
    r, h, c = assessment.resource, assessment.hosting, assessment.classification
    region = value(r.region if isinstance(h.region, Unknown) else h.region)
    countries = "unknown" if isinstance(h.countries, Unknown) else ",".join(sorted(h.countries)) or None
    return (value(h.cloud), r.provider, region, countries, c.level, c.workload, value(h.operator), account)


def render(report: Report, color: bool = False, paths: Mapping[str, str] | None = None, csv_dialect: str = "standard") -> str:
    delimiter, line_end, bom = DIALECTS[csv_dialect]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=line_end)
    writer.writerow(COLUMNS)
    assessments = {id(a.resource): a for a in report.assessments}
    for item in locate(report, paths):
        f = item.finding
        s = f.suppression or {}
        rule = report.rules.get(f.rule)
        assessment = assessments.get(id(item.resource)) if item.resource is not None else None
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
            *_place(item, assessment),
            "; ".join(rule.references) if rule is not None else None,
        )
        writer.writerow([_cell(v) for v in row])
    return bom + out.getvalue()
