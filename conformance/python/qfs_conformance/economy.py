"""§6 steps 4–8 (HarmonicEconomics): actions and the unstake queue, field flow, CHR rebalancing,
resonance, PSY. Each step takes node-aligned lists (node index = id order) and returns the next
values with its part of the epoch record (P5 layouts). Actions are valid (step 3 judged them);
a value leaving the §1 range raises MathViolation.
"""

from .certified_math import LIMIT, SCALE, check_unsigned, mul_div
from .psi_field import direction


def add(a: int, b: int) -> int:
    return check_unsigned(a + b)


def sub(a: int, b: int) -> int:
    return check_unsigned(a - b)


def total(xs) -> int:
    """Σ of named non-negative values: the sum is a named value too, so it must be in range."""
    return check_unsigned(sum(xs))


def node_flx(i: int) -> str:
    return f"node:{i}:flx"


def move(kind: str, frm: str, to: str, amount: int) -> dict:
    return {"kind": kind, "from": frm, "to": to, "amount": amount}


def acting_node(a: dict) -> int:
    return a["from"] if a["kind"] in ("transfer", "psy_transfer") else a["node"]


# --- step 4 -----------------------------------------------------------------------------------

def apply_actions(topo, nodes: list, unstakes: list, coherence: int, actions: list, t: int, c: int):
    """Step 4. `nodes` are S's node records after step 1; returns (nodes, queue, moves, released)."""
    nodes = [dict(n) for n in nodes]
    queue = [dict(u) for u in unstakes]
    moves = []

    def key(a):
        node = acting_node(a)
        return (topo.shard_ids[topo.node_shard[topo.node_index[node]]], node, a["nonce"])

    for a in sorted(actions, key=key):
        me = nodes[topo.node_index[acting_node(a)]]
        amount = a["amount"]
        kind = a["kind"]
        if kind == "transfer":
            other = nodes[topo.node_index[a["to"]]]
            me["flx"] = sub(me["flx"], amount)
            other["flx"] = add(other["flx"], amount)
            moves.append(move("transfer", node_flx(a["from"]), node_flx(a["to"]), amount))
        elif kind == "stake":
            me["flx"] = sub(me["flx"], amount)
            me["stake"] = add(me["stake"], amount)
            me["atr"] = add(me["atr"], amount)
            moves.append(move("stake", node_flx(a["node"]), f"node:{a['node']}:stake", amount))
        elif kind == "unstake":
            queue.append({"node": a["node"], "nonce": a["nonce"], "amount": amount, "since": t})
        elif kind == "psy_transfer":
            other = nodes[topo.node_index[a["to"]]]
            me["psy"] = sub(me["psy"], amount)
            other["psy"] = add(other["psy"], amount)
            moves.append(move("psy_transfer", f"node:{a['from']}:psy", f"node:{a['to']}:psy", amount))
        else:
            raise ValueError(f"unknown action kind {kind!r}")
        me["nonce"] = a["nonce"]  # canonical order visits a node's nonces ascending

    queue.sort(key=lambda u: (u["node"], u["nonce"]))
    released = c <= coherence
    if released:
        kept = []
        for u in queue:
            if u["since"] >= t:
                kept.append(u)
                continue
            n = nodes[topo.node_index[u["node"]]]
            n["stake"] = sub(n["stake"], u["amount"])
            n["flx"] = add(n["flx"], u["amount"])
            n["atr"] = sub(n["atr"], u["amount"])
            moves.append(move("unstake", f"node:{u['node']}:stake", node_flx(u["node"]), u["amount"]))
        queue = kept
    return nodes, queue, moves, released


# --- step 5 -----------------------------------------------------------------------------------

def field_flow(topo, field, flx: list):
    """Step 5: budgets and demands from the balances before any flow; all edges at once."""
    rate = topo.constants["flow_rate"]
    ids = topo.node_ids
    demand_of = [0] * len(flx)
    sources = []
    for e, d in enumerate(field.demand):
        if d == 0:
            continue
        s, r = direction(topo, e, field.gradients[e])
        demand_of[s] = add(demand_of[s], d)
        sources.append((e, s, r, d))
    budget = [mul_div(f, rate, SCALE) for f in flx]
    nxt = list(flx)
    flows, moves = [], []
    for e, s, r, d in sources:
        amount = d if demand_of[s] <= budget[s] else mul_div(d, budget[s], demand_of[s])
        a, b = topo.edges[e]
        flows.append({"a": ids[a], "b": ids[b], "from": ids[s], "to": ids[r], "demand": d, "amount": amount})
        if amount == 0:
            continue
        nxt[s] = sub(nxt[s], amount)
        nxt[r] = add(nxt[r], amount)
        moves.append(move("flow", node_flx(ids[s]), node_flx(ids[r]), amount))
    return nxt, flows, moves


# --- step 6 -----------------------------------------------------------------------------------

def rebalance_chr(topo, field, chr_: list, dis: list, pool: int):
    """Step 6: penalties into the pool, the pool shared by ψ, floor remainders kept."""
    rate = topo.constants["penalty_rate"]
    p = [mul_div(c, mul_div(d, rate, SCALE), SCALE) for c, d in zip(chr_, dis)]
    P = add(pool, total(p))
    if field.sum_psi == 0:
        shares = [0] * len(chr_)
    else:
        shares = [mul_div(P, psi, field.sum_psi) for psi in field.psi]
    nxt = [add(sub(c, pi), si) for c, pi, si in zip(chr_, p, shares)]
    new_pool = sub(P, total(shares))
    ids = topo.node_ids
    record = {"penalties": [{"node": ids[i], "value": v} for i, v in enumerate(p)],
              "shares": [{"node": ids[i], "value": v} for i, v in enumerate(shares)],
              "pool": new_pool}
    return nxt, new_pool, record


# --- step 7 -----------------------------------------------------------------------------------

def resonance(topo, field, res: list):
    """Step 7: the envelope cap either scales existing RES down or caps the generation."""
    k = topo.constants
    cap = mul_div(field.sum_psi, k["res_cap_ratio"], SCALE)
    existing = total(res)
    if existing > cap:
        return [mul_div(r, cap, existing) for r in res], {"cap": cap, "credits": []}
    aligned = []
    gen = 0
    for e, g in enumerate(field.gradients):
        if abs(g) > k["align_tol"]:
            continue
        a, b = topo.edges[e]
        r = mul_div(min(field.psi[a], field.psi[b]), k["res_rate"], SCALE)
        aligned.append((e, r))
        gen = add(add(gen, r), r)  # one credit per (edge, end)
    room = cap - existing
    nxt = list(res)
    credits = []
    ids = topo.node_ids
    for e, r in aligned:
        a, b = topo.edges[e]
        for end in (a, b):
            c = r if gen <= room else mul_div(r, room, gen)
            nxt[end] = add(nxt[end], c)
            credits.append({"a": ids[a], "b": ids[b], "node": ids[end], "value": c})
    return nxt, {"cap": cap, "credits": credits}


# --- step 8 -----------------------------------------------------------------------------------

def mint_psy(topo, field, psy: list):
    """Step 8: all or nothing — nothing if the supply plus the mint would reach 2^127 (exact test)."""
    mint = [mul_div(psi, topo.constants["psy_rate"], SCALE) for psi in field.psi]
    exhausted = sum(psy) + sum(mint) >= LIMIT
    if exhausted:
        mint = [0] * len(mint)
    nxt = list(psy) if exhausted else [add(p, m) for p, m in zip(psy, mint)]
    ids = topo.node_ids
    return nxt, [{"node": ids[i], "value": m} for i, m in enumerate(mint)], exhausted
