"""The policy packs: the bundled ones load clean, and every kind of mistake in a pack or in the
vocabulary is one sentence naming file, line, key and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.evaluate.rules import RULE_OPTIONS
from scanner.model import Severity
from scanner.policy.catalog import load_catalog
from scanner.policy.pack import available_packs, load_pack, pack_path
from scanner.policy.vocabulary import load_vocabulary
from scanner.support.yamlload import YamlError

VOCABULARY = load_vocabulary()
SOURCES = frozenset(load_catalog().sources)

PACK = """\
id: p
version: "2026.11"
title: T
description: D
references:
  R9: "rule R9"
rules:
  - id: a-rule
    kind: area
    levels: [sensitive]
    severity: high
    options: {area: eu}
    on_unknown: unv
    references: [R9]
    sources: [S01]
    summary: s
    why: w
    example_pass: p
    example_fail: f
  - id: unv
    kind: unverified
    levels: [sensitive]
    severity: high
    summary: s
    why: w
    example_pass: p
    example_fail: f
"""


def _load(tmp_path: Path, text: str, name: str = "p"):
    path = tmp_path / f"{name}.yml"
    path.write_text(text, encoding="utf-8")
    pack, problems = load_pack(path, VOCABULARY, SOURCES, kinds=RULE_OPTIONS)
    assert all(file == str(path) for file, _, _ in problems)
    return pack, [(line, message) for _, line, message in problems]


@pytest.mark.parametrize("name", available_packs())
def test_bundled_pack_loads_without_problems(name):
    pack, problems = load_pack(pack_path(name), VOCABULARY, SOURCES, kinds=RULE_OPTIONS)
    assert problems == []
    assert pack.id == name and pack.file == f"policies/packs/{name}.yml"


def test_both_packs_are_bundled():
    assert available_packs() == ["eu", "fr-state"]


def test_every_rule_documents_itself():
    for name in available_packs():
        pack, _ = load_pack(pack_path(name), VOCABULARY, SOURCES, kinds=RULE_OPTIONS)
        for rule in pack.rules:
            assert rule.summary.endswith(".") and rule.why and rule.example_pass.strip() and rule.example_fail.strip(), rule.id
            assert rule.kind in ("unclassified", "unrecognised") or rule.references, f"{name}:{rule.id} cites no legal reference"


def test_fr_state_review_against_reference():
    """REFERENCE.md §5: classified data needs a homologation and an unknown hosting is never a pass."""
    pack, _ = load_pack(pack_path("fr-state"), VOCABULARY, SOURCES, kinds=RULE_OPTIONS)
    assert pack.rule("classified-data-without-homologation").options == {"scheme": "IGI1300-homologation"}
    assert pack.rule("classified-data-in-commercial-cloud").on_unknown == "sensitive-data-hosting-unverified"
    assert pack.rule("internal-data-outside-eu").on_unknown == "internal-data-hosting-unverified"
    unverified_levels = set().union(*(r.levels for r in pack.rules if r.kind == "unverified"))
    judged_levels = set().union(*(r.levels for r in pack.rules if r.kind != "unverified"))
    assert judged_levels <= unverified_levels


def test_eu_pack_seal_minimum_per_objective():
    pack, _ = load_pack(pack_path("eu"), VOCABULARY, SOURCES, kinds=RULE_OPTIONS)
    rule = pack.rule("sensitive-data-below-seal-minimum")
    assert rule.kind == "seal" and rule.severity == Severity.HIGH
    assert rule.options == {"minimum": {f"SOV-{n}": 2 for n in range(1, 9)}}
    assert rule.on_unknown == "sensitive-data-hosting-unverified"
    assert rule.levels == {"sensitive", "restricted", "classified"}


def test_valid_pack(tmp_path):
    pack, problems = _load(tmp_path, PACK)
    assert problems == []
    assert [r.id for r in pack.rules] == ["a-rule", "unv"]
    assert pack.rule("a-rule").reference_ids == ("R9",) and pack.rule("a-rule").references == ("rule R9",)


CASES = {
    "unknown-key": (
        PACK.replace("    severity: high\n    options", "    severty: high\n    options", 1),
        [
            (11, "unknown key 'rules[0].severty' in rule; expected one of: id, kind, levels, severity, options, on_unknown, references, sources, summary, why, example_pass, example_fail"),
            (8, "rule 'rules[0]' lacks the required key 'severity' (one of: info, low, medium, high, critical)"),
        ],
    ),
    "wrong-type": (
        PACK.replace("levels: [sensitive]\n    severity: high\n    options", "levels: sensitive\n    severity: high\n    options", 1),
        [(10, "key 'rules[0].levels' is the text 'sensitive'; expected a list of text")],
    ),
    "unknown-level": (
        PACK.replace("levels: [sensitive]", "levels: [secret-defense]", 1),
        [(10, "key 'rules[0].levels' of rule 'a-rule' names unknown level(s) secret-defense; expected levels of policies/vocabulary.yml: classified, health, internal, personal, public, restricted, sensitive")],
    ),
    "unknown-kind": (
        PACK.replace("kind: area", "kind: areas"),
        [(9, "key 'rules[0].kind' of rule 'a-rule' is 'areas'; expected a rule kind, one of: area, attestation, commercial, exposure, qualification, seal, unclassified, unrecognised, unverified")],
    ),
    "bad-option": (
        PACK.replace("{area: eu}", "{area: europe}"),
        [(12, "key 'rules[0].options.area' is the text 'europe'; expected one of: eu, eea, eea_or_adequacy")],
    ),
    "on-unknown-missing-rule": (
        PACK.replace("on_unknown: unv", "on_unknown: nope"),
        [(13, "key 'rules[0].on_unknown' of rule 'a-rule' names 'nope'; expected a rule of kind 'unverified' in this pack: unv")],
    ),
    "on-unknown-not-unverified": (
        PACK.replace("on_unknown: unv", "on_unknown: a-rule"),
        [(13, "key 'rules[0].on_unknown' of rule 'a-rule' names 'a-rule'; expected a rule of kind 'unverified' in this pack: unv")],
    ),
    "missing-reference": (
        PACK.replace("references: [R9]\n    sources", "references: [R9, SREN]\n    sources"),
        [(14, "key 'rules[0].references' of rule 'a-rule' names SREN, not defined in the pack's references; expected one of: R9")],
    ),
    "unused-reference": (
        PACK.replace('  R9: "rule R9"\n', '  R9: "rule R9"\n  GDPR: "gdpr"\n'),
        [(7, "key 'references.GDPR' is cited by no rule; expected every reference to be used (remove it or cite it)")],
    ),
    "unknown-source": (
        PACK.replace("sources: [S01]", "sources: [S01, S999]"),
        [(15, "key 'rules[0].sources' of rule 'a-rule' cites S999; expected source ids defined in policies/catalog/sources.yml")],
    ),
    "malformed-source": (
        PACK.replace("sources: [S01]", "sources: [REF1]"),
        [(15, "key 'rules[0].sources[0]' is the text 'REF1'; expected a source id such as S12 (see policies/catalog/sources.yml)")],
    ),
    "version": (
        PACK.replace('version: "2026.11"', "version: latest"),
        [(2, "key 'version' is the text 'latest'; expected a version written YYYY.MM such as 2026.11")],
    ),
    "duplicate-rule": (
        PACK + PACK[PACK.index("  - id: unv"):],
        [(28, "key 'rules[2].id' is 'unv', already the id of the rule at line 20; expected each rule id once")],
    ),
    "seal-options": (
        PACK.replace("kind: area", "kind: seal").replace("{area: eu}", "{minimum: {SOV-9: 2, SOV-1: 5}}"),
        [
            (12, "key 'rules[0].options.minimum.SOV-9' is the text 'SOV-9'; expected an objective, one of: SOV-1, SOV-2, SOV-3, SOV-4, SOV-5, SOV-6, SOV-7, SOV-8"),
            (12, "key 'rules[0].options.minimum.SOV-1' is the number 5; expected a whole number >= 0 and <= 4"),
        ],
    ),
    "id-not-file-name": (
        PACK.replace("id: p\n", "id: q\n", 1),
        [(1, "key 'id' is 'q'; expected 'p', the name of the pack's file")],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_pack_problem_is_one_exact_sentence(tmp_path, case):
    text, expected = CASES[case]
    pack, problems = _load(tmp_path, text)
    assert problems == expected
    # A broken rule is dropped and the rest of the pack still loads; a broken header stops the pack.
    assert (pack is None) == (case == "version")


def test_broken_rule_is_dropped_and_the_others_kept(tmp_path):
    pack, problems = _load(tmp_path, PACK.replace("{area: eu}", "{area: europe}"))
    assert [r.id for r in pack.rules] == ["unv"]
    assert problems == [(12, "key 'rules[0].options.area' is the text 'europe'; expected one of: eu, eea, eea_or_adequacy")]


def test_duplicate_yaml_key_stops_the_pack(tmp_path):
    pack, problems = _load(tmp_path, PACK.replace("    why: w\n", "    why: w\n    why: x\n", 1))
    assert pack is None
    assert problems == [(18, "duplicate key 'why' (first at line 17)")]


# --------------------------------------------------------------------------- vocabulary

VOCAB = """\
classification_keys: [data_classification]
workload_keys: [workload]
levels:
  - id: public
    title: Public
    synonyms: [open]
  - id: internal
    title: Internal
    synonyms: [interne, open-data]
