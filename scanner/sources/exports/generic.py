"""sovscan's generic inventory, CSV or YAML, for on-premises sites and clouds sovscan has no API for.

CSV: a header row, then one resource per row. Columns ``provider``, ``id``
and ``type`` are required, ``region`` is expected (empty: the region is
unknown); optional ``account``, ``endpoint`` (an API host the catalog knows,
e.g. ``s3.fr-par.scw.cloud``) and ``offer`` (a catalog offer id). Tags go in
``tag:KEY`` columns, or in a ``tags`` column as ``key=value`` pairs separated
by ``;`` (a value naming several levels then uses ``+``: ``personal+health``)::

    provider,region,id,type,tag:data_classification,tag:workload
    outscale,cloudgouv-eu-west-1,vol-0a1b2c3d,volume,sensitive,payroll
    scaleway,fr-par,backups-2026,bucket,internal,

YAML: a ``resources`` list (or a bare list) of mappings with the same keys,
``tags`` being a mapping::

    resources:
      - {provider: outscale, region: cloudgouv-eu-west-1, id: vol-0a1b2c3d, type: volume,
         tags: {data_classification: sensitive, workload: payroll}}

``provider`` is an inventory API of the catalog (``aws``, ``azure``, ``gcp``,
``outscale``, ``ovh``, ``scaleway``…) or the id of a hosting declared in
``.sovscan.yml``. A row missing ``provider``, ``id`` or ``type`` is one error
naming its line, and is skipped; the other rows are read.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from scanner.model import Origin, Resource, ScanError, Tag, Unknown
from scanner.sources import SourceResult
from scanner.support.jsonload import read_exported_text

API = "inventory"
REQUIRED = ("provider", "id", "type")
OPTIONAL = ("region", "account", "endpoint", "offer", "tags")
TAG_PREFIX = "tag:"


class _Bad(Exception):
    pass


def read_generic_inventory(path: Path, display: str) -> SourceResult:
    result = SourceResult()
    try:
        text = read_exported_text(path)
    except (OSError, UnicodeDecodeError) as exc:
        result.errors.append(ScanError(display, None, f"cannot read the inventory: {exc}"))
        return result
    if path.name.lower().endswith(".csv"):
        return _read_csv(text, display)
    return _read_yaml(text, display)


# --------------------------------------------------------------------------- CSV


def _read_csv(text: str, display: str) -> SourceResult:
    result = SourceResult()
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        result.errors.append(ScanError(display, 1, f"not a CSV inventory: {exc}"))
        return result
    if not header or not any(h.strip() for h in header):
        result.errors.append(ScanError(display, 1, "not a CSV inventory: the first row must name the columns (provider, region, id, type, tag:KEY…)"))
        return result
    columns = [h.strip() for h in header]
    problem = _check_columns(columns)
    if problem:
        result.errors.append(ScanError(display, 1, problem))
        return result
    result.scanned = 1
    line = reader.line_num
    while True:
        start = line + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            result.errors.append(ScanError(display, start, f"row skipped: {exc}"))
            break
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            result.errors.append(ScanError(display, start, f"row skipped: {len(row)} cells for {len(columns)} columns"))
            continue
        values = dict(zip(columns, (cell.strip() for cell in row), strict=False))
        tags = {c[len(TAG_PREFIX):]: v for c, v in values.items() if c.startswith(TAG_PREFIX) and v}
        try:
            tags.update(_tags_cell(values.get("tags", "")))
            result.resources.append(_resource(values, tags, Origin(file=display, line=start)))
        except _Bad as exc:
            result.errors.append(ScanError(display, start, f"row skipped: {exc}"))
    return result


def _check_columns(columns: list[str]) -> str | None:
    known = set(REQUIRED) | set(OPTIONAL)
    for column in columns:
        if column not in known and not (column.startswith(TAG_PREFIX) and len(column) > len(TAG_PREFIX)):
            return f"unknown column '{column}'; expected {', '.join(REQUIRED + OPTIONAL)} or tag:KEY"
    duplicates = sorted({c for c in columns if columns.count(c) > 1})
    if duplicates:
        return f"column '{duplicates[0]}' appears twice"
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        return f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; a generic inventory needs provider, id and type (and region)"
    return None


def _tags_cell(cell: str) -> dict[str, str]:
    tags = {}
    for pair in cell.split(";"):
        if not pair.strip():
            continue
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise _Bad(f"tags: '{pair.strip()}' is not key=value (pairs are separated by ';')")
        tags[key.strip()] = value.strip()
    return tags


# --------------------------------------------------------------------------- YAML


def _read_yaml(text: str, display: str) -> SourceResult:
    from scanner.support.yamlload import YamlError, load_yaml_text

    result = SourceResult()
    try:
        document = load_yaml_text(text, display)
    except YamlError as exc:
        result.errors.append(ScanError(display, exc.line, exc.message))
        return result
    items = document.get("resources") if isinstance(document, dict) else document
    if not isinstance(items, list):
        line = getattr(document, "line", 1) or 1
        result.errors.append(ScanError(display, line, "not a sovscan inventory: expected a 'resources' list of {provider, region, id, type, tags}"))
        return result
    result.scanned = 1
    for index, item in enumerate(items):
        line = items.line_of(index) if hasattr(items, "line_of") else None
        try:
            if not isinstance(item, dict):
                raise _Bad("expected a mapping with provider, region, id, type, tags")
            unknown = sorted(str(k) for k in item if k not in REQUIRED + OPTIONAL)
            if unknown:
                raise _Bad(f"unknown key '{unknown[0]}'; expected {', '.join(REQUIRED + OPTIONAL)}")
            tags = item.get("tags") or {}
            if not isinstance(tags, dict) or not all(isinstance(k, str) and isinstance(v, (str, int, float)) and not isinstance(v, bool) for k, v in tags.items()):
                raise _Bad("'tags' must map tag names to text values")
            values = {k: _scalar(item, k) for k in REQUIRED + OPTIONAL if k != "tags"}
            result.resources.append(_resource(values, {k: str(v) for k, v in tags.items()}, Origin(file=display, line=line)))
        except _Bad as exc:
            result.errors.append(ScanError(display, line, f"resource skipped: {exc}"))
    return result


def _scalar(item: dict, key: str) -> str:
    value = item.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _Bad(f"'{key}' must be text")
    return str(value).strip()


# --------------------------------------------------------------------------- both


def _resource(values: dict[str, Any], tags: dict[str, str], origin: Origin) -> Resource:
    for column in REQUIRED:
        if not values.get(column):
            raise _Bad(f"'{column}' is empty")
    account = values.get("account") or None
    origin = Origin(file=origin.file, line=origin.line, account=account, api=API)
    region: str | Unknown = values.get("region") or Unknown(f"the inventory gives no region for {values['id']}")
    hints = {name: values[name] for name in ("endpoint", "offer") if values.get(name)}
    return Resource(
        address=values["id"],
        type=values["type"],
        provider=values["provider"],
        region=region,
        origin=origin,
        tags=tuple(Tag(k, v, origin, via="inventory") for k, v in tags.items()),
        hints=hints,
    )
