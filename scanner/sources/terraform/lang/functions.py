"""Terraform's built-in functions, as far as they can run without the cloud.

Each function receives evaluated arguments. An Unknown argument makes the
result Unknown (with the same reason) unless the function can still answer:
``length`` of a list with unknown elements, ``merge`` of a partly unknown
map, ``coalesce`` whose first argument is known. Functions that would read
outside the scanned root, call the network or depend on the clock return
Unknown with the reason.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import ipaddress
import json
import math
import re
import urllib.parse
from collections.abc import Callable
from typing import Any

from scanner.sources.terraform.lang.values import (
    MAX_COLLECTION,
    MAX_NUMBER_BITS,
    MAX_STRING,
    EvalError,
    PartialMap,
    TfSet,
    Unknown,
    check_number,
    check_size,
    contains_unknown,
    first_unknown,
    materialize,
    to_bool,
    to_json,
    to_number,
    to_string,
    type_name,
)


class FileAccess:
    """What file functions may read: only files inside the scanned root."""

    def read_text(self, path: str) -> str | Unknown:  # pragma: no cover - interface
        raise NotImplementedError

    def exists(self, path: str) -> bool | Unknown:  # pragma: no cover - interface
        raise NotImplementedError

    def glob(self, base: str, pattern: str) -> list[str] | Unknown:  # pragma: no cover - interface
        raise NotImplementedError

    def template(self, path: str, variables: dict) -> Any:  # pragma: no cover - interface
        raise NotImplementedError


# --------------------------------------------------------------------------- helpers

def _list(value: Any, fn: str) -> list:
    if isinstance(value, list):
        return value
    if isinstance(value, Unknown):  # over an unknown value the result is unknown, silently (as Terraform plans it)
        raise _Unknown(value)
    raise EvalError(f"{fn}() expects a list, got a {type_name(value)}")


def _map(value: Any, fn: str) -> dict:
    if isinstance(value, dict):
        return value
    if isinstance(value, Unknown):
        raise _Unknown(value)
    raise EvalError(f"{fn}() expects a map or object, got a {type_name(value)}")


def _str(value: Any, fn: str) -> str:
    result = to_string(value, f"argument of {fn}()")
    if isinstance(result, Unknown):
        raise _Unknown(result)
    return result


def _int(value: Any, fn: str) -> int:
    number = to_number(value)
    if isinstance(number, Unknown):
        raise _Unknown(number)
    if isinstance(number, float):
        if not number.is_integer():
            raise EvalError(f"{fn}() expects a whole number")
        number = int(number)
    return number


class _Unknown(Exception):
    def __init__(self, unknown: Unknown):
        self.unknown = unknown


def _number(value: Any) -> int | float:
    """``to_number`` for a function's own argument: an unknown one ends the call with that unknown."""
    number = to_number(value)
    if isinstance(number, Unknown):
        raise _Unknown(number)
    return number


def _known_list(value: Any, fn: str) -> list:
    items = _list(value, fn)
    unknown = contains_unknown(items)
    if unknown is not None:
        raise _Unknown(unknown)
    return items


# --------------------------------------------------------------------------- string functions

MAX_PADDING = 10_000


