"""Where CI platforms are told a finding is when its resource has no file: a cloud inventory's resource.

GitHub code scanning rejects a whole SARIF upload when one result has no
physical location with an artifact URI (github/codeql-action#1738), and
GitLab tracks a vulnerability by its file and lines. A live inventory has no
file at all, and a snapshot's file name changes with each audit
(``aws-2026-11.json``, ``aws-2026-12.json``): pointing at it would close and
reopen every alert each month, since both platforms match alerts by path.
So such a finding points at a stable path made of what locates it,
``sovscan-inventory/PROVIDER/ACCOUNT/REGION``: the same across audits,
filterable by account or region in GitHub's and GitLab's views, and plainly
not a file of the repository (GitHub shows the alert without a code
preview; its documentation allows URIs of files "generated during a build").
"""

from __future__ import annotations

import re

from scanner.model import Unknown
from scanner.model.located import Located

INVENTORY_FOLDER = "sovscan-inventory"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _segment(text: str | None, missing: str) -> str:
    cleaned = _UNSAFE.sub("-", text or "").strip("-.")
    return cleaned or missing


def inventory_path(item: Located) -> str:
    """``sovscan-inventory/PROVIDER/ACCOUNT/REGION`` for a finding whose resource has no file."""
    resource, origin = item.resource, item.finding.origin
    provider = resource.provider if resource is not None else (origin.api or "").split(":")[0].split(" ")[0]
    region = None if resource is None or isinstance(resource.region, Unknown) else resource.region
    return "/".join((INVENTORY_FOLDER, _segment(provider, "unknown-provider"), _segment(origin.account, "unknown-account"), _segment(region, "unknown-region")))
