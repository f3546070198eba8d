"""§5 ψ-field: densities, gradients, flux demands, curls, C and C_s (PsiFieldEngine)."""

from .certified_math import SCALE, check_signed, check_unsigned, floor_div, mul_div


def psi_of(chr_: int, atr: int, dis: int) -> int:
    """ψ_i = mulDiv(chr_i, atr_i, SCALE + dis_i)."""
    return mul_div(chr_, atr, SCALE + dis)


def coherence_of(psi: list) -> int:
    """C = floorDiv(Σψ, number of nodes); Σψ is a named value, so it must be in range too."""
    return floor_div(check_unsigned(sum(psi)), len(psi))


class Field:
    """The opening field, node- and edge-aligned (node index, edge index)."""

    def __init__(self, topo, psi: list):
        self.psi = psi
        kappa = topo.constants["kappa"]
        self.gradients = [check_signed(psi[b] - psi[a]) for a, b in topo.edges]
        self.demand = [mul_div(kappa, abs(g), SCALE) for g in self.gradients]
        self.sum_psi = check_unsigned(sum(psi))
        self.c = floor_div(self.sum_psi, len(psi))
        self.c_shards = [floor_div(check_unsigned(sum(psi[i] for i in members)), len(members)) if members else 0
                         for members in topo.shard_members]


def opening_field(topo, nodes: list) -> Field:
    """§5 from node records (dicts with chr, atr, dis), aligned with the topology."""
    return Field(topo, [psi_of(n["chr"], n["atr"], n["dis"]) for n in nodes])


def direction(topo, e: int, g: int):
    """(from, to) node indices of edge e's flux — from the lower-ψ end to the higher — or None if g = 0."""
    a, b = topo.edges[e]
    if g == 0:
        return None
    return (a, b) if g > 0 else (b, a)


def triangles(topo) -> list:
    """Every triangle a < b < c (node indices, which follow id order) with its edge indices (ab, bc, ac)."""
    at = {edge: e for e, edge in enumerate(topo.edges)}
    up = {}
    for (a, b), e in at.items():
        up.setdefault(a, []).append(b)
    out = []
    for a in sorted(up):
        for b in sorted(up[a]):
            for c in sorted(up.get(b, [])):
                if (a, c) in at:
                    out.append((a, b, c, at[(a, b)], at[(b, c)], at[(a, c)]))
    return out


def curl(gradients: list, tri) -> int:
    """g_ab + g_bc − g_ac, exact (it judges reported gradients: never a MathViolation)."""
    _, _, _, ab, bc, ac = tri
    return gradients[ab] + gradients[bc] - gradients[ac]
