"""§6 step 10 (TreasuryDistributionEngine): treasury → node cut → users by weight, floors stay."""

from .certified_math import SCALE, check_unsigned, mul_div


def distribute(topo, r: list, node_flx: list, user_flx: list, treasury: int):
    """Returns (node flx, user flx, treasury, cuts k, paid, users [{user, node, u}], moves)."""
    commission = topo.constants["node_commission"]
    nflx, uflx = list(node_flx), list(user_flx)
    u = [0] * len(user_flx)
    cuts, moves = [], []
    paid = 0
    for i, ri in enumerate(r):
        node = topo.node_ids[i]
        members = topo.node_users[i]
        k = ri if not members else mul_div(ri, commission, SCALE)
        cuts.append(k)
        if k > 0:
            nflx[i] = check_unsigned(nflx[i] + k)
            paid += k
            moves.append({"kind": "cut", "from": "treasury", "to": f"node:{node}:flx", "amount": k})
        if not members:
            continue
        rest = check_unsigned(ri - k)
        for j in members:
            share = mul_div(rest, topo.user_weight[j], topo.node_weight[i])
            u[j] = share
            if share == 0:
                continue
            uflx[j] = check_unsigned(uflx[j] + share)
            paid += share
            moves.append({"kind": "payout", "from": "treasury", "to": f"user:{topo.user_ids[j]}:flx", "amount": share})
    users = [{"user": uid, "node": topo.node_ids[topo.user_node[j]], "u": u[j]} for j, uid in enumerate(topo.user_ids)]
    return nflx, uflx, check_unsigned(treasury - check_unsigned(paid)), cuts, paid, users, moves
