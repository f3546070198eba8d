"""§2 canonical encoding (restricted RFC 8785) with pins P2.1-P2.3."""

import json
import re


class CanonicalError(Exception):
    code = "E_CANONICAL"


_KEY = re.compile(r"[a-z0-9_]+")  # P2.1, used with fullmatch
# P2.2: the two-character escapes JSON.stringify uses; other C0 controls become \u00xx.
_SHORT = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]')
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape(ch: re.Match) -> str:
    c = ch.group()
    return _SHORT.get(c) or "\\u%04x" % ord(c)


def _string(s: str) -> str:
    # A Python str can hold a lone surrogate (e.g. from "\ud800" in JSON); UTF-8 cannot.
    if _SURROGATE.search(s):
        raise CanonicalError("lone surrogate in string")
    return '"' + _NEEDS_ESCAPE.sub(_escape, s) + '"'


def _encode(v, out: list) -> None:
    if v is None:
        out.append("null")
    elif v is True:
        out.append("true")
    elif v is False:
        out.append("false")
    elif isinstance(v, int):
        # Every integer is written as a JSON string of its decimal digits (str() never gives -0 or +).
        out.append('"%d"' % v)
    elif isinstance(v, str):
        out.append(_string(v))
    elif isinstance(v, (list, tuple)):
        out.append("[")
        for i, item in enumerate(v):
            if i:
                out.append(",")
            _encode(item, out)
        out.append("]")
    elif isinstance(v, dict):
        for k in v:
            if not isinstance(k, str) or not _KEY.fullmatch(k):
                raise CanonicalError(f"object key {k!r} is not [a-z0-9_]+")
        out.append("{")
        # Keys are ASCII, so code-unit order is plain string order.
        for i, k in enumerate(sorted(v)):
            if i:
                out.append(",")
            out.append('"' + k + '":')
            _encode(v[k], out)
        out.append("}")
    else:
        raise CanonicalError(f"value of type {type(v).__name__} has no canonical form")


def encode(value) -> str:
    out: list = []
    _encode(value, out)
    return "".join(out)


def encode_bytes(value) -> bytes:
    return encode(value).encode("utf-8")


def _no_number(text: str):
    raise CanonicalError(f"JSON number {text} (integers are strings)")


def _pairs(pairs: list) -> dict:
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise CanonicalError(f"duplicate key {k!r}")
        obj[k] = v
    return obj


def parse(data: bytes):
    """P2.3: accept iff valid UTF-8 without BOM, JSON without numbers, and re-encodes to the same bytes."""
    try:
        text = data.decode("utf-8")  # strict: refuses invalid sequences and encoded surrogates
    except UnicodeDecodeError as e:
        raise CanonicalError("not UTF-8") from e
    if text.startswith("\ufeff"):
        raise CanonicalError("byte order mark")
    try:
        value = json.loads(text, parse_int=_no_number, parse_float=_no_number,
                           parse_constant=_no_number, object_pairs_hook=_pairs)
    except ValueError as e:  # JSONDecodeError is a ValueError
        raise CanonicalError(f"not JSON: {e}") from e
    if encode_bytes(value) != data:
        raise CanonicalError("not in canonical form")
    return value


def is_canonical(data: bytes) -> bool:
    try:
        parse(data)
        return True
    except CanonicalError:
        return False
