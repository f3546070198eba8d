import hashlib

import pytest

from qfs_conformance import signatures as sig
from vectors import load

VEC = load("signatures.json")
KEYS = {k["label"]: k for k in VEC["keys"]}


@pytest.mark.parametrize("key", VEC["keys"], ids=[k["label"] for k in VEC["keys"]])
def test_dev_key_vector(key):
    assert sig.dev_seed(key["label"]).hex() == key["seed"]
    public_key, _ = sig.dev_keypair(key["label"])
    assert public_key.hex() == key["public_key"]
    assert hashlib.sha256(public_key).hexdigest() == key["public_key_sha256"]


@pytest.mark.parametrize("case", VEC["cases"], ids=[c["name"] for c in VEC["cases"]])
def test_signature_vector(case):
    public_key, secret_key = sig.dev_keypair(case["key"])
    digest = bytes.fromhex(case["digest"])
    signature = sig.from_hex(case["signature"], sig.SIGNATURE_BYTES)
    assert sig.verify(public_key, case["tag"], digest, signature) is case["valid"]
    if case["valid"]:
        # Deterministic signing (§2): re-signing reproduces the reference's bytes exactly.
        assert sig.sign(secret_key, case["tag"], digest) == signature