def _format(spec: Any, *args: Any) -> Any:
    spec = _str(spec, "format")
    out = []
    arg_index = 0
    i = 0
    while i < len(spec):
        c = spec[i]
        if c != "%":
            out.append(c)
            i += 1
            continue
        m = re.compile(r"%(\[(\d+)\])?([-+# 0]*)(\d+)?(\.\d+)?([a-zA-Z%])").match(spec, i)
        if not m:
            raise EvalError("format(): invalid format verb")
        verb = m.group(6)
        i = m.end()
        if verb == "%":
            out.append("%")
            continue
        if m.group(2):
            arg_index = int(m.group(2)) - 1
        if arg_index >= len(args):
            raise EvalError("format(): not enough arguments")
        arg = args[arg_index]
        arg_index += 1
        if isinstance(arg, Unknown):
            return arg
        flags, width, precision = m.group(3) or "", m.group(4), m.group(5)
        if (width and int(width) > MAX_PADDING) or (precision and int(precision[1:]) > MAX_PADDING):
            raise EvalError(f"format(): a width or precision over {MAX_PADDING} is not evaluated")
        if verb in ("s", "v", "q"):
            text = _str(arg, "format") if verb != "v" or isinstance(arg, (str, int, float, bool)) else json.dumps(to_json(arg))
            if verb == "q":
                text = json.dumps(text)
        elif verb == "d":
            text = str(_int(arg, "format"))
        elif verb in ("f", "e", "g"):
            number = _number(arg)
            text = ("%" + (precision or "") + verb) % number
        elif verb == "t":
            text = "true" if to_bool(arg) else "false"
        elif verb in ("x", "X", "o", "b"):
            text = format(_int(arg, "format"), verb)
        else:
            raise EvalError(f"format(): unsupported verb %{verb}")
        if width:
            text = text.ljust(int(width)) if "-" in flags else text.rjust(int(width), "0" if "0" in flags else " ")
        out.append(text)
    return "".join(out)


def _formatlist(spec: Any, *args: Any) -> Any:
    lengths = {len(a) for a in args if isinstance(a, list)}
    if len(lengths) > 1:
        raise EvalError("formatlist(): lists must have the same length")
    count = lengths.pop() if lengths else 1
    return [_format(spec, *[a[i] if isinstance(a, list) else a for a in args]) for i in range(count)]


def _regex(pattern: Any, text: Any) -> Any:
    compiled = _compile(_str(pattern, "regex"))
    m = compiled.search(_subject(text, "regex"))
    if not m:
        raise EvalError("regex(): no match")
    if compiled.groupindex:
        return {name: m.group(name) for name in compiled.groupindex}
    if compiled.groups:
        return list(m.groups())
    return m.group(0)


def _regexall(pattern: Any, text: Any) -> Any:
    compiled = _compile(_str(pattern, "regexall"))
    results: list[Any] = []
    for m in compiled.finditer(_subject(text, "regexall")):
        if compiled.groupindex:
            results.append({name: m.group(name) for name in compiled.groupindex})
        elif compiled.groups:
            results.append(list(m.groups()))
        else:
            results.append(m.group(0))
    return results


