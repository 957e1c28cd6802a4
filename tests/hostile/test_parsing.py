"""The parsing layer on bad input, piece by piece: exact positions and messages, no exception but the documented ones."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest

from scanner.model import ScanError
from scanner.sources.terraform.syntax import ast
from scanner.sources.terraform.syntax.errors import unclosed
from scanner.sources.terraform.syntax.files import decode, discover, parse_text, printable, read_bytes, read_text
from scanner.sources.terraform.syntax.hcl import MAX_BLOCK_DEPTH, HclSyntaxError, parse_body, parse_expression
from scanner.sources.terraform.syntax.tfjson import parse_tf_json
from scanner.support.yamlload import MAX_YAML_BYTES, YamlError, load_yaml_file, load_yaml_text


def syntax_error(text: str) -> tuple[int | None, int | None, str]:
    with pytest.raises(HclSyntaxError) as caught:
        parse_body(text)
    return caught.value.line, caught.value.column, caught.value.message


# --------------------------------------------------------------------------- HCL syntax errors


@pytest.mark.parametrize(
    "text, line, column, message",
    [
        # an attribute without '=': at the end of its own line, not at the next '}'
        ('resource "a" "b" {\n  acl "private"\n}\n', 2, 16, "syntax error: expected '=' (an attribute) or '{' (a block) after 'acl \"private\"'"),
        ('locals {\n  region\n}\n', 2, 9, "syntax error: expected '=' (an attribute) or '{' (a block) after 'region'"),
        # unclosed things: where they open
        ('resource "a" "b" {\n  x = 1\n', 1, 18, "syntax error: this '{' is never closed"),
        ('locals {\n  x = [1,\n    2\n}\n', 2, 7, "syntax error: this '[' is never closed"),
        ('locals {\n  x = "abc\n}\n', 2, 7, "syntax error: this string is not closed on its line"),
        ('locals {\n  x = "${var.a"\n}\n', 2, 8, "syntax error: this '${' interpolation is never closed"),
        ('locals {\n  x = <<EOT\nhello\n}\n', 2, 7, "syntax error: heredoc <<EOT is never closed by a line holding only EOT"),
        ('locals {\n  x = 1\n}\n/* a comment\n', 4, 1, "syntax error: this '/*' comment is never closed"),
        # what is neither: lark's own position
        ('locals {\n  x = 1 +\n}\n', 3, 1, "syntax error: unexpected '}'"),
        ('}\n', 1, 1, "syntax error: unexpected '}'"),
        ('x = 1 = 2\n', 1, 7, "syntax error: unexpected '='"),
    ],
)
def test_a_syntax_error_points_at_the_mistake(text: str, line: int, column: int, message: str):
    got_line, got_column, got_message = syntax_error(text)
    assert (got_line, got_column) == (line, column)
    assert got_message.startswith(message)


@pytest.mark.parametrize(
    "text, name, value",
    [
        # https://github.com/hashicorp/hcl/blob/main/hclsyntax/spec.md#template-interpolations
        ('x = "a ${~ "b" ~} c"\n', "x", "abc"),
        ('x = "a ${"b" ~} c"\n', "x", "a bc"),
        # https://github.com/hashicorp/hcl/blob/main/hclsyntax/spec.md#identifiers
        ("locals {\n  café = 1\n}\n", "café", 1),
        ('resource "a" /* note */ "b" {\n  x = 1\n}\n', "x", 1),
    ],
)
def test_valid_terraform_python_hcl2_rejected_is_read(text: str, name: str, value):
    """Constructs python-hcl2 8.x rejects though Terraform accepts them (grammar.py patches them)."""
    from scanner.sources.terraform.lang.evaluator import Budget, Evaluator
    from scanner.sources.terraform.module.instances import _EMPTY_SCOPE

    body = parse_body(text)
    attributes = body.attributes or body.blocks[0].body.attributes
    attr = next(a for a in attributes if a.name == name)
    assert Evaluator(Budget(1000)).eval(attr.expr, _EMPTY_SCOPE) == value


@pytest.mark.parametrize(
    "text, line, column",
    [('module "db" {\n  source = "./\nmodules/db"\n}\n', 2, 12), ('resource "a\nb" "c" {\n}\n', 1, 10)],
)
def test_a_quoted_string_split_over_lines_is_refused_as_terraform_does(text: str, line: int, column: int):
    """python-hcl2 lets a line break into a quoted string; Terraform says "Invalid multi-line string"."""
    assert syntax_error(text) == (line, column, "syntax error: a quoted string cannot span lines; write \\n or use a heredoc (<<EOT)")


def test_strip_markers_in_a_heredoc_are_read():
    """sovscan parses heredoc bodies itself, so the gap above does not apply there."""
    body = parse_body('x = <<EOT\na ${~ "b" ~} c\nEOT\n')
    assert isinstance(body.attributes[0].expr, ast.Template)


def test_a_non_ascii_letter_inside_a_string_is_fine():
    body = parse_body('x = "café"\n')
    assert body.attributes[0].expr == ast.Literal("café", 1)


def test_crlf_line_ends_keep_lines_and_heredoc_text():
    body = parse_body('locals {\r\n  a = 1\r\n  b = <<EOT\r\nx\r\nEOT\r\n  c = 3\r\n}\r\n')
    attributes = {a.name: a for a in body.blocks[0].body.attributes}
    assert [attributes[n].line for n in "abc"] == [2, 3, 6]
    assert attributes["b"].expr == ast.Literal("x\n", 4)


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "/* a\n comment */\n", "   \t\n"])
def test_empty_and_comment_only_files_are_valid(text: str):
    assert parse_body(text) == ast.Body((), ())


def test_expressions_nested_too_deep_become_one_invalid_expression_with_their_line():
    body = parse_body("a = 1\nb = " + "[" * 3000 + "]" * 3000 + "\nc = 2\n")
    assert [a.name for a in body.attributes] == ["a", "b", "c"]
    assert body.attributes[1].expr == ast.Invalid("the expression is nested too deeply to evaluate", 2)


def test_blocks_nested_too_deep_are_refused_at_the_line_they_pass_the_limit():
    depth = MAX_BLOCK_DEPTH + 5
    line, _, message = syntax_error("a {\n" * depth + "}\n" * depth)
    assert (line, message) == (MAX_BLOCK_DEPTH + 1, f"blocks are nested more than {MAX_BLOCK_DEPTH} deep here; sovscan does not read the file")


def test_blocks_nested_to_the_limit_are_read():
    depth = MAX_BLOCK_DEPTH
    body = parse_body("a {\n" * depth + "}\n" * depth)
    for _ in range(depth - 1):
        body = body.blocks[0].body
    assert body.blocks[0].type == "a"


def test_the_garbage_collector_is_on_again_after_a_parse_error():
    assert gc.isenabled()
    with pytest.raises(HclSyntaxError):
        parse_body("x = {\n")
    assert gc.isenabled()


@pytest.mark.parametrize(
    "escape, char",
    [("\\u00e9", "é"), ("\\U0001F600", "😀"), ("\\ud800", "\ufffd"), ("\\uDFFF", "\ufffd"), ("\\U00110000", "\ufffd")],
)
def test_unicode_escapes_that_are_no_character_become_the_replacement_character(escape: str, char: str):
    """As Go's utf8.EncodeRune does for Terraform; a lone surrogate could not be written to a report."""
    assert parse_body(f'x = "{escape}"\n').attributes[0].expr == ast.Literal(char, 1)


