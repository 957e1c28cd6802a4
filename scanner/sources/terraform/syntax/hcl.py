"""Parse HCL text into sovscan's syntax tree (``ast``) with line numbers.

python-hcl2 owns the grammar and the post-lexer; we use the lark parse tree
directly instead of its dict output, which leaves every expression as a
``${…}`` string to be parsed a second time, and build the parser without
position propagation (half the parse time; lines come from tokens). The
compiled parser is kept in sovscan's cache directory under a name that
hashes what it is made of.

Hostile input stays cheap: blocks and expressions nested deeper than any
real configuration are refused with their line (instead of a RecursionError
at a depth that depends on the Python build), and the cyclic garbage
collector is paused while lark builds a tree, which has no cycles to find
and would otherwise rescan the growing tree (parsing runs about twice as
fast). Error messages come from ``hcl_errors``.
"""

from __future__ import annotations

import gc
import hashlib
import io
import re
import sys
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedInput

from scanner.sources.terraform.syntax import ast

NEWLINE = "new_line_or_comment"
_SKIP = {NEWLINE}

# Deeper than any real configuration, far below Python's recursion limit.
MAX_BLOCK_DEPTH = 32
MAX_EXPRESSION_DEPTH = 200  # levels of lark's tree; one HCL bracket or operator is one or two


class HclSyntaxError(Exception):
    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@cache
def _parser() -> Lark:
    """python-hcl2's grammar and post-lexer, patched (``grammar.py``), as an LALR parser without position propagation.

    python-hcl2 builds its parser with ``propagate_positions=True``, which
    gives every tree node a ``meta`` and doubles the parse time; sovscan takes
    a node's line from its first token instead (``_line``), so it builds its
    own parser from the same grammar. Compiling the grammar costs over a
    second, so the compiled parser is saved in sovscan's cache directory
    (``grammar_file``) and loaded from there on later runs.
    """
    from scanner.sources.terraform.syntax.grammar import NewlinesInBrackets, grammar_path, patched_grammar
    from scanner.support.cache import grammar_dir

    text = patched_grammar(grammar_path().read_text(encoding="utf-8"))
    directory = grammar_dir()
    if directory is None:  # no usable cache directory: lark's own cache, in the temporary folder
        return Lark(text, cache=True, postlex=NewlinesInBrackets(), **_PARSER_OPTIONS)
    saved = directory / grammar_file(text.encode("utf-8"))
    try:
        with saved.open("rb") as handle:
            return Lark.load(handle)
    except Exception:  # noqa: BLE001 - missing, damaged or written by another lark: compile it again
        pass
    parser = Lark(text, postlex=NewlinesInBrackets(), **_PARSER_OPTIONS)
    _save(parser, saved)
    return parser


_PARSER_OPTIONS: dict[str, Any] = {"parser": "lalr", "propagate_positions": False}


def grammar_file(grammar: bytes) -> str:
    """The compiled parser's file name: a hash of what it is made from, not of where it is kept.

    lark's own cache (``cache="path"``) hashes the path too, so a cache
    folder restored elsewhere (a CI cache in another build folder) would
    compile the grammar again.
    """
    import lark

    digest = hashlib.sha256(grammar)
    digest.update(f"{lark.__version__}|{sys.version_info[:2]}|{sorted(_PARSER_OPTIONS.items())}".encode())
    return f"hcl2-grammar-{digest.hexdigest()[:24]}.lark"


def _save(parser: Lark, path: Path) -> None:
    """Written atomically, so a concurrent run reads the whole file or none (and a failure costs only the next run)."""
    from scanner.support.cache import write_atomically

    data = io.BytesIO()
    parser.save(data)
    write_atomically(path, data.getvalue(), prefix=".hcl2-grammar-")