# A quantified group that itself holds a quantifier, e.g. (a+)+ or (a|aa)*: exponential in Python's engine.
_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]|\((?:[^()\\]|\\.)*\|(?:[^()\\]|\\.)*\)[+*{]")
MAX_REGEX_SUBJECT = 100_000


def _compile(pattern: str) -> re.Pattern:
    # Terraform uses RE2, which never backtracks; Python's engine does. Refuse
    # the constructs that make it exponential rather than hang on them.
    if len(pattern) > 1000 or re.search(r"\\[1-9]|\(\?[=!<]", pattern):
        raise EvalError("regex(): pattern not supported")
    if _NESTED_QUANTIFIER.search(pattern):
        raise EvalError("regex(): nested quantifiers are not evaluated by sovscan (they can take exponential time)")
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise EvalError(f"regex(): invalid pattern ({exc})") from None


def _subject(text: Any, fn: str) -> str:
    value = _str(text, fn)
    if len(value) > MAX_REGEX_SUBJECT:
        raise EvalError(f"{fn}(): a string of {len(value)} characters is too long to match")
    return value


def _replace(text: Any, search: Any, replacement: Any) -> Any:
    text, search, replacement = _str(text, "replace"), _str(search, "replace"), _str(replacement, "replace")
    if len(search) > 2 and search.startswith("/") and search.endswith("/"):
        go_style = re.sub(r"\$\{?(\w+)\}?", lambda m: "\\g<" + m.group(1) + ">", replacement)
        return check_size(_compile(search[1:-1]).sub(go_style, _subject(text, "replace")))
    return check_size(text.replace(search, replacement))


def _substr(text: Any, offset: Any, length: Any) -> Any:
    text = _str(text, "substr")
    offset, length = _int(offset, "substr"), _int(length, "substr")
    if offset < 0:
        offset = max(0, len(text) + offset)
    if length < 0:
        return text[offset:]
    return text[offset:offset + length]


def _split(sep: Any, text: Any) -> Any:
    sep, text = _str(sep, "split"), _str(text, "split")
    if sep == "":
        return list(text)
    return check_size(text.split(sep))


def _join(sep: Any, *lists: Any) -> Any:
    sep = _str(sep, "join")
    items: list = []
    for value in lists:
        items.extend(_known_list(value, "join"))
    return check_size(sep.join(_str(i, "join") for i in items))


def _title(text: Any) -> Any:
    return re.sub(r"\b(\w)", lambda m: m.group(1).upper(), _str(text, "title"))


def _indent(count: Any, text: Any) -> Any:
    spaces, body = _int(count, "indent"), _str(text, "indent")
    if spaces * (body.count("\n") + 1) + len(body) > MAX_STRING:
        raise EvalError("indent(): the result would be too large to evaluate")
    return body.replace("\n", "\n" + " " * max(spaces, 0))


# --------------------------------------------------------------------------- collection functions

def _coalesce(*args: Any) -> Any:
    for arg in args:
        if isinstance(arg, Unknown):
            return arg  # an unknown earlier argument might be the chosen one
        if arg is not None and arg != "":
            return arg
    raise EvalError("coalesce(): no non-null, non-empty argument")


def _coalescelist(*args: Any) -> Any:
    for arg in args:
        if isinstance(arg, Unknown):
            return arg
        if _list(arg, "coalescelist"):
            return arg
    return []


def _compact(value: Any) -> Any:
    return [v for v in _list(value, "compact") if v is not None and v != ""]


def _concat(*lists: Any) -> Any:
    out: list = []
    for value in lists:
        if isinstance(value, Unknown):
            return value
        out.extend(_list(value, "concat"))
    return check_size(out)


def _contains(collection: Any, value: Any) -> Any:
    items = _list(collection, "contains")
    if isinstance(value, Unknown):
        return value
    if value in items:
        return True
    unknown = first_unknown(items)
    return unknown if unknown is not None else False


def _distinct(value: Any) -> Any:
    out: list = []
    for item in _known_list(value, "distinct"):
        if item not in out:
            out.append(item)
    return out


def _element(value: Any, index: Any) -> Any:
    items = _list(value, "element")
    if not items:
        raise EvalError("element(): empty list")
    return items[_int(index, "element") % len(items)]


def _flatten(value: Any, depth: int = 0) -> Any:
    if depth > 32:
        raise EvalError("flatten(): nested too deeply")
    out: list = []
    for item in _list(value, "flatten"):
        if isinstance(item, Unknown):
            return item
        if isinstance(item, list):
            nested = _flatten(item, depth + 1)
            if isinstance(nested, Unknown):
                return nested
            out.extend(nested)
        else:
            out.append(item)
    return check_size(out)


def _index(value: Any, item: Any) -> Any:
    items = _known_list(value, "index")
    if item not in items:
        raise EvalError("index(): item not found")
    return items.index(item)


def _keys(value: Any) -> Any:
    mapping = _map(value, "keys")
    if isinstance(mapping, PartialMap):
        return Unknown(mapping.reason)
    return sorted(mapping)


def _values(value: Any) -> Any:
    mapping = _map(value, "values")
    if isinstance(mapping, PartialMap):
        return Unknown(mapping.reason)
    return [mapping[k] for k in sorted(mapping)]


def _length(value: Any) -> Any:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, PartialMap):
        return Unknown(value.reason)
    if isinstance(value, (list, dict, str)):
        return len(value)
    raise EvalError(f"length() of a {type_name(value)}")


def _lookup(mapping: Any, key: Any, *default: Any) -> Any:
    mapping = _map(mapping, "lookup")
    key = _str(key, "lookup")
    if key in mapping:
        return mapping[key]
    if isinstance(mapping, PartialMap):
        return Unknown(mapping.reason)
    if default:
        return default[0]
    raise EvalError(f"lookup(): no key '{key}'")


