"""§10 Merkle tree hash (merkle.json): every case's root from its leaves."""

import pytest

from qfs_conformance import merkle
from vectors import load

VEC = load("merkle.json")
CASES = VEC["cases"]


def test_cases_present():
    # An empty or truncated file would make the parametrized test below vacuous.
    assert len(CASES) >= 20
    assert {len(c["leaves"]) for c in CASES} >= set(range(18))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_merkle_root(case):
    leaves = [bytes.fromhex(x) for x in case["leaves"]]
    assert merkle.root_hex(leaves) == case["root"]


def test_split_is_the_largest_power_of_two_below_n():
    assert [merkle._split(n) for n in range(2, 19)] == [1, 2, 2, 4, 4, 4, 4, 8, 8, 8, 8, 8, 8, 8, 8, 16, 16]
