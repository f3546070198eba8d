"""§2 tagged hashing: H(tag, value) = SHA-256(utf8(tag) || 0x00 || canonical(value))."""

import hashlib

from . import canonical

TAGS = frozenset(
    "qfs/v13/" + t
    for t in ("genesis", "state", "action", "proposal", "vote", "epoch", "governance",
              "oracle", "validator", "manifest", "counterexample")
)


def digest(tag: str, value) -> bytes:
    # Only the spec's tags exist; refusing others catches a misspelt tag before it forks a hash.
    if tag not in TAGS:
        raise ValueError(f"unknown hash tag {tag!r}")
    return hashlib.sha256(tag.encode("utf-8") + b"\x00" + canonical.encode_bytes(value)).digest()


def H(tag: str, value) -> str:
    return digest(tag, value).hex()
