"""Whole honest epochs (epochs.json): replay of the stored inputs (P6.7), and the honest agents."""

import functools

import pytest

from qfs_conformance import canonical, epoch
from qfs_conformance.state import state_from_json, state_root
from vectors import as_json, chain_of, load, patched_state

VEC = load("epochs.json")
CHAINS = {c["name"]: c for c in VEC["chains"]}
EPOCHS = [(c["name"], k) for c in VEC["chains"] for k in range(len(c["epochs"]))]


@functools.lru_cache(maxsize=None)
def run(name: str) -> list:
    """The port's (S, next state, record) of every epoch of a chain, each from the port's own previous state."""
    c = CHAINS[name]
    chain = chain_of(VEC, c["genesis"])
    st = patched_state(chain, c["start_patch"])
    assert state_root(st) == c["start_root"]
    out = []
    for e in c["epochs"]:
        nxt, record = epoch.replay(chain, st, e["inputs"])
        out.append((st, nxt, record))
        st = nxt
    return out


@pytest.mark.parametrize("name,k", EPOCHS, ids=[f"{n}#{k + 1}" for n, k in EPOCHS])
def test_replay(name, k):
    e = CHAINS[name]["epochs"][k]
    _, nxt, record = run(name)[k]
    if "record" in e:  # diff first, for a readable failure
        assert as_json(record) == e["record"]
        assert as_json(nxt) == e["state"]
    assert record["outcome"] == e["outcome"]
    assert record["inputs_hash"] == e["inputs_hash"] == epoch.inputs_hash(e["inputs"])
    assert record["root"] == e["root"] == state_root(nxt)
    assert epoch.record_hash(record) == e["record_hash"]
    if k > 0:
        assert record["prev_root"] == CHAINS[name]["epochs"][k - 1]["root"]


@pytest.mark.parametrize("name,k", EPOCHS, ids=[f"{n}#{k + 1}" for n, k in EPOCHS])
def test_honest_agents(name, k):
    """The honest agents of the active shards, on what the nodes submitted, make the stored proposals."""
    c = CHAINS[name]
    e = c["epochs"][k]
    S = run(name)[k][0]
    chain = chain_of(VEC, c["genesis"])
    inputs, refusals = epoch.honest_inputs(chain, S, e["inputs"]["snapshots"], e["inputs"]["validator"], e["submitted"])
    assert as_json(refusals) == e["refusals"]
    assert canonical.encode(inputs) == canonical.encode(e["inputs"])


def test_full_states_read_back():
    for c in VEC["chains"]:
        for e in c["epochs"]:
            if "state" in e:
                assert state_root(state_from_json(e["state"])) == e["root"]
