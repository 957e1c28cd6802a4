"""The tag vocabulary: which keys classify data, which name a workload, and the levels."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from scanner.policy.paths import display_path, policies_dir
from scanner.policy.schema import INVALID, Field, ListOf, Obj, Problems, Str, Where
from scanner.yamlload import YamlError, load_yaml_file


def normalize_key(key: str) -> str:
    """DataClassification, data_classification and data-classification are one key."""
    return re.sub(r"[-_\s.:/]", "", key).lower()


def normalize_value(value: str) -> str:
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower().strip()
    return re.sub(r"[\s_]+", "-", text)


@dataclass(frozen=True)
class Level:
    id: str
    title: str
    rank: int


@dataclass(frozen=True)
class Vocabulary:
    levels: tuple[Level, ...]
    synonyms: dict[str, str]  # normalised value -> level id
    classification_keys: frozenset[str]  # normalised
    workload_keys: tuple[str, ...]  # normalised, in priority order

    def level(self, level_id: str) -> Level | None:
        return next((l for l in self.levels if l.id == level_id), None)

    def rank(self, level_id: str) -> int:
        level = self.level(level_id)
        return level.rank if level else -1

    def extended(self, keys: list[str], workload_keys: list[str], values: dict[str, str]) -> "Vocabulary":
        """This vocabulary plus a user's extra keys and value mappings (.sovscan.yml)."""
        synonyms = dict(self.synonyms)
        synonyms.update({normalize_value(k): v for k, v in values.items()})
        return Vocabulary(
            self.levels,
            synonyms,
            self.classification_keys | {normalize_key(k) for k in keys},
            tuple(dict.fromkeys([normalize_key(k) for k in workload_keys] + list(self.workload_keys))),
        )


_LEVEL = Obj(
    {"id": Field(Str(pattern=r"[a-z][a-z0-9-]*"), required=True), "title": Field(Str(), required=True), "synonyms": Field(ListOf(Str()), default=list)},
    what="level",
)
_DOCUMENT = Obj(
    {
        "classification_keys": Field(ListOf(Str()), required=True),
        "workload_keys": Field(ListOf(Str()), required=True),
        "levels": Field(ListOf(_LEVEL, unique_key=lambda l: l["id"], what="level id"), required=True),
    },
    what="vocabulary",
)


def load_vocabulary(path: Path | None = None) -> Vocabulary:
    path = path or policies_dir() / "vocabulary.yml"
    problems = Problems(file=display_path(path))
    checked = _DOCUMENT.check(load_yaml_file(path, problems.file), Where("", 1), problems)
    if checked is INVALID or problems.items:
        file, line, message = problems.items[0]
        raise YamlError(file, line, message)
    levels = tuple(Level(l["id"], l["title"], rank) for rank, l in enumerate(checked["levels"]))
    synonyms: dict[str, str] = {}
    for level in checked["levels"]:
        synonyms[normalize_value(level["id"])] = level["id"]
        for word in level["synonyms"]:
            synonyms[normalize_value(word)] = level["id"]
    return Vocabulary(
        levels=levels,
        synonyms=synonyms,
        classification_keys=frozenset(normalize_key(k) for k in checked["classification_keys"]),
        workload_keys=tuple(normalize_key(k) for k in checked["workload_keys"]),
    )
