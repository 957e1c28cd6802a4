"""A bounded fuzzing smoke run of the HCL path: real fixture files, mutated, parsed and scanned.

Mutations insert HCL's significant characters (brackets, quotes, ``${``,
``%{``, ``~``, heredoc markers, comment openers, line breaks, control and
non-ASCII characters), delete or duplicate spans. Whatever comes out, the
parsing layer returns a tree or one-line errors, and the whole Terraform
source returns resources and errors: no exception, no hang.

The budget is fixed and derandomised so the suite is stable (a few seconds);
``SOVSCAN_HYPOTHESIS_EXAMPLES`` explores with fresh random examples.
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.sources.terraform.extract.collect import scan_folder
from scanner.sources.terraform.module.inputs import VariableOptions
from scanner.sources.terraform.syntax.files import parse_text

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(
    p for p in (ROOT / "fixtures").rglob("*")
    if p.is_file() and p.name.endswith((".tf", ".tf.json", ".tfvars")) and p.stat().st_size < 6000 and "deeply-nested" not in str(p)
)
TEXTS = [p.read_bytes().decode("utf-8", "replace") for p in SOURCES]

EXPLORE = os.environ.get("SOVSCAN_HYPOTHESIS_EXAMPLES")


def _budget(examples: int) -> settings:
    return settings(
        max_examples=int(EXPLORE) if EXPLORE else examples,
        derandomize=not EXPLORE,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


SIGNIFICANT = st.sampled_from(
    ["{", "}", "[", "]", "(", ")", '"', "${", "%{", "~", "}", "\\", "\n", "\r\n", "<<EOT\n", "\nEOT\n", "<<-", "#", "//", "/*", "*/",
     "=", "==", "=>", "...", ":", "?", ",", ".", "*", "!", "&&", "-", "for ", " in ", "if ", "null", "true", "\t", "\x00", "\x1b", "é", "\ud7ff", "😀", "\u200b"]
)


@st.composite
def mutated(draw) -> tuple[str, str]:
    index = draw(st.integers(0, len(TEXTS) - 1))
    text = TEXTS[index]
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "insert", "delete", "duplicate"]))
        if action == "insert":
            text = text[:at] + draw(SIGNIFICANT) + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        else:
            text = text[:at] + text[at:at + draw(st.integers(1, 80))] + text[at:]
    name = SOURCES[index].name if SOURCES[index].name.endswith((".tf", ".tf.json")) else "fuzz.tf"
    return name, text


@_budget(150)
@given(mutated())
def test_the_parsing_layer_returns_a_tree_or_one_line_errors(case: tuple[str, str]):
    name, text = case
    body, errors = parse_text(text, name)
    assert body is not None or errors, "a file that does not parse says why"
    for error in errors:
        assert error.file == name and "\n" not in error.message and "\r" not in error.message
        assert error.message != "syntax error", "hcl_errors.explain failed and its fallback was used"
        assert error.line is None or error.line >= 1


@_budget(60)
@given(mutated())
def test_the_whole_terraform_source_survives_mutated_files(tmp_path_factory, case: tuple[str, str]):
    name, text = case
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / name).write_text(text, encoding="utf-8", errors="replace")
    result = scan_folder(folder, VariableOptions())
    for error in result.errors:
        assert "\n" not in error.message