def parse_tree(text: str) -> Tree:
    """The raw lark tree of an HCL document (python-hcl2's grammar)."""
    source = text + "\n"
    try:
        with _collector_paused():
            return _parser().parse(source)
    except UnexpectedInput as exc:
        from scanner.sources.terraform.syntax.errors import explain  # only for a file that does not parse

        try:
            message, line, column = explain(exc, source)
        except Exception:  # a better message is not worth a crash: lark's position stays
            message, line, column = "syntax error", exc.line if exc.line > 0 else None, exc.column if exc.column > 0 else None
        raise HclSyntaxError(message, line, column) from None
    except LarkError as exc:
        raise HclSyntaxError(f"syntax error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    except RecursionError:
        raise HclSyntaxError("the file is nested too deeply to parse") from None


@contextmanager
def _collector_paused():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse_body(text: str) -> ast.Body:
    """Parse a whole .tf or .tfvars file."""
    tree = parse_tree(text)
    try:
        return _body(tree.children[0], 0)
    except RecursionError:
        raise HclSyntaxError("the file is nested too deeply") from None


_EXPRESSION_PREFIX = "__x = ("


def parse_expression(text: str, line: int = 1) -> ast.Expr:
    """Parse a single expression (from a template, a --var value or a .tf.json string)."""
    # Leading newlines put every node on the line the text came from.
    line = max(1, line)
    try:
        tree = parse_tree("\n" * (line - 1) + f"{_EXPRESSION_PREFIX}{text}\n)")
    except HclSyntaxError as exc:
        from scanner.sources.terraform.syntax.errors import describe_opener, unclosed

        opener = unclosed(text)
        if opener is not None:  # the parser stumbled on the ")" sovscan added, the mistake is earlier
            raise HclSyntaxError(f"syntax error: {describe_opener(opener)}", line + opener.line - 1, opener.column) from None
        if exc.line == line and exc.column:  # columns of the first line count from the expression
            exc.column = max(1, exc.column - len(_EXPRESSION_PREFIX))
        raise
    try:
        body = _body(tree.children[0], 0)
    except RecursionError:
        raise HclSyntaxError("an expression is nested too deeply", line) from None
    if len(body.attributes) != 1 or body.blocks:
        raise HclSyntaxError("not a single expression", line)
    return body.attributes[0].expr


# --------------------------------------------------------------------------- tree walking

def _line(node: Any, default: int = 0) -> int:
    """A node's line: its first token's (the parser keeps no positions on tree nodes)."""
    token = _first_token(node)
    return (token.line or default) if token is not None else default


def _first_token(node: Any) -> Token | None:
    """The leftmost token under a node, without recursion (hostile input nests deeply)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Token):
            return current
        stack.extend(reversed(getattr(current, "children", ())))
    return None


def _subtrees(node: Tree) -> list[Tree]:
    return [c for c in node.children if isinstance(c, Tree) and c.data not in _SKIP]


def _body(node: Tree, depth: int) -> ast.Body:
    attributes: list[ast.Attribute] = []
    blocks: list[ast.Block] = []
    for child in _subtrees(node):
        if child.data == "attribute":
            name_node, expr_node = _subtrees(child)[0], _subtrees(child)[-1]
            line = _line(child)
            if _deeper_than(expr_node, MAX_EXPRESSION_DEPTH):
                expr: ast.Expr = ast.Invalid("the expression is nested too deeply to evaluate", line)
            else:
                try:
                    expr = _expr(expr_node)
                except RecursionError:
                    expr = ast.Invalid("the expression is nested too deeply to evaluate", line)
            attributes.append(ast.Attribute(_name_of(name_node), expr, line))
        elif child.data == "block":
            if depth >= MAX_BLOCK_DEPTH:
                raise HclSyntaxError(f"blocks are nested more than {MAX_BLOCK_DEPTH} deep here; sovscan does not read the file", _line(child))
            blocks.append(_block(child, depth + 1))
    return ast.Body(tuple(attributes), tuple(blocks))


def _deeper_than(node: Any, limit: int) -> bool:
    """Whether a lark tree is deeper than ``limit``, without recursion."""
    stack = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(current, Tree):
            stack.extend((child, depth + 1) for child in current.children if isinstance(child, Tree))
    return False


def _block(node: Tree, depth: int) -> ast.Block:
    names: list[str] = []
    body: ast.Body = ast.EMPTY_BODY
    end_line = _line(node)
    for child in node.children:
        if isinstance(child, Tree):
            if child.data == "body":
                body = _body(child, depth)
            elif child.data == "string":
                names.append(_plain_string(child))
            elif child.data in ("identifier", "keyword", "literal_value"):
                names.append(_name_of(child))
        elif isinstance(child, Token) and child.type == "RBRACE":
            end_line = child.line or end_line
    return ast.Block(names[0], tuple(names[1:]), body, _line(node), end_line)


def _name_of(node: Tree) -> str:
    token = node.children[0]
    return str(token)


def _plain_string(node: Tree) -> str:
    parts = []
    for part in node.children:
        if isinstance(part, Tree) and part.data == "string_part":
            inner = part.children[0]
            if isinstance(inner, Token):
                parts.append(_unescape(_one_line_chars(inner, node)) if inner.type == "STRING_CHARS" else str(inner)[1:])
    return "".join(parts)


def _one_line_chars(token: Token, string: Tree) -> str:
    """The literal text of a quoted string, which Terraform refuses to split over lines.

    python-hcl2 lets a line break into a quoted string; Terraform says
    "Invalid multi-line string" (https://github.com/hashicorp/hcl/blob/main/hclsyntax/spec.md#template-expressions).
    """
    text = str(token)
    if "\n" in text:
        first = _first_token(string)
        line, column = (first.line, first.column) if first is not None else (None, None)
        raise HclSyntaxError("syntax error: a quoted string cannot span lines; write \\n or use a heredoc (<<EOT)", line, column)
    return text


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_ESCAPE_RE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.DOTALL)


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text

    def repl(m: re.Match) -> str:
        seq = m.group(1)
        if seq[0] in "uU" and len(seq) > 1:
            try:
                code = int(seq[1:], 16)
                # Go's utf8.EncodeRune, which Terraform uses, writes U+FFFD for what is not a character.
                return "\ufffd" if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF else chr(code)
            except ValueError:
                return m.group(0)
        return _ESCAPES.get(seq, m.group(0))

    return _ESCAPE_RE.sub(repl, text)


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return float(text)


def _expr(node: Any) -> ast.Expr:
    if isinstance(node, Token):
        return ast.Literal(str(node), node.line or 0)
    kind = node.data
    line = _line(node)
    handler = _HANDLERS.get(kind)
    if handler is None:
        raise HclSyntaxError(f"unsupported syntax '{kind}'", line)
    return handler(node, line)


def _expr_term(node: Tree, line: int) -> ast.Expr:
    inner = _subtrees(node)
    if not inner:  # a bare token, e.g. a parenthesised literal
        return ast.Literal(None, line)
    return _expr(inner[0])


def _literal_value(node: Tree, line: int) -> ast.Expr:
    text = str(node.children[0])
    return ast.Literal({"true": True, "false": False, "null": None}[text], line)


def _identifier(node: Tree, line: int) -> ast.Expr:
    return ast.Name(str(node.children[0]), line)


def _string(node: Tree, line: int) -> ast.Expr:
    flat: list[Any] = []
    for part in node.children:
        if not (isinstance(part, Tree) and part.data == "string_part"):
            continue
        inner = part.children[0]
        if isinstance(inner, Token):
            if inner.type == "STRING_CHARS":
                flat.append(_unescape(_one_line_chars(inner, node)))
            else:  # $${ or %%{ escapes stand for a literal ${ or %{
                flat.append(str(inner)[1:])
        elif inner.data == "interpolation":
            markers = [i for i, t in enumerate(inner.children) if isinstance(t, Token) and t.type == "STRIP_MARKER"]
            left = 1 in markers  # ${~ : right after INTERP_START
            right = any(i > 1 for i in markers)
            flat.append(("interpolation", _expr(_subtrees(inner)[0]), left, right) if markers else _expr(_subtrees(inner)[0]))
        else:
            flat.append(_directive(inner))
    return _template(flat, line)


def _directive(node: Tree) -> tuple:
    tokens = [c for c in node.children if isinstance(c, Token)]
    strip_left = len(tokens) > 1 and tokens[1].type == "STRIP_MARKER"
    strip_right = any(t.type == "STRIP_MARKER" for t in tokens[2:])
    exprs = _subtrees(node)
    if node.data == "template_if_start":
        return ("if", _expr(exprs[0]), strip_left, strip_right)
    if node.data == "template_for_start":
        idents = [str(t.children[0]) for t in exprs if t.data == "identifier"]
        collection = _expr(exprs[-1])
        key_var, value_var = (idents[0], idents[1]) if len(idents) == 2 else (None, idents[0])
        return ("for", (key_var, value_var, collection), strip_left, strip_right)
    return (node.data.replace("template_", ""), None, strip_left, strip_right)


def _template(flat: list[Any], line: int) -> ast.Expr:
    """Assemble literal text, interpolations and %{ } directives into a Template."""
    _apply_strip_markers(flat)
    parts = _assemble(flat, 0, line, None)[0]
    if all(isinstance(p, str) for p in parts):
        return ast.Literal("".join(parts), line)
    return ast.Template(parts, line)


def _apply_strip_markers(flat: list[Any]) -> None:
    for i, item in enumerate(flat):
        if isinstance(item, tuple):
            if item[2] and i > 0 and isinstance(flat[i - 1], str):
                flat[i - 1] = flat[i - 1].rstrip()
            if item[3] and i + 1 < len(flat) and isinstance(flat[i + 1], str):
                flat[i + 1] = flat[i + 1].lstrip()


def _assemble(flat: list[Any], i: int, line: int, until: set[str] | None) -> tuple[tuple, int, str | None]:
    parts: list[Any] = []
    while i < len(flat):
        item = flat[i]
        if isinstance(item, tuple):
            kind = item[0]
            if until and kind in until:
                return tuple(_merge(parts)), i, kind
            if kind == "interpolation":  # ${~ … ~}: its strip markers are applied, it is an expression like any other
                parts.append(item[1])
            elif kind == "if":
                then, i, stop = _assemble(flat, i + 1, line, {"else", "endif"})
                otherwise: tuple = ()
                if stop == "else":
                    otherwise, i, stop = _assemble(flat, i + 1, line, {"endif"})
                if stop != "endif":
                    raise HclSyntaxError("template %{if} without %{endif}", line)
                parts.append(ast.TemplateIf(item[1], then, otherwise, line))
            elif kind == "for":
                body, i, stop = _assemble(flat, i + 1, line, {"endfor"})
                if stop != "endfor":
                    raise HclSyntaxError("template %{for} without %{endfor}", line)
                key_var, value_var, collection = item[1]
                parts.append(ast.TemplateFor(key_var, value_var, collection, body, line))
            else:
                raise HclSyntaxError(f"template %{{{kind}}} without its opening directive", line)
        else:
            parts.append(item)
        i += 1
    return tuple(_merge(parts)), i, None


def _merge(parts: list[Any]) -> list[Any]:
    merged: list[Any] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif not (isinstance(part, str) and part == ""):
            merged.append(part)
    return merged


def _template_string(node: Tree, line: int) -> ast.Expr:
    text = str(node.children[0])
    return ast.Literal(_unescape(text[2:-2]), line)


def _tuple(node: Tree, line: int) -> ast.Expr:
    return ast.TupleExpr(tuple(_expr(c) for c in _subtrees(node)), line)


def _object(node: Tree, line: int) -> ast.Expr:
    items = []
    for elem in _subtrees(node):
        key_node, value_node = _subtrees(elem)[0], _subtrees(elem)[-1]
        key_inner = _subtrees(key_node)[0] if _subtrees(key_node) else key_node
        if key_inner.data == "keyword":
            key: ast.Expr = ast.Literal(_name_of(key_inner), _line(key_inner))
        elif key_inner.data == "expr_term" and len(key_inner.children) == 1 and isinstance(key_inner.children[0], Tree) and key_inner.children[0].data == "identifier":
            key = ast.Literal(_name_of(key_inner.children[0]), _line(key_inner))  # bare key: a literal name
        else:
            key = _expr(key_inner)
        items.append((key, _expr(value_node)))
    return ast.ObjectExpr(tuple(items), line)


def _function_call(node: Tree, line: int) -> ast.Expr:
    names = [str(c.children[0]) for c in _subtrees(node) if c.data == "identifier"]
    args_nodes = [c for c in _subtrees(node) if c.data == "arguments"]
    args: tuple = ()
    expand = False
    if args_nodes:
        args_node = args_nodes[0]
        args = tuple(_expr(c) for c in _subtrees(args_node))
        expand = any(isinstance(t, Token) and t.type == "ELLIPSIS" for t in args_node.children)
    return ast.Call("::".join(names), args, expand, line)


def _heredoc(node: Tree, line: int) -> ast.Expr:
    raw = str(node.children[0])
    trim = node.data == "heredoc_template_trim"
    first_newline = raw.index("\n")
    marker = raw[2 + trim:first_newline].strip()
    content = raw[first_newline + 1:]
    content = content.rstrip("\r\n").rstrip(" \t")  # blanks after the closing marker (EOF␠␠) are not content
    if content.endswith(marker):
        content = content[: -len(marker)]
    lines = content.split("\n")
    if lines and lines[-1].strip() == "":
        lines = lines[:-1]
    if trim:
        indents = [len(row) - len(row.lstrip(" \t")) for row in lines if row.strip()]
        cut = min(indents) if indents else 0
        lines = [row[cut:] for row in lines]
    text = "\n".join(row.rstrip("\r") for row in lines) + ("\n" if lines else "")
    return parse_template(text, line + 1)


def _index_expr_term(node: Tree, line: int) -> ast.Expr:
    obj_node, index_node = _subtrees(node)
    return _apply_step(_expr(obj_node), index_node, line)


def _get_attr_expr_term(node: Tree, line: int) -> ast.Expr:
    obj_node, attr_node = _subtrees(node)
    return _apply_step(_expr(obj_node), attr_node, line)


def _apply_step(obj: ast.Expr, step: Tree, line: int) -> ast.Expr:
    if step.data == "get_attr":
        return ast.GetAttr(obj, _name_of(_subtrees(step)[0]), line)
    if step.data == "braces_index":
        return ast.Index(obj, _expr(_subtrees(step)[0]), line)
    if step.data == "short_index":
        number = next(t for t in step.children if isinstance(t, Token) and t.type == "INT_LITERAL")
        return ast.Index(obj, ast.Literal(int(str(number)), line), line)
    raise HclSyntaxError(f"unsupported traversal '{step.data}'", line)


def _splat(node: Tree, line: int) -> ast.Expr:
    obj_node, splat_node = _subtrees(node)
    steps: list[tuple[str, Any]] = []
    for step in _subtrees(splat_node):
        if step.data == "get_attr":
            steps.append(("attr", _name_of(_subtrees(step)[0])))
        elif step.data == "braces_index":
            steps.append(("index", _expr(_subtrees(step)[0])))
        elif step.data == "short_index":
            number = next(t for t in step.children if isinstance(t, Token) and t.type == "INT_LITERAL")
            steps.append(("index", ast.Literal(int(str(number)), line)))
    return ast.Splat(_expr(obj_node), tuple(steps), line)


def _for_intro(node: Tree) -> tuple[str | None, str, ast.Expr]:
    idents = [str(c.children[0]) for c in _subtrees(node) if c.data == "identifier"]
    collection = _expr([c for c in _subtrees(node) if c.data != "identifier"][0])
    if len(idents) == 2:
        return idents[0], idents[1], collection
    return None, idents[0], collection


def _for_tuple(node: Tree, line: int) -> ast.Expr:
    subs = _subtrees(node)
    key_var, value_var, collection = _for_intro(subs[0])
    cond = _expr(_subtrees(subs[-1])[0]) if subs[-1].data == "for_cond" else None
    return ast.ForExpr(key_var, value_var, collection, None, _expr(subs[1]), cond, False, line)


def _for_object(node: Tree, line: int) -> ast.Expr:
    subs = _subtrees(node)
    key_var, value_var, collection = _for_intro(subs[0])
    cond = _expr(_subtrees(subs[-1])[0]) if subs[-1].data == "for_cond" else None
    group = any(isinstance(t, Token) and t.type == "ELLIPSIS" for t in node.children)
    return ast.ForExpr(key_var, value_var, collection, _expr(subs[1]), _expr(subs[2]), cond, group, line)


def _conditional(node: Tree, line: int) -> ast.Expr:
    cond, then, otherwise = _subtrees(node)
    return ast.Conditional(_expr(cond), _expr(then), _expr(otherwise), line)


def _binary_op(node: Tree, line: int) -> ast.Expr:
    subs = _subtrees(node)
    left, term = subs[0], subs[1]
    term_subs = _subtrees(term)
    operator = str(term_subs[0].children[0]).strip()
    return ast.BinaryOp(operator, _expr(left), _expr(term_subs[-1]), line)


def _unary_op(node: Tree, line: int) -> ast.Expr:
    op = str(node.children[0])
    return ast.UnaryOp(op, _expr(_subtrees(node)[0]), line)


def _number_node(node: Tree, line: int) -> ast.Expr:
    return ast.Literal(_number(str(node.children[0])), line)


_HANDLERS = {
    "expr_term": _expr_term,
    "literal_value": _literal_value,
    "identifier": _identifier,
    "keyword": _identifier,
    "int_lit": _number_node,
    "float_lit": _number_node,
    "string": _string,
    "template_string": _template_string,
    "tuple": _tuple,
    "object": _object,
    "function_call": _function_call,
    "heredoc_template": _heredoc,
    "heredoc_template_trim": _heredoc,
    "index_expr_term": _index_expr_term,
    "get_attr_expr_term": _get_attr_expr_term,
    "attr_splat_expr_term": _splat,
    "full_splat_expr_term": _splat,
    "for_tuple_expr": _for_tuple,
    "for_object_expr": _for_object,
    "conditional": _conditional,
    "binary_op": _binary_op,
    "unary_op": _unary_op,
}


# --------------------------------------------------------------------------- templates in text

_DIRECTIVE_RE = re.compile(
    r"^\s*(?P<sl>~)?\s*(?:(?P<if>if)\s+(?P<cond>.*?)|(?P<else>else)|(?P<endif>endif)|(?P<endfor>endfor)"
    r"|(?P<for>for)\s+(?P<vars>[A-Za-z_][\w-]*(?:\s*,\s*[A-Za-z_][\w-]*)?)\s+in\s+(?P<coll>.*?))\s*(?P<sr>~)?\s*$",
    re.DOTALL,
)


def parse_template(text: str, line: int = 1) -> ast.Expr:
    """Parse template text (a heredoc body or a .tf.json string) with ${…} and %{…}."""
    flat: list[Any] = []
    literal: list[str] = []
    i = 0
    current_line = line
    while i < len(text):
        if text.startswith("$${", i) or text.startswith("%%{", i):
            literal.append(text[i + 1:i + 3])
            i += 3
            continue
        if text.startswith("${", i) or text.startswith("%{", i):
            end = _matching_brace(text, i + 2)
            if end < 0:
                raise HclSyntaxError("unclosed ${ or %{ in a template", current_line)
            inner = text[i + 2:end]
            if literal:
                flat.append("".join(literal))
                literal = []
            if text[i] == "$":
                body = inner.strip()
                left, right = body.startswith("~"), body.endswith("~") and len(body) > 1
                expr = parse_expression(body.removeprefix("~").removesuffix("~") if right else body.removeprefix("~"), current_line)
                flat.append(("interpolation", expr, left, right) if left or right else expr)
            else:
                flat.append(_text_directive(inner, current_line))
            current_line += text.count("\n", i, end)
            i = end + 1
            continue
        if text[i] == "\n":
            current_line += 1
        literal.append(text[i])
        i += 1
    if literal:
        flat.append("".join(literal))
    return _template(flat, line)


def _text_directive(inner: str, line: int) -> tuple:
    m = _DIRECTIVE_RE.match(inner)
    if not m:
        raise HclSyntaxError(f"unknown template directive %{{{inner.strip()[:30]}}}", line)
    sl, sr = bool(m.group("sl")), bool(m.group("sr"))
    if m.group("if"):
        return ("if", parse_expression(m.group("cond"), line), sl, sr)
    if m.group("for"):
        names = [n.strip() for n in m.group("vars").split(",")]
        key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        return ("for", (key_var, value_var, parse_expression(m.group("coll"), line)), sl, sr)
    kind = next(k for k in ("else", "endif", "endfor") if m.group(k))
    return (kind, None, sl, sr)


def _matching_brace(text: str, i: int) -> int:
    depth = 0
    while i < len(text):
        c = text[i]
        if c == '"':
            i = _skip_string(text, i + 1)
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1


def _skip_string(text: str, i: int) -> int:
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == '"':
            return i + 1
        if text.startswith("${", i) or text.startswith("%{", i):
            end = _matching_brace(text, i + 2)
            if end < 0:
                return len(text)
            i = end + 1
            continue
        i += 1
    return len(text)
