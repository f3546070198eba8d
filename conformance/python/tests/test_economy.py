"""§6 steps 4–10, each alone (economy.json)."""

import pytest

from qfs_conformance import certified_math as cm
from qfs_conformance import economy, holo_reward, treasury
from qfs_conformance.psi_field import Field
from vectors import as_json, chain_of, load, patched_state

VEC = load("economy.json")


def ints(xs):
    return [int(x) for x in xs]


def _actions(chain, topo, i):
    st = patched_state(chain, [])
    nodes = [{**n, **{k: int(i[k][x]) for k in ("flx", "stake", "psy", "atr", "nonce")}} for x, n in enumerate(st["nodes"])]
    unstakes = [{k: int(u[k]) for k in ("node", "nonce", "amount", "since")} for u in i["unstakes"]]
    acts = [{k: (v if k == "kind" else int(v)) for k, v in a.items()} for a in i["actions"]]
    nodes, queue, moves, released = economy.apply_actions(topo, nodes, unstakes, int(i["coherence"]), acts, int(i["t"]), int(i["c"]))
    return {k: [n[k] for n in nodes] for k in ("flx", "stake", "psy", "atr", "nonce")} | {
        "unstakes": queue, "moves": moves, "released": released}


def _flow(_chain, topo, i):
    flx, flows, moves = economy.field_flow(topo, Field(topo, ints(i["psi"])), ints(i["flx"]))
    return {"flx": flx, "flows": flows, "moves": moves}


def _chr(_chain, topo, i):
    chr_, pool, record = economy.rebalance_chr(topo, Field(topo, ints(i["psi"])), ints(i["chr"]), ints(i["dis"]), int(i["chr_pool"]))
    return {"chr": chr_, "chr_pool": pool, "record": record}


def _res(_chain, topo, i):
    res, record = economy.resonance(topo, Field(topo, ints(i["psi"])), ints(i["res"]))
    return {"res": res, "record": record}


def _psy(_chain, topo, i):
    psy, minted, exhausted = economy.mint_psy(topo, Field(topo, ints(i["psi"])), ints(i["psy"]))
    return {"psy": psy, "psy_minted": minted, "psy_exhausted": exhausted}


def _rewards(_chain, topo, i):
    budget, W, nodes = holo_reward.rewards(topo, Field(topo, ints(i["psi"])), ints(i["chr"]), ints(i["res"]),
                                           int(i["treasury"]), int(i["chr_supply"]))
    return {"budget": budget, "total_weight": W, "nodes": nodes}


def _treasury(_chain, topo, i):
    flx, uflx, left, k, paid, users, moves = treasury.distribute(topo, ints(i["r"]), ints(i["flx"]), ints(i["user_flx"]), int(i["treasury"]))
    return {"flx": flx, "user_flx": uflx, "treasury": left, "k": k, "paid": paid, "users": users, "moves": moves}


STEPS = {"actions": _actions, "flow": _flow, "chr": _chr, "res": _res, "psy": _psy, "rewards": _rewards, "treasury": _treasury}


@pytest.mark.parametrize("case", VEC["cases"], ids=[f"{c['step']}: {c['name']}" for c in VEC["cases"]])
def test_economy_vector(case):
    chain = chain_of(VEC, case["genesis"])
    topo = chain.topology
    if "constants" in case:
        topo = topo.with_constants({k: int(v) for k, v in case["constants"].items()})
    run = STEPS[case["step"]]
    if "error" in case:
        with pytest.raises(cm.MathViolation) as err:
            run(chain, topo, case["inputs"])
        assert {"code": err.value.code, "reason": err.value.reason} == case["error"]
    else:
        assert as_json(run(chain, topo, case["inputs"])) == case["outputs"]


def test_every_step_is_covered():
    assert {c["step"] for c in VEC["cases"]} == set(STEPS)
