"""§10 the evidence package's Merkle tree hash (RFC 9162 §2.1.1), written from docs/spec.md §10.

MTH({}) = SHA-256()                                     (the empty list)
MTH({d0}) = SHA-256(0x00 || d0)                         (a leaf)
MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))  k = the largest power of two < n, n > 1
"""

import hashlib


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly below n (n >= 2): the top bit of n - 1."""
    return 1 << ((n - 1).bit_length() - 1)


def _mth(hashes: list[bytes], lo: int, hi: int) -> bytes:
    """The tree hash of the leaf hashes[lo:hi] (hi - lo >= 1), by the recursive definition."""
    n = hi - lo
    if n == 1:
        return hashes[lo]
    k = _split(n)
    return node_hash(_mth(hashes, lo, lo + k), _mth(hashes, lo + k, hi))


def root(entries: list[bytes]) -> bytes:
    """MTH of the entries in the order given."""
    if not entries:
        return hashlib.sha256(b"").digest()
    return _mth([leaf_hash(e) for e in entries], 0, len(entries))


def root_hex(entries: list[bytes]) -> str:
    return root(entries).hex()
