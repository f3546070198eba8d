"""§6 the honest epoch without the ledger (P6): replay of the stored inputs document of P6.7 into
the next state and the epoch record (P6.1–P6.5, P6.10), the record hash, and the honest agents
that produce the inputs' proposals.
"""

import hashlib

from . import agent, canonical, economy, hashing, holo_reward, oracle, treasury, validator
from .certified_math import median
from .psi_field import opening_field
from .state import state_root

RECORD_TAG = "qfs/v13/epoch"


def inputs_hash(inputs: dict) -> str:
    """P6.7: plain SHA-256 of the inputs document's canonical bytes."""
    return hashlib.sha256(canonical.encode_bytes(inputs)).hexdigest()


def record_hash(record: dict) -> str:
    return hashing.H(RECORD_TAG, record)


def active_shards(state: dict, t: int) -> list:
    """§4: mode normal, not blacklisted, halted_until < t; shard ids ascending."""
    if state["mode"] != "normal":
        return []
    return [s["id"] for s in state["shards"] if not s["blacklisted"] and s["halted_until"] < t]


def _still(S: dict, nxt: dict, outcome: str, **fields) -> dict:
    """P6.3: the record of an epoch that moves nothing."""
    return {"epoch": nxt["epoch"], "prev_root": state_root(S), "root": state_root(nxt), "outcome": outcome,
            **fields, "moves": [], "flows": [], "chr": {"penalties": [], "shares": [], "pool": S["chr_pool"]},
            "res": {"cap": 0, "credits": []}, "psy_minted": [], "rewards": {"budget": 0, "nodes": [], "users": []}}


def window1(chain, S: dict, snapshots: list):
    """Step 1 and step 2's field: (admitted, rejections, S after step 1, opening field)."""
    t = S["epoch"] + 1
    admitted, rejections = oracle.decide(chain, snapshots, t, S["last_oracle_epoch"])
    s1 = oracle.apply(chain.topology, S, admitted)
    return admitted, rejections, s1, opening_field(chain.topology, s1["nodes"])


def _proposal(p: dict) -> dict:
    """A stored proposal body with int fields (the honest path: well formed by construction)."""
    r = p["reports"]
    return {"epoch": int(p["epoch"]), "shard": int(p["shard"]), "prev_root": p["prev_root"],
            "actions": [agent.read_action(a) for a in p["actions"]],
            "reports": {"psi": [{"node": int(x["node"]), "value": int(x["value"])} for x in r["psi"]],
                        "gradients": [{"a": int(x["a"]), "b": int(x["b"]), "value": int(x["value"])}
                                      for x in r["gradients"]],
                        "sync": int(r["sync"])}}


