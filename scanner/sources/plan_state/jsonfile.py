"""Reading a JSON input file (plan, state) into one error line when it cannot be used."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from scanner.model import ScanError
from scanner.support.jsonload import loads, read_exported_text


def read_json(path: Path, display: str, what: str) -> tuple[Any, str, ScanError | None]:
    """(document, text, None), or (None, "", the error naming the line and column where JSON breaks)."""
    try:
        text = read_exported_text(path)
    except UnicodeDecodeError:
        return None, "", ScanError(display, None, f"not a readable {what} (neither UTF-8 nor UTF-16 text)", kind="unreadable")
    except OSError as exc:
        return None, "", ScanError(display, None, f"cannot read the {what}: {exc.strerror or exc}", kind="unreadable")
    try:
        return loads(text), text, None
    except json.JSONDecodeError as exc:
        return None, "", ScanError(display, exc.lineno, f"not a readable {what} (not valid JSON: {exc.msg})", exc.colno, kind="syntax")
    except ValueError as exc:
        return None, "", ScanError(display, None, f"not a readable {what} ({exc})", kind="syntax")


def key_line(text: str, key: str) -> int | None:
    """The line of the first ``"key":`` in a JSON text (to point at a refused field)."""
    m = re.search(r'"' + re.escape(key) + r'"\s*:', text)
    return text.count("\n", 0, m.start()) + 1 if m else None
