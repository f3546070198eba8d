import pytest

from qfs_conformance import canonical, state
from vectors import as_json, chain_of, load

VEC = load("state.json")


@pytest.mark.parametrize("case", VEC["cases"], ids=[c["name"] for c in VEC["cases"]])
def test_state_vector(case):
    chain = chain_of(VEC, case["genesis"])
    assert chain.hash == case["genesis_hash"]
    st = state.initial_state(chain)
    assert as_json(st) == case["state"]
    assert canonical.encode(st) == canonical.encode(case["state"])
    assert state.state_root(st) == case["root"]
    assert as_json(state.supplies(st)) == case["supplies"]
    # The JSON form reads back to the same state.
    assert state.state_from_json(case["state"]) == st


def test_default_patch_is_the_default_genesis():
    assert chain_of(VEC, "default").doc == load("genesis.json")["default"]["genesis"]
