"""Keep secrets out of reports.

Terraform hides values derived from sensitive variables ("(sensitive
value)"). sovscan shows only regions, tags, traces and error messages, so
instead of tracking marks through every expression it records the string
values of sensitive variables, sensitive outputs and ``sensitive()``
arguments, and removes them from everything a root module's scan emits.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from scanner.model import DataCopy, Resource, ScanError, TraceStep, Unknown

MIN_SECRET_LENGTH = 4  # shorter values ("1", "eu") would blank out unrelated text
HIDDEN = "(sensitive value)"


def remember(value: Any, secrets: set[str], depth: int = 0) -> None:
    """Record every string (and number) inside a sensitive value."""
    if depth > 32 or isinstance(value, Unknown) or value is None or isinstance(value, bool):
        return
    if isinstance(value, dict):
        for item in value.values():
            remember(item, secrets, depth + 1)
    elif isinstance(value, list):
        for item in value:
            remember(item, secrets, depth + 1)
    else:
        text = str(value)
        if len(text) >= MIN_SECRET_LENGTH:
            secrets.add(text)


def _hide(text: str, secrets: set[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, HIDDEN)
    return text


def _leaks(text: Any, secrets: set[str]) -> bool:
    return isinstance(text, str) and any(secret in text for secret in secrets)


def redact_error(error: ScanError, secrets: set[str]) -> ScanError:
    return replace(error, message=_hide(error.message, secrets)) if _leaks(error.message, secrets) else error


def redact_resource(resource: Resource, secrets: set[str]) -> Resource:
    if not secrets:
        return resource
    region = Unknown("the region is a sensitive value") if _leaks(resource.region, secrets) else resource.region
    tags = tuple(replace(t, value=HIDDEN) if _leaks(t.value, secrets) else t for t in resource.tags)
    trace = tuple(_step(s, secrets) for s in resource.trace)
    hints = {k: (Unknown("a sensitive value") if _leaks(v, secrets) else v) for k, v in resource.hints.items()}
    copies = tuple(_copy(c, secrets) for c in resource.copies)
    zone = Unknown("the zone is a sensitive value") if _leaks(resource.zone, secrets) else resource.zone
    return replace(resource, region=region, tags=tags, trace=trace, hints=hints, copies=copies, zone=zone)


def _step(step: TraceStep, secrets: set[str]) -> TraceStep:
    if _leaks(step.value, secrets) or _leaks(step.what, secrets):
        return replace(step, what=_hide(step.what, secrets), value=HIDDEN)
    return step


def _copy(copy: DataCopy, secrets: set[str]) -> DataCopy:
    if _leaks(copy.region, secrets):
        return replace(copy, region=Unknown("the region is a sensitive value"))
    return copy
