"""Say what is wrong with an HCL file that does not parse, in one sentence, where the mistake is.

lark reports where its parser gave up, which is often not where the author
went wrong: an attribute that lost its ``=`` fails at the next line's ``}``,
an unclosed block at the end of the file. This module moves the report back
to the mistake (the line that needs ``=``, the ``{`` or string that is never
closed). Valid Terraform that python-hcl2's grammar used to reject is read
(``grammar.py``), so it needs no message here.

It only reads the text it is given; it never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][\w-]*)[ \t]*\r?\n")
_HEADER = r'[^\W\d][\w-]*(?:\s+(?:"[^"\n]*"|[^\W\d][\w-]*))*'  # a name, then labels
_NAME_AND_LABELS = re.compile(_HEADER)

_TOKEN_NAMES = {
    "RBRACE": "'}'", "LBRACE": "'{'", "RSQB": "']'", "LSQB": "'['", "RPAR": "')'", "LPAR": "'('",
    "EQ": "'='", "COMMA": "','", "COLON": "':'", "DBLQUOTE": "'\"'", "NAME": "a name", "IF": "'if'",
}
_CLOSERS = {"}": "{", "]": "[", ")": "("}
_CLOSED_BY = {"{": "'{' is never closed", "[": "'[' is never closed", "(": "'(' is never closed",
              '"': "string is not closed on its line", "${": "'${' interpolation is never closed",
              "%{": "'%{' directive is never closed", "/*": "'/*' comment is never closed"}


@dataclass(frozen=True, slots=True)
class Opener:
    """A bracket, string, heredoc or comment that opens at ``line``:``column`` (1-based)."""

    kind: str  # "{", "[", "(", '"', "${", "%{", "/*" or "<<MARKER"
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class _Failure:
    """Where and how lark gave up."""

    exc: UnexpectedInput
    pos: int | None  # index in the text of the token it could not take
    line: int | None
    column: int | None
    at_end: bool
    expected: tuple[str, ...]


Explanation = tuple[str, "int | None", "int | None"]


def explain(exc: UnexpectedInput, text: str) -> Explanation:
    """(message, line, column) for a parse error of ``text``: the first reading below that fits."""
    failure = _failure(exc, text)
    for reading in (_left_open, _only_a_closer_may_come, _closed_too_early, _line_break_before):
        found = reading(failure, text)
        if found is not None:
            return found
    return _generic(exc, list(failure.expected)), failure.line, failure.column


def _failure(exc: UnexpectedInput, text: str) -> _Failure:
    line = exc.line if exc.line and exc.line > 0 else None
    column = exc.column if exc.column and exc.column > 0 else None
    pos = _position(exc, text)
    if pos is not None and column is not None:
        # python-hcl2's operator tokens carry the blanks before them (" ="): point at the operator.
        blanks = len(text[pos:]) - len(text[pos:].lstrip(" \t"))
        if blanks and pos + blanks < len(text) and text[pos + blanks] != "\n":
            pos, column = pos + blanks, column + blanks
    at_end = isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END")
    return _Failure(exc, pos, line, column, at_end, tuple(_expected(exc)))


def _left_open(failure: _Failure, text: str) -> Explanation | None:
    """At the end of the file, or at a token that is itself what never closes (a heredoc, a comment)."""
    opener = unclosed(text)
    if opener is None:
        return None
    if failure.at_end or "STRING_CHARS" in failure.expected or (opener.line, opener.column) == (failure.line, failure.column):
        return f"syntax error: {describe_opener(opener)}", opener.line, opener.column
    return None


def _only_a_closer_may_come(failure: _Failure, text: str) -> Explanation | None:
    """When the parser can only take a closing bracket, what is still open is what is unfinished."""
    if failure.pos is None or not isinstance(failure.exc, UnexpectedToken):
        return None
    expected = set(failure.expected) - {"STRIP_MARKER", "NL_OR_COMMENT"}  # optional before any closer
    if not expected or not expected <= {"RBRACE", "RSQB", "RPAR"}:
        return None
    inner = unclosed(text[:failure.pos])
    if inner is not None and inner.kind in ("${", "%{", "{", "[", "("):
        return f"syntax error: {describe_opener(inner)}", inner.line, inner.column
    return None


def _closed_too_early(failure: _Failure, text: str) -> Explanation | None:
    """A '}' where a '[' is still open: the '[' is the mistake."""
    if failure.pos is None or not isinstance(failure.exc, UnexpectedToken) or text[failure.pos] not in _CLOSERS:
        return None
    closer = text[failure.pos]
    inner = unclosed(text[:failure.pos])
    if inner is not None and inner.kind in _CLOSERS.values() and _CLOSERS[closer] != inner.kind:
        return f"syntax error: {describe_opener(inner)} (a {closer!r} on line {failure.line} comes first)", inner.line, inner.column
    return None


# --------------------------------------------------------------------------- where the parser stopped

def _position(exc: UnexpectedInput, text: str) -> int | None:
    if isinstance(exc, UnexpectedToken):
        pos = getattr(exc.token, "start_pos", None)
    else:
        pos = getattr(exc, "pos_in_stream", None)
    return pos if isinstance(pos, int) and 0 <= pos < len(text) else None


def _expected(exc: UnexpectedInput) -> list[str]:
    names = getattr(exc, "expected", None) or getattr(exc, "allowed", None) or ()
    return sorted(n for n in names if n != "NL_OR_COMMENT" and not n.startswith("__"))


def _readable(names: list[str]) -> str:
    return ", ".join(_TOKEN_NAMES.get(n, n) for n in names)


def _generic(exc: UnexpectedInput, expected: list[str]) -> str:
    if isinstance(exc, UnexpectedCharacters):
        return f"syntax error: unexpected character {getattr(exc, 'char', '?')!r}"
    if isinstance(exc, UnexpectedEOF):
        return "syntax error: unexpected end of file (an unclosed block, string or bracket?)"
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        if token.type == "$END":
            hint = f"; expected {_readable(expected)}" if expected and len(expected) <= 4 else ""
            return f"syntax error: unexpected end of file{hint} (an unclosed block or bracket?)"
        if "STRING_CHARS" in expected:
            return f"syntax error: unexpected {_first_line(str(token))!r} inside a string"
        shown = _first_line(str(token)) or token.type
        hint = f"; expected {_readable(expected)}" if expected and len(expected) <= 6 else ""
        return f"syntax error: unexpected {shown!r}{hint}"
    return "syntax error"


def _first_line(text: str) -> str:
    stripped = text.strip()
    return stripped.splitlines()[0][:30] if stripped else ""


# --------------------------------------------------------------------------- a line that needs '=' or '{'

def _line_break_before(failure: _Failure, text: str) -> Explanation | None:
    """``acl "private"`` then a line break: the parser fails on the next line, the mistake is here."""
    if failure.pos is None or not isinstance(failure.exc, UnexpectedToken) or "LBRACE" not in failure.expected:
        return None
    pos = failure.pos
    before = text[:pos].rstrip(" \t\r\n")
    if not before or "\n" not in text[len(before):pos]:
        return None
    line_start = before.rfind("\n") + 1
    snippet = before[line_start:].strip()
    if not _NAME_AND_LABELS.fullmatch(snippet):
        return None
    line = before.count("\n") + 1
    column = len(before) - line_start + 1
    shown = snippet if len(snippet) <= 40 else snippet[:39] + "…"
    return f"syntax error: expected '=' (an attribute) or '{{' (a block) after {shown!r}", line, column


# --------------------------------------------------------------------------- what is left open

def unclosed(text: str) -> Opener | None:
    """The innermost bracket, string, interpolation, heredoc or comment still open at the end of ``text``.

    A small scanner of HCL's lexical structure (strings, ``${`` nesting,
    comments, heredocs); it does not check the grammar.
    """
    stack: list[Opener] = []
    i, line, line_start = 0, 1, 0
    end = len(text)

    def opener(kind: str, at: int) -> Opener:
        return Opener(kind, line, at - line_start + 1)

    while i < end:
        char = text[i]
        in_string = bool(stack) and stack[-1].kind == '"'
        if char == "\n":
            if in_string:
                return _open_on_line(stack, line)  # a quoted string ends on its own line
            line, line_start = line + 1, i + 1
            i += 1
            continue
        if in_string:
            if char == "\\":
                i += 2
            elif text.startswith(("$${", "%%{"), i):
                i += 3
            elif text.startswith(("${", "%{"), i):
                stack.append(opener(text[i:i + 2], i))
                i += 2
            else:
                if char == '"':
                    stack.pop()
                i += 1
            continue
        if char == "#" or text.startswith("//", i):
            newline = text.find("\n", i)
            i = end if newline < 0 else newline
            continue
        if text.startswith("/*", i):
            close = text.find("*/", i + 2)
            if close < 0:
                return opener("/*", i)
            skipped = text.count("\n", i, close)
            if skipped:
                line, line_start = line + skipped, text.rfind("\n", i, close) + 1
            i = close + 2
            continue
        heredoc = _HEREDOC.match(text, i) if char == "<" else None
        if heredoc:
            start = opener("<<" + heredoc.group(2), i)
            stop = _heredoc_end(text, heredoc.end(), heredoc.group(2))
            if stop is None:
                return start
            skipped = text.count("\n", i, stop)
            line, line_start = line + skipped, text.rfind("\n", i, stop) + 1
            i = stop
            continue
        if char in "{[(\"":
            stack.append(opener(char, i))
        elif char in "}])" and stack:
            stack.pop()  # a mismatched closer is the parser's to report
        i += 1
    return stack[-1] if stack else None


def _open_on_line(stack: list[Opener], line: int) -> Opener:
    """What a line break inside a quoted string leaves open: an interpolation, or else the string itself."""
    on_line = [o for o in stack if o.line == line]
    for opener in on_line:
        if opener.kind in ("${", "%{"):
            return opener
    return on_line[0] if on_line else stack[-1]


def _heredoc_end(text: str, start: int, marker: str) -> int | None:
    """Index just after the line holding only ``marker``, or None when there is none."""
    pos = start
    while pos <= len(text):
        newline = text.find("\n", pos)
        stop = len(text) if newline < 0 else newline
        if text[pos:stop].strip() == marker:
            return stop
        if newline < 0:
            return None
        pos = newline + 1
    return None


def describe_opener(opener: Opener) -> str:
    if opener.kind.startswith("<<"):
        marker = opener.kind[2:]
        return f"heredoc <<{marker} is never closed by a line holding only {marker}"
    return "this " + _CLOSED_BY.get(opener.kind, f"{opener.kind!r} is never closed")
