"""``--shard i/n``: which accounts job i of n audits, the same on every machine and every run.

An account belongs to shard ``1 + (first 8 bytes of sha256(account id)) mod n``.
Python's ``hash()`` is salted per process, so it is not used. Shards are
numbered from 1, like GitLab's ``CI_NODE_INDEX``/``CI_NODE_TOTAL``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

_SHAPE = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


@dataclass(frozen=True)
class Shard:
    index: int  # 1..count
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        match = _SHAPE.fullmatch(text)
        if not match:
            raise ValueError(f"--shard {text!r}: expected I/N, e.g. 2/8 for the second of eight jobs")
        index, count = int(match.group(1)), int(match.group(2))
        if count < 1 or not 1 <= index <= count:
            raise ValueError(f"--shard {text!r}: I must be between 1 and N (shards are numbered from 1)")
        return cls(index, count)

    def selects(self, account_id: str) -> bool:
        return shard_of(account_id, self.count) == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def shard_of(account_id: str, count: int) -> int:
    digest = hashlib.sha256(account_id.strip().encode("utf-8")).digest()
    return 1 + int.from_bytes(digest[:8], "big") % count
