"""§6 step 1, the oracle (EA-11), with pins P6.4–P6.7.

Snapshots are identified by their digest H("qfs/v13/oracle", snapshot); copies with one digest are
one message, signed iff one copy's signature verifies against the genesis oracle key.
"""

from . import canonical, hashing, signatures
from .certified_math import SCALE
from .messages import Malformed, ident, integer, lst, obj

TAG = "qfs/v13/oracle"


def digest(snapshot) -> str | None:
    """The digest, or None for a value with no canonical form (dropped on receipt)."""
    try:
        return hashing.H(TAG, snapshot)
    except canonical.CanonicalError:
        return None


def stored(copies: list) -> list:
    """P6.7: every distinct (digest, signature) once, sorted by (digest, signature)."""
    seen = {}
    for c in copies:
        d = digest(c["snapshot"])
        if d is not None:
            seen[(d, c["signature"])] = {"digest": d, "snapshot": c["snapshot"], "signature": c["signature"]}
    return [seen[k] for k in sorted(seen)]


def read(doc, genesis_hash: str, topo) -> dict | None:
    """The P6.6 schema; None if malformed."""
    try:
        o = obj(doc, ("genesis", "epoch", "dis"))
        if o["genesis"] != genesis_hash:  # also refuses a non-string
            raise Malformed("another chain")
        epoch = ident(o["epoch"])
        dis = []
        for x in lst(o["dis"]):
            e = obj(x, ("node", "value"))
            node = ident(e["node"])
            if node not in topo.node_index:
                raise Malformed("no such node")
            dis.append((node, integer(e["value"], 0, SCALE + 1)))
        if any(b[0] <= a[0] for a, b in zip(dis, dis[1:])):
            raise Malformed("nodes not strictly ascending")
        return {"epoch": epoch, "dis": dis}
    except Malformed:
        return None


def decide(chain, copies: list, t: int, last_oracle_epoch: int):
    """Returns (admitted, rejections): admitted = (digest, snapshot) or None; rejections are the
    EA-11 evidence dicts in digest order."""
    topo = chain.topology
    window = topo.constants["oracle_window"]
    key = bytes.fromhex(chain.oracle_key)
    groups = {}
    for c in copies:
        d = digest(c["snapshot"])
        if d is None:
            continue
        groups.setdefault(d, {"snapshot": c["snapshot"], "signatures": []})["signatures"].append(c["signature"])
    judged = []
    for d in sorted(groups):
        g = groups[d]
        snap = read(g["snapshot"], chain.hash, topo)
        if snap is None:
            judged.append((d, "malformed", None))
            continue
        dbytes = bytes.fromhex(d)
        signed = any(
            (sig := signatures.from_hex(s, signatures.SIGNATURE_BYTES)) is not None
            and signatures.verify(key, TAG, dbytes, sig)
            for s in g["signatures"])
        e = snap["epoch"]
        reason = ("bad_signature" if not signed else "future" if e > t else "stale" if e + window < t
                  else "replayed" if e <= last_oracle_epoch else None)
        judged.append((d, reason, snap))
    winner = None
    for d, reason, snap in judged:
        if reason is None and (winner is None or snap["epoch"] > winner[1]["epoch"]):
            winner = (d, snap)  # digest order: the first of the highest epoch is the lowest digest
    rejections = []
    for d, reason, snap in judged:
        if winner is not None and d == winner[0]:
            continue
        rejections.append({"digest": d, "reason": reason or "superseded",
                           "epoch": None if snap is None else snap["epoch"],
                           "admitted": winner[0] if reason is None else None})
    return winner, rejections


def incident(evidence: dict) -> dict:
    return {"code": None, "ea": "EA-11", "shard": None, "evidence": evidence}


def apply(topo, state: dict, admitted) -> dict:
    """Admission: each listed node's dis is set, last_oracle_epoch = the snapshot's epoch."""
    if admitted is None:
        return state
    nodes = [dict(n) for n in state["nodes"]]
    for node, value in admitted[1]["dis"]:
        nodes[topo.node_index[node]]["dis"] = value
    return {**state, "nodes": nodes, "last_oracle_epoch": admitted[1]["epoch"]}