def _merge(*maps: Any) -> Any:
    result: dict = {}
    partial: str | None = None
    for value in maps:
        if value is None:
            continue
        if isinstance(value, Unknown):
            # Keys merged so far may be overridden by the unknown map.
            result = {k: Unknown(value.reason) for k in result}
            partial = value.reason
            continue
        mapping = _map(value, "merge")
        if isinstance(mapping, PartialMap):
            result = {k: Unknown(mapping.reason) for k in result}
            partial = mapping.reason
        result.update(mapping)
    return check_size(PartialMap(result, partial) if partial else result)


def _range(*args: Any) -> Any:
    numbers = [_number(a) for a in args]
    start: int | float
    stop: int | float
    step: int | float
    if len(numbers) == 1:
        start, stop, step = 0, numbers[0], 1
    elif len(numbers) == 2:
        start, stop, step = numbers[0], numbers[1], 1
    else:
        start, stop, step = numbers
    if step == 0:
        raise EvalError("range(): step cannot be zero")
    count = max(0, math.ceil((stop - start) / step))
    if count > MAX_COLLECTION:
        raise EvalError(f"range() of {count} elements is too large to evaluate")
    return [start + i * step for i in range(count)]


def _reverse(value: Any) -> Any:
    return list(reversed(_list(value, "reverse")))


def _slice(value: Any, start: Any, end: Any) -> Any:
    return _list(value, "slice")[_int(start, "slice"):_int(end, "slice")]


def _sort(value: Any) -> Any:
    return sorted(_str(i, "sort") for i in _known_list(value, "sort"))


def _sum(value: Any) -> Any:
    total: int | float = 0
    for item in _known_list(value, "sum"):
        total += _number(item)
    return total


def _zipmap(keys: Any, values: Any) -> Any:
    keys, values = _known_list(keys, "zipmap"), _list(values, "zipmap")
    if len(keys) != len(values):
        raise EvalError("zipmap(): lists of different lengths")
    return {_str(k, "zipmap"): v for k, v in zip(keys, values, strict=False)}


def _setop(op: str) -> Callable[..., Any]:
    def run(*sets: Any) -> Any:
        lists = [_known_list(s, op) for s in sets]
        if not lists:
            return TfSet()
        result = list(lists[0])
        for other in lists[1:]:
            if op == "setunion":
                result += [i for i in other if i not in result]
            elif op == "setintersection":
                result = [i for i in result if i in other]
            else:
                result = [i for i in result if i not in other]
        return TfSet.of(result)

    return run


def _setproduct(*sets: Any) -> Any:
    result: list[list] = [[]]
    for value in sets:
        result = [r + [i] for r in result for i in _known_list(value, "setproduct")]
        if len(result) > MAX_COLLECTION:
            raise EvalError("setproduct() result is too large to evaluate")
    return result


def _chunklist(value: Any, size: Any) -> Any:
    items, size = _list(value, "chunklist"), _int(size, "chunklist")
    if size <= 0:
        return [items]
    return [items[i:i + size] for i in range(0, len(items), size)]


def _one(value: Any) -> Any:
    items = _list(value, "one")
    if len(items) > 1:
        raise EvalError("one(): more than one element")
    return items[0] if items else None


def _transpose(value: Any) -> Any:
    out: dict[str, list] = {}
    for key, items in sorted(_map(value, "transpose").items()):
        for item in _known_list(items, "transpose"):
            out.setdefault(_str(item, "transpose"), []).append(key)
    return out


def _matchkeys(values: Any, keys: Any, search: Any) -> Any:
    values, keys, search = _list(values, "matchkeys"), _known_list(keys, "matchkeys"), _known_list(search, "matchkeys")
    return [v for v, k in zip(values, keys, strict=False) if k in search]


# --------------------------------------------------------------------------- conversions and encodings

def _tolist(value: Any) -> Any:
    if isinstance(value, list):
        return list(value)
    raise EvalError(f"tolist() of a {type_name(value)}")


def _tomap(value: Any) -> Any:
    return _map(value, "tomap")