def test_parse_expression_reports_columns_of_the_expression_itself():
    with pytest.raises(HclSyntaxError) as caught:
        parse_expression("1 + = 2", line=7)
    assert (caught.value.line, caught.value.column) == (7, 5)


@pytest.mark.parametrize(
    "text, line, column, message",
    [("{ team = ", 3, 1, "syntax error: this '{' is never closed"), ('["a", "b"', 3, 1, "syntax error: this '[' is never closed"), ('"abc', 3, 1, "syntax error: this string is not closed on its line")],
)
def test_parse_expression_points_at_what_the_expression_left_open(text: str, line: int, column: int, message: str):
    with pytest.raises(HclSyntaxError) as caught:
        parse_expression(text, line=3)
    assert (caught.value.line, caught.value.column, caught.value.message) == (line, column, message)


def test_unclosed_skips_strings_comments_and_heredocs():
    text = 'a = "}" # }\nb = <<EOT\n}\nEOT\nc = { d = "${ {} }" /* } */\n'
    found = unclosed(text)
    assert (found.kind, found.line, found.column) == ("{", 5, 5)
    assert unclosed('a = "x"\nb = [1, {c = "${d}"}]\n') is None


# --------------------------------------------------------------------------- .tf.json


def test_an_empty_tf_json_is_one_error():
    with pytest.raises(HclSyntaxError) as caught:
        parse_tf_json("  \n")
    assert (caught.value.line, caught.value.column, caught.value.message) == (1, 1, "a .tf.json file must hold a JSON object; this one is empty")


