"""Schema helpers for the epoch's messages (§6, P6.6): a fault makes the message malformed."""

import re

from .certified_math import LIMIT

ID_LIMIT = 1 << 63
_INT = re.compile(r"0|-?[1-9][0-9]*")


class Malformed(Exception):
    pass


def obj(v, keys) -> dict:
    if not isinstance(v, dict) or set(v) != set(keys):
        raise Malformed(f"expected an object with exactly the keys {sorted(keys)}")
    return v


def lst(v) -> list:
    if not isinstance(v, list):
        raise Malformed("expected a list")
    return v


def integer(v, lo: int, hi_exclusive: int) -> int:
    if not isinstance(v, str) or not _INT.fullmatch(v):
        raise Malformed("expected a canonical integer string")
    x = int(v)
    if not lo <= x < hi_exclusive:
        raise Malformed(f"{x} outside [{lo}, {hi_exclusive})")
    return x


def ident(v) -> int:
    """An id or an epoch: [0, 2^63)."""
    return integer(v, 0, ID_LIMIT)


def unsigned(v) -> int:
    """An amount, nonce, ψ or sync value: [0, 2^127)."""
    return integer(v, 0, LIMIT)


def signed(v) -> int:
    return integer(v, -LIMIT, LIMIT)