def _toset(value: Any) -> Any:
    return TfSet.of(_list(value, "toset"))


def _jsonencode(value: Any) -> Any:
    unknown = contains_unknown(value)
    if unknown is not None:
        return unknown
    return json.dumps(to_json(value), separators=(",", ":"), sort_keys=True)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _jsondecode(text: Any) -> Any:
    try:
        value = check_size(json.loads(_str(text, "jsondecode")))
    except (json.JSONDecodeError, RecursionError) as exc:
        raise EvalError(f"jsondecode(): invalid JSON ({exc})") from None
    return _no_surrogates(value)


def _no_surrogates(value: Any) -> Any:
    """Lone UTF-16 surrogates become U+FFFD, as Go's JSON decoder (Terraform's) does."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_no_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_no_surrogates(k): _no_surrogates(v) for k, v in value.items()}
    return value


def _yamldecode(text: Any) -> Any:
    from scanner.support.yamlload import YamlError, load_yaml_text

    try:
        return _plain(load_yaml_text(_str(text, "yamldecode"), "yamldecode()"))
    except YamlError as exc:
        raise EvalError(f"yamldecode(): {exc.message}") from None


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _yamlencode(value: Any) -> Any:
    import yaml

    unknown = contains_unknown(value)
    if unknown is not None:
        return unknown
    return yaml.safe_dump(to_json(value), sort_keys=True)


def _csvdecode(text: Any) -> Any:
    rows = list(csv.reader(io.StringIO(_str(text, "csvdecode"))))
    if not rows:
        return []
    header = rows[0]
    return [dict(zip(header, row, strict=False)) for row in rows[1:]]


def _base64decode(text: Any) -> Any:
    try:
        return base64.b64decode(_str(text, "base64decode"), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise EvalError("base64decode(): invalid input") from None


def _hash(algorithm: str) -> Callable[[Any], Any]:
    return lambda text: hashlib.new(algorithm, _str(text, algorithm).encode()).hexdigest()


def _cidrsubnet(prefix: Any, newbits: Any, netnum: Any) -> Any:
    network = ipaddress.ip_network(_str(prefix, "cidrsubnet"), strict=False)
    bits, index = _int(newbits, "cidrsubnet"), _int(netnum, "cidrsubnet")
    new_prefix = network.prefixlen + bits
    if bits < 0 or new_prefix > network.max_prefixlen:
        raise EvalError("cidrsubnet(): not enough bits in the prefix")
    if not 0 <= index < 2**bits:
        raise EvalError("cidrsubnet(): netnum out of range")
    size = 2 ** (network.max_prefixlen - new_prefix)
    return str(ipaddress.ip_network((int(network.network_address) + index * size, new_prefix)))


def _cidrhost(prefix: Any, hostnum: Any) -> Any:
    network = ipaddress.ip_network(_str(prefix, "cidrhost"), strict=False)
    return str(network.network_address + _int(hostnum, "cidrhost"))


def _pow(base: Any, exponent: Any) -> Any:
    if isinstance(base, Unknown) or isinstance(exponent, Unknown):
        return base if isinstance(base, Unknown) else exponent
    if abs(base) > 1 and abs(exponent) * math.log2(abs(base)) > MAX_NUMBER_BITS:
        raise EvalError("pow(): the result is too large to evaluate")
    return check_number(base ** exponent)


def _startswith(text: Any, prefix: Any) -> Any:
    return _str(text, "startswith").startswith(_str(prefix, "startswith"))


def _endswith(text: Any, suffix: Any) -> Any:
    return _str(text, "endswith").endswith(_str(suffix, "endswith"))


def _unknown_because(reason: str) -> Callable[..., Any]:
    return lambda *args: Unknown(reason)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    # numbers
    "abs": lambda n: abs(_number(n)),
    "ceil": lambda n: math.ceil(_number(n)),
    "floor": lambda n: math.floor(_number(n)),
    "max": lambda *n: max(_number(x) for x in n),
    "min": lambda *n: min(_number(x) for x in n),
    "pow": lambda a, b: _pow(_number(a), _number(b)),
    "signum": lambda n: (_number(n) > 0) - (_number(n) < 0),
    "parseint": lambda s, base: int(_str(s, "parseint"), _int(base, "parseint")),
    "log": lambda n, base: math.log(_number(n), _number(base)),
    # strings
    "chomp": lambda s: _str(s, "chomp").rstrip("\r\n"),
    "endswith": _endswith,
    "format": _format,
    "formatlist": _formatlist,
    "indent": _indent,
    "join": _join,
    "lower": lambda s: _str(s, "lower").lower(),
    "regex": _regex,
    "regexall": _regexall,
    "replace": _replace,
    "split": _split,
    "startswith": _startswith,
    "strcontains": lambda s, sub: _str(sub, "strcontains") in _str(s, "strcontains"),
    "strrev": lambda s: _str(s, "strrev")[::-1],
    "substr": _substr,
    "title": _title,
    "trim": lambda s, chars: _str(s, "trim").strip(_str(chars, "trim")),
    "trimprefix": lambda s, p: _str(s, "trimprefix").removeprefix(_str(p, "trimprefix")),
    "trimsuffix": lambda s, p: _str(s, "trimsuffix").removesuffix(_str(p, "trimsuffix")),
    "trimspace": lambda s: _str(s, "trimspace").strip(),
    "upper": lambda s: _str(s, "upper").upper(),
    # collections
    "alltrue": lambda v: all(to_bool(x) is True for x in _known_list(v, "alltrue")),
    "anytrue": lambda v: any(to_bool(x) is True for x in _known_list(v, "anytrue")),
    "chunklist": _chunklist,
    "coalesce": _coalesce,
    "coalescelist": _coalescelist,
    "compact": _compact,
    "concat": _concat,
    "contains": _contains,
    "distinct": _distinct,
    "element": _element,
    "flatten": _flatten,
    "index": _index,
    "keys": _keys,
    "length": _length,
    "lookup": _lookup,
    "matchkeys": _matchkeys,
    "merge": _merge,
    "one": _one,
    "range": _range,
    "reverse": _reverse,
    "setintersection": _setop("setintersection"),
    "setproduct": _setproduct,
    "setsubtract": _setop("setsubtract"),
    "setunion": _setop("setunion"),
    "slice": _slice,
    "sort": _sort,
    "sum": _sum,
    "transpose": _transpose,
    "values": _values,
    "zipmap": _zipmap,
    # conversions and encodings
    "tobool": to_bool,
    "tolist": _tolist,
    "tomap": _tomap,
    "tonumber": to_number,
    "toset": _toset,
    "tostring": lambda v: v if v is None else to_string(v),
    "jsonencode": _jsonencode,
    "jsondecode": _jsondecode,
    "yamlencode": _yamlencode,
    "yamldecode": _yamldecode,
    "csvdecode": _csvdecode,
    "base64encode": lambda s: base64.b64encode(_str(s, "base64encode").encode()).decode(),
    "base64decode": _base64decode,
    "urlencode": lambda s: urllib.parse.quote(_str(s, "urlencode"), safe=""),
    "md5": _hash("md5"),
    "sha1": _hash("sha1"),
    "sha256": _hash("sha256"),
    "sha512": _hash("sha512"),
    "sensitive": lambda v: v,
    "nonsensitive": lambda v: v,
    "issensitive": lambda v: False,
    "cidrsubnet": _cidrsubnet,
    "cidrhost": _cidrhost,
    # values only known at apply time, or that sovscan will not compute
    "timestamp": _unknown_because("timestamp() is only known at apply time"),
    "plantimestamp": _unknown_because("plantimestamp() is only known at plan time"),
    "uuid": _unknown_because("uuid() is only known at apply time"),
    "uuidv5": _unknown_because("uuidv5() is not computed by sovscan"),
    "bcrypt": _unknown_because("bcrypt() is only known at apply time"),
    "timeadd": _unknown_because("timeadd() is not computed by sovscan"),
    "formatdate": _unknown_because("formatdate() is not computed by sovscan"),
    "rsadecrypt": _unknown_because("rsadecrypt() needs a private key"),
    "pathexpand": _unknown_because("pathexpand() depends on the machine running Terraform"),
    "abspath": _unknown_because("abspath() depends on the machine running Terraform"),
    "cidrsubnets": _unknown_because("cidrsubnets() is not computed by sovscan"),
    "cidrnetmask": _unknown_because("cidrnetmask() is not computed by sovscan"),
    "filebase64": _unknown_because("filebase64() contents are not read by sovscan"),
    "filemd5": _unknown_because("file hashes are not computed by sovscan"),
    "filesha1": _unknown_because("file hashes are not computed by sovscan"),
    "filesha256": _unknown_because("file hashes are not computed by sovscan"),
    "filesha512": _unknown_because("file hashes are not computed by sovscan"),
    "filebase64sha256": _unknown_because("file hashes are not computed by sovscan"),
    "filebase64sha512": _unknown_because("file hashes are not computed by sovscan"),
    "base64gzip": _unknown_because("base64gzip() is not computed by sovscan"),
    "base64sha256": _unknown_because("base64sha256() is not computed by sovscan"),
    "base64sha512": _unknown_because("base64sha512() is not computed by sovscan"),
    "textencodebase64": _unknown_because("textencodebase64() is not computed by sovscan"),
    "textdecodebase64": _unknown_because("textdecodebase64() is not computed by sovscan"),
    "ephemeralasnull": lambda v: None,
}

# Functions that accept Unknown arguments and decide themselves.
UNKNOWN_AWARE = {"coalesce", "coalescelist", "concat", "merge", "contains", "length", "lookup", "jsonencode", "yamlencode", "tostring", "sensitive", "nonsensitive"}
# Functions that read files: the evaluator supplies a FileAccess.
FILE_FUNCTIONS = {"file", "fileexists", "fileset", "templatefile", "dirname", "basename"}


def call(name: str, args: list[Any], files: FileAccess | None) -> Any:
    """Run a built-in function; unknown names and provider functions give Unknown."""
    if name.startswith("provider::"):
        return Unknown(f"provider function {name}() is not evaluated statically")
    args = [materialize(a) for a in args]
    if name in FILE_FUNCTIONS:
        return _file_function(name, args, files)
    fn = FUNCTIONS.get(name)
    if fn is None:
        return Unknown(f"function {name}() is not known to sovscan")
    if name not in UNKNOWN_AWARE:
        unknown = first_unknown(args)
        if unknown is not None:
            return unknown
    try:
        return fn(*args)
    except _Unknown as exc:
        return exc.unknown
    except TypeError as exc:
        if "argument" in str(exc):
            raise EvalError(f"{name}(): wrong number of arguments") from None
        raise EvalError(f"{name}(): {exc}") from None
    except (ValueError, OverflowError, ZeroDivisionError, ArithmeticError) as exc:
        raise EvalError(f"{name}(): {exc}") from None


def _file_function(name: str, args: list[Any], files: FileAccess | None) -> Any:
    unknown = first_unknown(args)
    if unknown is not None:
        return unknown
    try:
        if name == "dirname":
            path = _str(args[0], name)
            return path.rsplit("/", 1)[0] if "/" in path else "."
        if name == "basename":
            return _str(args[0], name).rstrip("/").rsplit("/", 1)[-1]
        if files is None:
            return Unknown(f"{name}() is not evaluated here")
        if name == "file":
            return files.read_text(_str(args[0], name))
        if name == "fileexists":
            return files.exists(_str(args[0], name))
        if name == "fileset":
            return files.glob(_str(args[0], name), _str(args[1], name))
        if name == "templatefile":
            variables = args[1] if len(args) > 1 else {}
            return files.template(_str(args[0], name), _map(variables, name))
    except _Unknown as exc:
        return exc.unknown
    except IndexError:
        raise EvalError(f"{name}(): wrong number of arguments") from None
    return Unknown(f"{name}() is not evaluated here")
