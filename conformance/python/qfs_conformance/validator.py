"""§6 step 2's optional external validator (EA-12), P6.4–P6.6: evidence only, never state."""

from . import hashing
from .messages import Malformed, ident, lst, obj, unsigned

TAG = "qfs/v13/validator"


def read(answer, t: int, topo) -> list | None:
    """The answer's ψ values in node order, or None if malformed."""
    try:
        o = obj(answer, ("epoch", "psi"))
        if ident(o["epoch"]) != t:
            raise Malformed("another epoch")
        psi = lst(o["psi"])
        if len(psi) != len(topo.node_ids):
            raise Malformed("one value per node")
        values = []
        for i, x in enumerate(psi):
            e = obj(x, ("node", "value"))
            if ident(e["node"]) != topo.node_ids[i]:
                raise Malformed("nodes in id order, each once")
            values.append(unsigned(e["value"]))
        return values
    except Malformed:
        return None


def check(topo, t: int, engine_psi: list, answer):
    """(events, incidents) of step 2 for the stored answer (None: no validator)."""
    if answer is None:
        return [], []
    d = hashing.H(TAG, answer)
    values = read(answer, t, topo)
    if values is None:
        return [{"kind": "validator_malformed", "digest": d}], []
    nodes = [{"node": topo.node_ids[i], "engine": e, "validator": v}
             for i, (e, v) in enumerate(zip(engine_psi, values)) if e != v]
    if not nodes:
        return [], []
    return [], [{"code": None, "ea": "EA-12", "shard": None, "evidence": {"digest": d, "nodes": nodes}}]
