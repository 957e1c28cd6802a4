"""Decoding JSON that sovscan did not write: every way the text can be wrong is a ValueError.

``json.loads`` raises RecursionError, not ValueError, on a document nested a
few thousand levels deep (``[[[[…]]]]``). Every reader of a plan, state,
export, snapshot, report or baseline catches ValueError for its one-line
error; decoding here keeps a hostile file from becoming a traceback in any
of them.
"""

from __future__ import annotations

import json
from typing import Any


def loads(text: str, **options: Any) -> Any:
    try:
        return json.loads(text, **options)
    except RecursionError:
        raise ValueError("nested too deeply to read") from None


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def read_exported_text(path: Any) -> str:
    """The text of a file another tool exported (JSON, CSV, YAML): UTF-8, with or without a byte order mark, or UTF-16 with one.

    Windows PowerShell 5's ``terraform show -json > plan.json`` writes UTF-16
    with a BOM, and ``Out-File -Encoding utf8`` UTF-8 with one; both are the
    same document. Raises OSError, or UnicodeDecodeError (a ValueError) for
    any other encoding.
    """
    with open(path, "rb") as handle:
        data = handle.read()
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")
