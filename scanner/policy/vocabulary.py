"""The tag vocabulary: which keys classify data, which name a workload, and the levels."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from scanner.policy.paths import display_path, policies_dir
from scanner.support.schema import INVALID, Field, ListOf, Obj, Problems, Str, Where
from scanner.support.yamlload import LineList, YamlError, load_yaml_file


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
        return next((level for level in self.levels if level.id == level_id), None)

    def rank(self, level_id: str) -> int:
        level = self.level(level_id)
        return level.rank if level else -1

    def extended(self, keys: list[str], workload_keys: list[str], values: dict[str, str]) -> Vocabulary:
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
        "levels": Field(ListOf(_LEVEL, unique_key=lambda level: level["id"], what="level id"), required=True),
    },
    what="vocabulary",
)


def load_vocabulary(path: Path | None = None) -> Vocabulary:
    """The bundled vocabulary; any problem stops here (raised as YamlError), since every verdict depends on it.

    Validated once, then read back from sovscan's cache (``resultcache``) while
    the file and the code that reads it are unchanged.
    """
    from scanner.support import resultcache

    path = path or policies_dir() / "vocabulary.yml"
    support = Path(__file__).parent.parent / "support"
    inputs = [path, Path(__file__), support / "schema.py", *sorted(support.glob("yaml*.py"))]
    return resultcache.cached("vocabulary", inputs, lambda: _read_vocabulary(path), lambda v: isinstance(v, Vocabulary), extra=str(path))


def _read_vocabulary(path: Path) -> Vocabulary:
    problems = Problems(file=display_path(path))
    raw = load_yaml_file(path, problems.file)
    checked = _DOCUMENT.check(raw, Where("", getattr(raw, "line", 1)), problems)
    if checked is INVALID or problems.items:
        file, line, message = problems.items[0]
        raise YamlError(file, line, message)
    levels = tuple(Level(level["id"], level["title"], rank) for rank, level in enumerate(checked["levels"]))
    synonyms = _synonyms(checked["levels"], raw["levels"], problems)
    if problems.items:
        file, line, message = problems.items[0]
        raise YamlError(file, line, message)
    return Vocabulary(
        levels=levels,
        synonyms=synonyms,
        classification_keys=frozenset(normalize_key(k) for k in checked["classification_keys"]),
        workload_keys=tuple(normalize_key(k) for k in checked["workload_keys"]),
    )


def _synonyms(levels: list[dict], raw_levels: list, problems: Problems) -> dict[str, str]:
    """Normalised word -> level id; a word claimed by two levels would make a verdict depend on file order."""
    synonyms: dict[str, str] = {}
    for index, level in enumerate(levels):
        raw_words = raw_levels[index].get("synonyms") if isinstance(raw_levels[index], dict) else None
        for position, word in enumerate([level["id"], *level["synonyms"]]):
            key = normalize_value(word)
            owner = synonyms.get(key)
            if owner is not None and owner != level["id"]:
                line = raw_words.line_of(position - 1) if position and isinstance(raw_words, LineList) else level["_line"]
                problems.add(line, f"key 'levels[{index}].synonyms' of level '{level['id']}' repeats '{word}', already a synonym of level '{owner}'; expected each word to name one level")
                continue
            synonyms[key] = level["id"]
    return synonyms
