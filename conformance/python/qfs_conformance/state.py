"""§4 state: the state at epoch 0, its root, its supplies; and the fixed topology of a genesis.

A state is a plain dict with the §4 keys and Python ints, so `canonical.encode` writes it exactly
(every int as a decimal string). Node-aligned lists use the node *index*: the position of the node
in the genesis (sorted by id), which is also its position in `state["nodes"]`.
"""

from . import genesis as genesis_mod
from . import hashing
from .psi_field import coherence_of, psi_of

STATE_TAG = "qfs/v13/state"


class Topology:
    """What never changes after the genesis: ids, shards, edges, users and weights, constants."""

    def __init__(self, view: dict):
        self.constants = view["constants"]
        nodes = view["nodes"]
        self.chr_supply = sum(n["chr"] for n in nodes)  # CHR_SUPPLY of step 9: the genesis Σ chr
        self.node_ids = [n["id"] for n in nodes]
        self.node_index = {nid: i for i, nid in enumerate(self.node_ids)}
        self.shard_ids = [sid for sid, _ in view["shards"]]
        self.shard_index = {sid: k for k, sid in enumerate(self.shard_ids)}
        self.node_shard = [self.shard_index[n["shard"]] for n in nodes]  # shard index of each node
        self.shard_members = [[] for _ in self.shard_ids]
        for i, k in enumerate(self.node_shard):
            self.shard_members[k].append(i)
        self.groups = view["groups"]
        self.edges = [(self.node_index[a], self.node_index[b]) for a, b in view["edges"]]
        self.edge_ids = list(view["edges"])
        users = sorted((uid, w, i) for i, n in enumerate(nodes) for uid, w in n["users"])
        self.user_ids = [u for u, _, _ in users]
        self.user_index = {u: j for j, u in enumerate(self.user_ids)}
        self.user_weight = [w for _, w, _ in users]
        self.user_node = [i for _, _, i in users]
        self.node_users = [[self.user_index[uid] for uid, _ in n["users"]] for n in nodes]  # id order
        self.node_weight = [sum(w for _, w in n["users"]) for n in nodes]

    def with_constants(self, overrides: dict) -> "Topology":
        t = object.__new__(Topology)
        t.__dict__.update(self.__dict__)
        t.constants = {**self.constants, **overrides}
        return t


class Chain:
    """A validated genesis document, its hash G, its integer view and its topology."""

    def __init__(self, doc: dict):
        self.doc = doc
        self.view = genesis_mod.validate(doc)
        self.hash = hashing.H(genesis_mod.TAG, doc)
        self.topology = Topology(self.view)
        self.oracle_key = self.view["oracle_key"]


def initial_state(chain: Chain) -> dict:
    """§4: genesis balances with nonce 0, users at 0 FLX, an empty pool and queue, C of the genesis field."""
    v = chain.view
    nodes = [{"id": n["id"], "chr": n["chr"], "flx": n["flx"], "stake": n["stake"], "psy": n["psy"],
              "atr": n["atr"], "res": n["res"], "dis": n["dis"], "nonce": 0} for n in v["nodes"]]
    return {
        "genesis": chain.hash,
        "epoch": 0,
        "mode": "normal",
        "nodes": nodes,
        "users": [{"id": u, "flx": 0} for u in chain.topology.user_ids],
        "treasury": v["treasury"],
        "chr_pool": 0,
        "shards": [{"id": sid, "halted_until": 0, "violations": 0, "blacklisted": False}
                   for sid, _ in v["shards"]],
        "unstakes": [],
        "coherence": coherence_of([psi_of(n["chr"], n["atr"], n["dis"]) for n in nodes]),
        "founders": [{"id": fid, "key": key} for fid, key in v["founders"]],
        "last_oracle_epoch": 0,
    }


def state_root(state: dict) -> str:
    return hashing.H(STATE_TAG, state)


def supplies(state: dict) -> dict:
    nodes = state["nodes"]
    return {
        "chr": sum(n["chr"] for n in nodes) + state["chr_pool"],
        "flx": sum(n["flx"] + n["stake"] for n in nodes) + sum(u["flx"] for u in state["users"]) + state["treasury"],
        "psy": sum(n["psy"] for n in nodes),
        "atr": sum(n["atr"] for n in nodes),
        "res": sum(n["res"] for n in nodes),
    }


_NODE_INTS = ("id", "chr", "flx", "stake", "psy", "atr", "res", "dis", "nonce")


def state_from_json(j: dict) -> dict:
    """A state read from its JSON form (integers as decimal strings)."""
    return {
        "genesis": j["genesis"],
        "epoch": int(j["epoch"]),
        "mode": j["mode"],
        "nodes": [{k: int(n[k]) for k in _NODE_INTS} for n in j["nodes"]],
        "users": [{"id": int(u["id"]), "flx": int(u["flx"])} for u in j["users"]],
        "treasury": int(j["treasury"]),
        "chr_pool": int(j["chr_pool"]),
        "shards": [{"id": int(s["id"]), "halted_until": int(s["halted_until"]),
                    "violations": int(s["violations"]), "blacklisted": s["blacklisted"]} for s in j["shards"]],
        "unstakes": [{k: int(u[k]) for k in ("node", "nonce", "amount", "since")} for u in j["unstakes"]],
        "coherence": int(j["coherence"]),
        "founders": [{"id": int(f["id"]), "key": f["key"]} for f in j["founders"]],
        "last_oracle_epoch": int(j["last_oracle_epoch"]),
    }
