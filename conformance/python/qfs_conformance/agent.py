"""The honest shard agent (§6, P6.8–P6.9) and the step-3 action rules it applies (EA-6, EA-9).

From S (after step 1: the oracle's dissonance), S's queue and the opening field, an agent takes
its nodes' submitted actions in (acting node, nonce, digest) order and refuses each one that would
break a rule given those already taken. Every comparison is exact (never a MathViolation).
"""

from . import canonical, hashing
from .certified_math import SCALE
from .economy import acting_node
from .messages import Malformed, ident, obj, unsigned

TAG = "qfs/v13/action"
CODES = ("malformed", "unknown_node", "wrong_shard", "self_transfer", "non_positive_amount",
         "nonce_conflict", "bad_nonce", "overdraft", "coherence_divergence")
KEYS = {"transfer": ("kind", "from", "to", "amount", "nonce"),
        "stake": ("kind", "node", "amount", "nonce"),
        "unstake": ("kind", "node", "amount", "nonce"),
        "psy_transfer": ("kind", "from", "to", "amount", "nonce")}


def digest(action) -> str | None:
    try:
        return hashing.H(TAG, action)
    except canonical.CanonicalError:
        return None


def read_action(doc) -> dict | None:
    """An action with int fields, or None if it breaks the schema (keys, types, §1 ranges, kind)."""
    try:
        if not isinstance(doc, dict) or doc.get("kind") not in KEYS:
            raise Malformed("unknown kind")
        kind = doc["kind"]
        o = obj(doc, KEYS[kind])
        a = {"kind": kind}
        for k in KEYS[kind][1:]:
            a[k] = unsigned(o[k]) if k in ("amount", "nonce") else ident(o[k])
        return a
    except Malformed:
        return None


class Basis:
    """What actions are judged against: S's nodes after step 1, S's queue, the opening field."""

    def __init__(self, topo, nodes: list, unstakes: list, field):
        self.topo, self.nodes, self.field = topo, nodes, field
        self.queued = {}
        for u in unstakes:
            self.queued[u["node"]] = self.queued.get(u["node"], 0) + u["amount"]

    def psi_with_stake(self, i: int, extra: int) -> int:
        n = self.nodes[i]
        return n["chr"] * (n["atr"] + extra) // (SCALE + n["dis"])  # exact: no range, no violation

    def coherence(self, shard_index: int, staked: dict) -> tuple:
        """(open C_s, C_s with each node's atr raised by its stakes, the EA-9 bound), exact."""
        members = self.topo.shard_members[shard_index]
        open_ = self.field.c_shards[shard_index]
        bound = max(open_, SCALE) * self.topo.constants["delta_max"] // SCALE
        if not members:
            return open_, 0, bound
        return open_, sum(self.psi_with_stake(i, staked.get(i, 0)) for i in members) // len(members), bound


class Tally:
    """The actions one shard has taken so far and what they use of S."""

    def __init__(self, basis: Basis, shard: int):
        self.b = basis
        self.k = basis.topo.shard_index[shard]
        self.nonces = {}  # node index -> set of taken nonces
        self.last = {}
        self.flx = {}
        self.psy = {}
        self.unstaked = {}
        self.staked = {}
        self.taken = []

    def judge(self, a: dict):
        topo = self.b.topo
        actor = acting_node(a)
        to = a.get("to")
        i = topo.node_index.get(actor)
        if i is None or (to is not None and to not in topo.node_index):
            return "unknown_node"
        if topo.node_shard[i] != self.k or (a["kind"] == "psy_transfer" and topo.node_shard[topo.node_index[to]] != self.k):
            return "wrong_shard"
        if to is not None and to == actor:
            return "self_transfer"
        if a["amount"] <= 0:
            return "non_positive_amount"
        if a["nonce"] in self.nonces.get(i, ()):
            return "nonce_conflict"
        if a["nonce"] != self.last.get(i, self.b.nodes[i]["nonce"]) + 1:
            return "bad_nonce"
        n = self.b.nodes[i]
        kind = a["kind"]
        if kind in ("transfer", "stake"):
            over = self.flx.get(i, 0) + a["amount"] > n["flx"]
        elif kind == "psy_transfer":
            over = self.psy.get(i, 0) + a["amount"] > n["psy"]
        else:
            over = self.unstaked.get(i, 0) + a["amount"] > n["stake"] - self.b.queued.get(actor, 0)
        if over:
            return "overdraft"
        if kind == "stake":
            staked = dict(self.staked)
            staked[i] = staked.get(i, 0) + a["amount"]
            open_, with_stakes, bound = self.b.coherence(self.k, staked)
            if abs(with_stakes - open_) > bound:
                return "coherence_divergence"
        return None

    def take(self, a: dict) -> None:
        i = self.b.topo.node_index[acting_node(a)]
        bucket = {"transfer": self.flx, "stake": self.flx, "psy_transfer": self.psy, "unstake": self.unstaked}[a["kind"]]
        bucket[i] = bucket.get(i, 0) + a["amount"]
        if a["kind"] == "stake":
            self.staked[i] = self.staked.get(i, 0) + a["amount"]
        self.nonces.setdefault(i, set()).add(a["nonce"])
        self.last[i] = a["nonce"]
        self.taken.append(a)


def choose(basis: Basis, shard: int, submitted: list):
    """(taken actions, refusals [{code, digest}]) for one shard's submissions, in the agent's order."""
    malformed, readable = [], []
    for doc in submitted:
        d = digest(doc)
        if d is None:
            continue  # no canonical form: never received
        a = read_action(doc)
        if a is None:
            malformed.append(d)
        else:
            readable.append((acting_node(a), a["nonce"], d, a))
    refusals = [{"code": "malformed", "digest": d} for d in sorted(malformed)]
    tally = Tally(basis, shard)
    for _, _, d, a in sorted(readable, key=lambda x: x[:3]):
        code = tally.judge(a)
        if code is None:
            tally.take(a)
        else:
            refusals.append({"code": code, "digest": d})
    return tally.taken, refusals


def reports(basis: Basis, shard: int) -> dict:
    """The honest reports: the opening ψ of the shard's nodes, its owned edges' gradients, sync = C."""
    topo, field = basis.topo, basis.field
    k = topo.shard_index[shard]
    return {
        "psi": [{"node": topo.node_ids[i], "value": field.psi[i]} for i in topo.shard_members[k]],
        "gradients": [{"a": topo.node_ids[a], "b": topo.node_ids[b], "value": field.gradients[e]}
                      for e, (a, b) in enumerate(topo.edges) if topo.node_shard[a] == k],
        "sync": field.c,
    }
