//! §5 ψ-field (PsiFieldEngine): density, gradients, flux demand and direction, curl, C and C_s.

use crate::certified_math::{
    check_signed, check_unsigned, floor_div, mul_div, MathViolation, SCALE,
};
use crate::state::{Chain, NodeState};
use ethnum::I256;
use std::collections::HashSet;

/// `ψ_i = mulDiv(chr_i, atr_i, SCALE + dis_i)`.
pub fn density(chr: i128, atr: i128, dis: i128) -> Result<i128, MathViolation> {
    mul_div(chr, atr, I256::new(SCALE) + I256::new(dis))
}

/// `floorDiv(Σ ψ, n)` over a set of densities; 0 for an empty set (a shard with no nodes).
pub fn coherence_of(psis: impl IntoIterator<Item = i128>) -> Result<i128, MathViolation> {
    let mut sum = I256::ZERO;
    let mut n = 0u64;
    for p in psis {
        sum += I256::new(p);
        n += 1;
    }
    if n == 0 {
        return Ok(0);
    }
    floor_div(check_unsigned(sum)?, n)
}

/// The field of one set of balances.
#[derive(Debug, Clone)]
pub struct Field {
    /// ψ per node, in node order.
    pub psi: Vec<i128>,
    /// Σψ over all nodes.
    pub sum: i128,
    /// `g_e = ψ_b − ψ_a` per edge, in edge order.
    pub grad: Vec<i128>,
    /// `|d_e| = mulDiv(KAPPA, |g_e|, SCALE)` per edge.
    pub demand: Vec<i128>,
    /// Global coherence C.
    pub c: i128,
    /// C_s per shard, in shard order.
    pub c_shards: Vec<i128>,
}

impl Field {
    pub fn compute(chain: &Chain, nodes: &[NodeState]) -> Result<Field, MathViolation> {
        let psi = nodes
            .iter()
            .map(|n| density(n.chr, n.atr, n.dis))
            .collect::<Result<Vec<_>, _>>()?;
        Field::from_psi(chain, psi)
    }

    /// The rest of the field (Σψ, gradients, demands, C, C_s) from the densities.
    pub fn from_psi(chain: &Chain, psi: Vec<i128>) -> Result<Field, MathViolation> {
        let sum = check_unsigned(psi.iter().map(|p| I256::new(*p)).sum::<I256>())?;
        let mut grad = Vec::with_capacity(chain.edges.len());
        let mut demand = Vec::with_capacity(chain.edges.len());
        for (a, b) in &chain.edges {
            let g = check_signed(I256::new(psi[*b]) - I256::new(psi[*a]))?;
            grad.push(g);
            demand.push(mul_div(chain.k.kappa, I256::new(g).abs(), SCALE)?);
        }
        let c = floor_div(sum, psi.len() as u64)?;
        let c_shards = chain
            .shard_nodes
            .iter()
            .map(|members| coherence_of(members.iter().map(|i| psi[*i])))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Field {
            psi,
            sum,
            grad,
            demand,
            c,
            c_shards,
        })
    }

    /// The direction of edge `e`'s demand as node indices `(from, to)`: from the lower-ψ end to
    /// the higher-ψ end; `None` when `g_e = 0`.
    pub fn direction(&self, chain: &Chain, e: usize) -> Option<(usize, usize)> {
        let (a, b) = chain.edges[e];
        match self.grad[e] {
            g if g > 0 => Some((a, b)),
            g if g < 0 => Some((b, a)),
            _ => None,
        }
    }
}

/// Every triangle `a < b < c` (all three edges present) as edge indices `(ab, bc, ac)`, ordered by
/// the node ids `(a, b, c)`.
pub fn triangles(chain: &Chain) -> Vec<(usize, usize, usize)> {
    let index: std::collections::HashMap<(usize, usize), usize> = chain
        .edges
        .iter()
        .enumerate()
        .map(|(e, ab)| (*ab, e))
        .collect();
    let mut higher: Vec<Vec<usize>> = vec![Vec::new(); chain.n_nodes()];
    for (a, b) in &chain.edges {
        higher[*a].push(*b);
    }
    let present: HashSet<(usize, usize)> = chain.edges.iter().copied().collect();
    let mut out = Vec::new();
    for (ab, (a, b)) in chain.edges.iter().enumerate() {
        for c in &higher[*b] {
            if present.contains(&(*a, *c)) {
                out.push((ab, index[&(*b, *c)], index[&(*a, *c)]));
            }
        }
    }
    out.sort_by_key(|(ab, bc, _)| (chain.edges[*ab], chain.edges[*bc].1));
    out
}

/// `curl = g_ab + g_bc − g_ac`, exact (§6 step 3 compares it, so it never raises).
pub fn curl(g_ab: i128, g_bc: i128, g_ac: i128) -> I256 {
    I256::new(g_ab) + I256::new(g_bc) - I256::new(g_ac)
}
