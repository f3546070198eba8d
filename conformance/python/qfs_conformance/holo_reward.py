"""§6 step 9 (HoloRewardEngine): floor shares of the released budget by weight."""

from .certified_math import SCALE, check_unsigned, floor_div, mul_div


def rewards(topo, field, chr_: list, res: list, treasury: int, chr_supply: int | None = None):
    """From the opening field and S's chr, res and treasury. Returns (budget R, W, [{node, m, w, r}])."""
    k = topo.constants
    supply = topo.chr_supply if chr_supply is None else chr_supply
    budget = mul_div(treasury, k["release_rate"], SCALE)
    m = [min(k["a_max"], floor_div(psi, k["base"])) for psi in field.psi]
    w = [check_unsigned(mi * mul_div(mul_div(c, psi, supply), SCALE + min(r, SCALE), SCALE))
         for mi, c, psi, r in zip(m, chr_, field.psi, res)]
    W = check_unsigned(sum(w))
    r = [mul_div(budget, wi, W) for wi in w] if W > 0 else [0] * len(w)
    nodes = [{"node": topo.node_ids[i], "m": m[i], "w": w[i], "r": r[i]} for i in range(len(w))]
    return budget, W, nodes
