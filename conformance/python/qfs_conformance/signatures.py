"""§2 ML-DSA-87 signatures (via dilithium-py) and P4 development keys."""

import functools
import hashlib
import re

from dilithium_py.ml_dsa import ML_DSA_87

PUBLIC_KEY_BYTES = 2592
SIGNATURE_BYTES = 4627
_LOWER_HEX = re.compile(r"(?:[0-9a-f]{2})*")


def from_hex(s, nbytes: int) -> bytes | None:
    """Bytes of a lowercase hex string of exactly nbytes bytes, else None (never normalises case)."""
    if not isinstance(s, str) or len(s) != 2 * nbytes or not _LOWER_HEX.fullmatch(s):
        return None
    return bytes.fromhex(s)


def dev_seed(label: str) -> bytes:
    return hashlib.sha256(("qfs/v13/dev-key/" + label).encode("utf-8")).digest()


@functools.lru_cache(maxsize=None)
def dev_keypair(label: str) -> tuple[bytes, bytes]:
    """(public key, secret key) from the published seed. Development use only: anyone can derive it."""
    return ML_DSA_87.key_derive(dev_seed(label))


def signed_message(tag: str, digest: bytes) -> bytes:
    if len(digest) != 32:
        raise ValueError("digest must be 32 bytes")
    return tag.encode("utf-8") + b"\x00" + digest


def sign(secret_key: bytes, tag: str, digest: bytes) -> bytes:
    # Deterministic (rnd = 32 zero bytes), empty context: one message, one signature.
    return ML_DSA_87.sign(secret_key, signed_message(tag, digest), ctx=b"", deterministic=True)


def verify(public_key: bytes, tag: str, digest: bytes, signature: bytes) -> bool:
    # Wrong sizes are simply invalid; the library would raise on a short public key.
    if len(public_key) != PUBLIC_KEY_BYTES or len(signature) != SIGNATURE_BYTES or len(digest) != 32:
        return False
    return ML_DSA_87.verify(public_key, signed_message(tag, digest), signature, ctx=b"")