"""


def _vocabulary_error(tmp_path: Path, text: str) -> tuple[str, int | None, str]:
    path = tmp_path / "vocabulary.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(YamlError) as info:
        load_vocabulary(path)
    return info.value.file, info.value.line, info.value.message


def test_vocabulary_loads(tmp_path):
    path = tmp_path / "vocabulary.yml"
    path.write_text(VOCAB, encoding="utf-8")
    vocabulary = load_vocabulary(path)
    assert vocabulary.synonyms == {"public": "public", "open": "public", "internal": "internal", "interne": "internal", "open-data": "internal"}
    assert [level.rank for level in vocabulary.levels] == [0, 1]


def test_vocabulary_word_of_two_levels(tmp_path):
    file, line, message = _vocabulary_error(tmp_path, VOCAB.replace("[interne, open-data]", "[interne, Open]"))
    assert (file, line, message) == (str(tmp_path / "vocabulary.yml"), 9, "key 'levels[1].synonyms' of level 'internal' repeats 'Open', already a synonym of level 'public'; expected each word to name one level")


def test_vocabulary_unknown_key(tmp_path):
    _, line, message = _vocabulary_error(tmp_path, VOCAB.replace("    title: Public\n", "    title: Public\n    rank: 0\n"))
    assert (line, message) == (6, "unknown key 'levels[0].rank' in level; expected one of: id, title, synonyms")


def test_vocabulary_wrong_type(tmp_path):
    _, line, message = _vocabulary_error(tmp_path, VOCAB.replace("workload_keys: [workload]", "workload_keys: workload"))
    assert (line, message) == (2, "key 'workload_keys' is the text 'workload'; expected a list of text")


def test_bundled_vocabulary_words_name_one_level_each():
    words = {}
    for word, level in VOCABULARY.synonyms.items():
        words.setdefault(word, set()).add(level)
    assert all(len(levels) == 1 for levels in words.values())
