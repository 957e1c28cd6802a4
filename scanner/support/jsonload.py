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