def test_a_lone_surrogate_in_tf_json_becomes_the_replacement_character():
    body = parse_tf_json('{"locals": {"a": "x\\ud800y", "b": "\\ud83d\\ude00"}}')
    values = {a.name: a.expr for a in body.blocks[0].body.attributes}
    assert values == {"a": ast.Literal("x\ufffdy", 1), "b": ast.Literal("😀", 1)}


def test_tf_json_nested_too_deep_is_an_error_with_its_line():
    with pytest.raises(HclSyntaxError) as caught:
        parse_tf_json('{"locals": {"a":\n' + "[" * 500 + "]" * 500 + "}}")
    assert (caught.value.line, caught.value.message) == (2, "JSON syntax error: nested too deeply")


# --------------------------------------------------------------------------- reading files


def test_a_fifo_is_refused_without_blocking(tmp_path: Path):
    fifo = tmp_path / "main.tf"
    os.mkfifo(fifo)
    assert read_text(fifo, "main.tf") == ScanError("main.tf", None, "not a regular file (a named pipe); skipped", kind="unreadable")


def test_a_folder_named_like_a_file_is_refused(tmp_path: Path):
    assert read_bytes(tmp_path, "x.tf") == ScanError("x.tf", None, "not a regular file (a folder); skipped", kind="unreadable")


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path):
    path = tmp_path / "big.tf"
    path.write_bytes(b"#" * 3 * 1024 * 1024)
    assert read_bytes(path, "big.tf", limit=1024 * 1024) == ScanError("big.tf", None, "file is 3.0 MB, over the 1 MB limit for one Terraform file; skipped", kind="unreadable")


def test_a_dangling_symlink_says_so(tmp_path: Path):
    os.symlink("nowhere.tf", tmp_path / "main.tf")
    assert read_text(tmp_path / "main.tf", "main.tf") == ScanError("main.tf", None, "broken symlink (its target does not exist); skipped", kind="unreadable")


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"\xef\xbb\xbfx = 1\n", "x = 1\n"),
        (b"x = 1\n# caf\xe9\n", ScanError("f.tf", 2, "not UTF-8 text (byte 0xe9); Terraform requires UTF-8; skipped", 6, kind="unreadable")),
        (b"\xef\xbb\xbf# \xc3\xa9t\xe9\n", ScanError("f.tf", 1, "not UTF-8 text (byte 0xe9); Terraform requires UTF-8; skipped", 5, kind="unreadable")),
        ("x = 1\n".encode("utf-16"), ScanError("f.tf", None, "UTF-16 text (Windows PowerShell writes it by default); Terraform requires UTF-8; skipped", kind="unreadable")),
        (b"x = 1\n\x00\x01", ScanError("f.tf", None, "binary file (NUL bytes); not Terraform text; skipped", kind="unreadable")),
    ],
)
def test_decoding(data: bytes, expected):
    assert decode(data, "f.tf") == expected