def replay(chain, S: dict, inputs: dict):
    """Executes a stored inputs document (its JSON form) on S: returns (next state, record)."""
    topo = chain.topology
    t = S["epoch"] + 1
    if int(inputs["epoch"]) != t:
        raise ValueError(f"inputs for epoch {inputs['epoch']}, not {t}")
    ih = inputs_hash(inputs)
    if S["mode"] == "safe":  # step 0: frozen, nothing read (P6.10)
        nxt = {**S, "epoch": t}
        return nxt, _still(S, nxt, "frozen", inputs_hash=ih, active=[], voters=[], incidents=[], events=[],
                           sync=None, c_shards=None)
    admitted, rejections, s1, field = window1(chain, S, inputs["snapshots"])
    events = [] if admitted is None else [{"kind": "oracle_admitted", "digest": admitted[0], "epoch": admitted[1]["epoch"]}]
    incidents = [oracle.incident(r) for r in rejections]
    v_events, v_incidents = validator.check(topo, t, field.psi, inputs["validator"])
    events += v_events
    incidents += v_incidents

    proposals = [_proposal(p) for p in inputs["proposals"]]
    voters = [p["shard"] for p in proposals]
    active = active_shards(S, t)
    reports = [{"shard": p["shard"], "value": p["reports"]["sync"]} for p in proposals]
    sync = {"c": field.c, "median": median([r["value"] for r in reports]) if reports else None, "reports": reports}
    basis = agent.Basis(topo, s1["nodes"], S["unstakes"], field)
    c_shards = []
    for p in proposals:
        staked = {}
        for a in p["actions"]:
            if a["kind"] == "stake":
                i = topo.node_index[a["node"]]
                staked[i] = staked.get(i, 0) + a["amount"]
        open_, with_stakes, _ = basis.coherence(topo.shard_index[p["shard"]], staked)
        c_shards.append({"shard": p["shard"], "open": open_, "with_stakes": with_stakes})

    if not voters:  # step 13 with no voter: max(1, ...) = 1 vote needed, none possible
        events.append({"kind": "no_quorum", "votes": 0, "needed": 1})
        nxt = {**S, "epoch": t}
        return nxt, _still(S, nxt, "abort", inputs_hash=ih, active=active, voters=voters, incidents=incidents,
                           events=events, sync=sync, c_shards=c_shards)

    # Steps 4–10 over the voters' actions.
    actions = [a for p in proposals for a in p["actions"]]
    nodes4, queue, moves4, _ = economy.apply_actions(topo, s1["nodes"], S["unstakes"], S["coherence"], actions, t, field.c)
    flx5, flows, moves5 = economy.field_flow(topo, field, [n["flx"] for n in nodes4])
    chr6, pool, chr_record = economy.rebalance_chr(topo, field, [n["chr"] for n in S["nodes"]],
                                                   [n["dis"] for n in s1["nodes"]], S["chr_pool"])
    res7, res_record = economy.resonance(topo, field, [n["res"] for n in S["nodes"]])
    psy8, psy_minted, exhausted = economy.mint_psy(topo, field, [n["psy"] for n in nodes4])
    if exhausted:
        events.append({"kind": "psy_exhausted"})
    budget, _, reward_nodes = holo_reward.rewards(topo, field, [n["chr"] for n in S["nodes"]],
                                                  [n["res"] for n in S["nodes"]], S["treasury"])
    flx10, user_flx, treasury_left, cuts, _, users, moves10 = treasury.distribute(
        topo, [x["r"] for x in reward_nodes], flx5, [u["flx"] for u in S["users"]], S["treasury"])

    nodes = [{**n, "flx": flx10[i], "chr": chr6[i], "res": res7[i], "psy": psy8[i]} for i, n in enumerate(nodes4)]
    nxt = {**s1, "epoch": t, "nodes": nodes,
           "users": [{"id": u["id"], "flx": user_flx[j]} for j, u in enumerate(S["users"])],
           "treasury": treasury_left, "chr_pool": pool, "unstakes": queue, "coherence": field.c}
    record = {
        "epoch": t, "prev_root": state_root(S), "root": state_root(nxt), "outcome": "commit", "inputs_hash": ih,
        "active": active, "voters": voters, "incidents": incidents, "events": events,
        "moves": moves4 + moves5 + moves10, "flows": flows, "chr": chr_record, "res": res_record,
        "psy_minted": psy_minted,
        "rewards": {"budget": budget, "nodes": [{**x, "k": cuts[i]} for i, x in enumerate(reward_nodes)], "users": users},
        "sync": sync, "c_shards": c_shards,
    }
    return nxt, record


def honest_inputs(chain, S: dict, snapshot_copies: list, validator_answer, submitted: list):
    """The honest path before replay: the stored inputs document (P6.7) and the agents' refusals
    [{shard, code, digest}]. `submitted` is [{shard, actions}] (any order; inactive shards ignored)."""
    t = S["epoch"] + 1
    if S["mode"] == "safe":
        return {"epoch": t, "snapshots": [], "validator": None, "proposals": []}, []
    stored = oracle.stored(snapshot_copies)
    _, _, s1, field = window1(chain, S, stored)
    basis = agent.Basis(chain.topology, s1["nodes"], S["unstakes"], field)
    by_shard = {}
    for entry in submitted:
        by_shard.setdefault(int(entry["shard"]), []).extend(entry["actions"])
    proposals, refusals = [], []
    prev_root = state_root(S)
    for shard in active_shards(S, t):
        taken, refused = agent.choose(basis, shard, by_shard.get(shard, []))
        refusals += [{"shard": shard, **r} for r in refused]
        proposals.append({"epoch": t, "shard": shard, "prev_root": prev_root, "actions": taken,
                          "reports": agent.reports(basis, shard)})
    return {"epoch": t, "snapshots": stored, "validator": validator_answer, "proposals": proposals}, refusals
