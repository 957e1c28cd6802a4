"""python-hcl2's grammar and post-lexer, with the fixes sovscan needs to read all valid Terraform.

python-hcl2 owns the grammar; sovscan loads it with a few named patches and
one more post-lexer pass, each for valid HCL that python-hcl2 8.x rejects
(and a file it rejects is a file whose resources go unjudged):

- **newlines inside brackets** (``NewlinesInBrackets``): HCL ignores newlines
  inside ``( )``, ``[ ]``, ``${ }`` and for expressions
  (https://github.com/hashicorp/hcl/blob/main/hclsyntax/spec.md, "newlines
  are ignored inside parentheses, brackets and for expressions"), so
  ``try(\\n  a\\n  .b\\n  .c, null)`` is one expression. python-hcl2's grammar
  only allows them in some places (a ``.attr`` or ``[i]`` starting a line
  fails: seen on GoogleCloudPlatform/cloud-foundation-fabric
  modules/gke-nodepool). The pass drops those newline tokens before the
  parser sees them; every token keeps its line, so lines stay right. (lark's
  contextual lexer only looks for a newline where python-hcl2's grammar
  allows one: a newline right after a unary ``!`` or ``-`` inside brackets
  is still refused, a form no real configuration was seen to use.)
- **inline block comments** are whitespace in HCL: ``resource /* x */ "a" "b" {``.
- ``unicode-names``: HCL identifiers are Unicode (UAX #31), ``locals { région = 1 }``.
- ``interpolation-strip-markers``: ``"${~ var.x ~}"`` strips the whitespace
  around an interpolation as it does around a directive
  (hclsyntax/spec.md, "Template Interpolations").
- ``heredoc-…-trailing-blanks``: a closing marker followed by spaces (``EOF␠␠``)
  still closes the heredoc, as Terraform's scanner reads it (python-hcl2 #343).
- ``namespaced-functions``: ``provider::NAME::ALIAS::FUNCTION(…)`` (OpenTofu
  1.7+, provider aliases) beside ``provider::NAME::FUNCTION(…)``.

A patch whose anchor is missing (a python-hcl2 that changed its grammar)
raises at load: tests/test_hcl_gaps.py then fails rather than sovscan
silently reading less.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from hcl2.postlexer import PostLexer
from lark import Token

# (name, text in python-hcl2's hcl2.lark, replacement)
PATCHES: tuple[tuple[str, str, str], ...] = (
    (
        "unicode-names",
        "NAME : /[a-zA-Z_][a-zA-Z0-9_-]*/",
        # ASCII as before; any other letter (str.isidentifier's classes, through \w) may start or continue a name
        "NAME : /(?:[a-zA-Z_]|[^\\W\\d\\x00-\\x7f])(?:[a-zA-Z0-9_-]|[^\\W\\x00-\\x7f])*/",
    ),
    (
        "interpolation-strip-markers",
        "interpolation: INTERP_START expression RBRACE",
        "interpolation: INTERP_START STRIP_MARKER? expression STRIP_MARKER? RBRACE",
    ),
    (
        "heredoc-marker-trailing-blanks",
        "(?:(?:.|\\n)*?\\r?\\n)??\\s*(?P=heredoc)\\r?\\n/",
        "(?:(?:.|\\n)*?\\r?\\n)??\\s*(?P=heredoc)[ \\t]*\\r?\\n/",
    ),
    (
        "heredoc-trim-marker-trailing-blanks",
        "(?:(?:.|\\n)*?\\r?\\n)??\\s*(?P=heredoc_trim)\\r?\\n/",
        "(?:(?:.|\\n)*?\\r?\\n)??\\s*(?P=heredoc_trim)[ \\t]*\\r?\\n/",
    ),
    (
        "namespaced-functions",
        "function_call : identifier (COLONS identifier COLONS identifier)? LPAR",
        "function_call : identifier (COLONS identifier)* LPAR",
    ),
)


class GrammarPatchError(RuntimeError):
    """python-hcl2's grammar no longer has a text a patch replaces."""


def grammar_path() -> Path:
    import hcl2

    return Path(hcl2.__file__).parent / "hcl2.lark"


def patched_grammar(text: str) -> str:
    for name, old, new in PATCHES:
        if text.count(old) != 1:
            raise GrammarPatchError(f"python-hcl2's grammar changed: patch {name!r} finds no single {old!r}")
        text = text.replace(old, new)
    return text


_OPENERS = {"LPAR": "(", "LSQB": "[", "LBRACE": "{", "INTERP_START": "${", "DIRECTIVE_START": "%{"}
_CLOSERS = {"RPAR", "RSQB", "RBRACE"}
_IGNORING = {"(", "[", "${", "%{", "for"}  # where HCL ignores newlines
_NOT_A_FOR = {"EQ", "COLON"}  # `for = "PT5M"` in a block body: an attribute named for, not a for expression


class NewlinesInBrackets(PostLexer):
    """python-hcl2's post-lexer, after a pass that drops the newlines HCL ignores."""

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        yield from super().process(self._drop_ignored_newlines(stream))

    @staticmethod
    def _drop_ignored_newlines(stream: Iterator[Token]) -> Iterator[Token]:
        stack: list[str] = []
        first_after_brace = False  # the next significant token opens the innermost "{"
        maybe_for = False  # "{ for" seen: the token after says whether it is a for expression
        for token in stream:
            kind = token.type
            if kind == "NL_OR_COMMENT":
                text = str(token)
                if text.startswith("/*") or (stack and stack[-1] in _IGNORING):
                    continue
                yield token
                continue
            if maybe_for:
                maybe_for = False
                if kind not in _NOT_A_FOR and stack and stack[-1] == "{":
                    stack[-1] = "for"
            if first_after_brace:
                first_after_brace = False
                if kind == "FOR":
                    maybe_for = True
            if kind in _OPENERS:
                stack.append(_OPENERS[kind])
                first_after_brace = kind == "LBRACE"
            elif kind in _CLOSERS and stack:
                stack.pop()
            yield token