def test_names_shown_never_carry_control_characters():
    assert printable("a\x1b[31mb\nc\x7f.tf") == "a\\x1b[31mb\\x0ac\\x7f.tf"
    body, errors = parse_text('x = "\n', "bad\nname.tf")
    assert body is None and all("\n" not in e.message for e in errors)


def test_a_symlinked_folder_inside_the_root_is_not_walked_twice(tmp_path: Path):
    (tmp_path / "modules" / "db").mkdir(parents=True)
    (tmp_path / "modules" / "db" / "main.tf").write_text("", encoding="utf-8")
    os.symlink("modules/db", tmp_path / "db-link")
    found = discover(tmp_path)
    assert list(found.module_dirs) == ["modules/db"]
    assert found.errors == []


# --------------------------------------------------------------------------- YAML


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("a: 1\nb:\n\t- x\n", 3, "found character '\\t' that cannot start any token (YAML forbids tabs for indentation)"),
        ("a: 1\nb: 2\na: 3\n", 3, "duplicate key 'a' (first at line 1)"),
        ("a: 1\nb: " + "9" * 5000 + "\n", 2, "a number too long to read"),
        ("a: 1\nb: \x07\n", 2, "the control character U+0007 is not allowed in YAML"),
        ("a: &x [1, *x]\n", 1, "an alias refers to a value that contains it; refusing a recursive document"),
        ("a: !!python/object/apply:os.system [id]\n", 1, "could not determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'"),
        ("a:\n  b: " + "[" * 5000 + "]" * 5000 + "\n", 2, "the document is nested too deeply"),
    ],
)
def test_yaml_problems_are_one_error_with_their_line(text: str, line: int, message: str):
    with pytest.raises(YamlError) as caught:
        load_yaml_text(text, "x.yml")
    assert (caught.value.file, caught.value.line, caught.value.message) == ("x.yml", line, message)


def test_an_alias_bomb_is_refused_at_the_value_that_explodes():
    levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    with pytest.raises(YamlError) as caught:
        load_yaml_text("\n".join(levels) + "\n", "bomb.yml")
    assert caught.value.line == 6  # f: 9^6 nodes, the first value past 200 000


def test_yaml_with_a_bom_and_a_lone_surrogate_loads():
    assert load_yaml_text('\ufeffa: "x\\ud800"\n', "x.yml") == {"a": "x\ufffd"}


def test_a_yaml_file_that_is_not_utf8_names_the_line(tmp_path: Path):
    path = tmp_path / "c.yml"
    path.write_bytes(b"a: 1\nb: caf\xe9\n")
    with pytest.raises(YamlError) as caught:
        load_yaml_file(path, "c.yml")
    assert (caught.value.line, caught.value.message) == (2, "not UTF-8 text (byte 0xe9)")


def test_a_yaml_file_over_the_limit_is_refused(tmp_path: Path):
    path = tmp_path / "c.yml"
    path.write_bytes(b"#" * (MAX_YAML_BYTES + 1))
    with pytest.raises(YamlError) as caught:
        load_yaml_file(path, "c.yml")
    assert caught.value.message == "file is over the 8 MB limit for a YAML file"


def test_a_yaml_fifo_is_refused_without_blocking(tmp_path: Path):
    path = tmp_path / ".sovscan.yml"
    os.mkfifo(path)
    with pytest.raises(YamlError) as caught:
        load_yaml_file(path, ".sovscan.yml")
    assert (caught.value.line, caught.value.message) == (None, "not a regular file")
