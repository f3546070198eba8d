import pytest

from qfs_conformance import hashing
from vectors import load

CASES = load("hash.json")["cases"]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['tag']}#{i % 5}" for i, c in enumerate(CASES)])
def test_hash_vector(case):
    assert hashing.H(case["tag"], case["value"]) == case["digest"]


def test_vectors_cover_every_tag():
    assert {c["tag"] for c in CASES} == hashing.TAGS
