/**
 * ψ-field (SPEC §5, PsiFieldEngine): density per node, gradient and flux demand per edge, curl per
 * triangle, global coherence C and shard coherence C_s. Every array is aligned with the topology:
 * `psi[i]` with node index i, `gradients[e]` and `demand[e]` with edge index e, `cShards[s]` with
 * shard index s.
 */
import { abs, add, floorDiv, mulDiv, SCALE, subSigned, sum } from '../math/certified-math.ts';
import type { Topology } from './topology.ts';

/** What ψ reads of a node. */
export type PsiInput = { readonly chr: bigint; readonly atr: bigint; readonly dis: bigint };

/** `ψ_i = mulDiv(chr_i, atr_i, SCALE + dis_i)`. */
export const psiOf = (n: PsiInput): bigint => mulDiv(n.chr, n.atr, add(SCALE, n.dis));

/** `g_e = ψ_b − ψ_a` on edge `(a, b)`, `a < b`. */
export const gradient = (psiA: bigint, psiB: bigint): bigint => subSigned(psiB, psiA);

/** `|d_e| = mulDiv(KAPPA, |g_e|, SCALE)`. */
export const fluxDemand = (kappa: bigint, g: bigint): bigint => mulDiv(kappa, abs(g), SCALE);

/**
 * `C = floorDiv(Σψ, number of nodes)`. With no node this is a zero divisor (MathViolation); a
 * valid genesis cannot have zero nodes (`Σ chr > 0` needs one) and nodes are never removed.
 */
export const globalCoherence = (psi: readonly bigint[]): bigint => floorDiv(sum(psi), BigInt(psi.length));

/** `C_s` for every shard: `floorDiv(Σψ over its nodes, their number)`, 0 for a shard with no nodes. */
export function shardCoherences(topo: Topology, psi: readonly bigint[]): bigint[] {
  return topo.shardNodes.map((members) =>
    members.length === 0 ? 0n : floorDiv(sum(members.map((i) => psi[i]!)), BigInt(members.length)),
  );
}

export type OpeningField = {
  readonly psi: readonly bigint[];
  readonly gradients: readonly bigint[];
  /** `|d_e|`; its direction is the sign of the gradient (see `flowEnds`). */
  readonly demand: readonly bigint[];
  readonly sumPsi: bigint;
  readonly c: bigint;
  readonly cShards: readonly bigint[];
};

/** §5 for every node and edge, from the nodes of the state after step 1 (aligned with `topo`). */
export function openingField(topo: Topology, nodes: readonly PsiInput[]): OpeningField {
  const psi = nodes.map(psiOf);
  const kappa = topo.constants.kappa;
  const gradients: bigint[] = new Array<bigint>(topo.edgeA.length);
  const demand: bigint[] = new Array<bigint>(topo.edgeA.length);
  for (let e = 0; e < topo.edgeA.length; e++) {
    const g = gradient(psi[topo.edgeA[e]!]!, psi[topo.edgeB[e]!]!);
    gradients[e] = g;
    demand[e] = fluxDemand(kappa, g);
  }
  const sumPsi = sum(psi);
  return {
    psi,
    gradients,
    demand,
    sumPsi,
    c: floorDiv(sumPsi, BigInt(psi.length)),
    cShards: shardCoherences(topo, psi),
  };
}

/**
 * The node indices an edge's flux runs between: from the lower-ψ end to the higher-ψ end (towards
 * coherence), so from `a` when `g_e > 0`; null when `g_e = 0` (no direction, no demand).
 */
export function flowEnds(topo: Topology, g: bigint, e: number): { readonly from: number; readonly to: number } | null {
  if (g === 0n) return null;
  const a = topo.edgeA[e]!;
  const b = topo.edgeB[e]!;
  return g > 0n ? { from: a, to: b } : { from: b, to: a };
}

/** A triangle `a < b < c` (node indices) with the edge indices of `(a,b)`, `(b,c)`, `(a,c)`. */
export type Triangle = {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly ab: number;
  readonly bc: number;
  readonly ac: number;
};

/**
 * Every triangle (all three edges present), sorted by `(a, b, c)`. Node indices follow id order,
 * so this is also the order by ids. O(E · degree), degree ≤ 64.
 */
export function triangles(topo: Topology): Triangle[] {
  const n = topo.nodeIds.length;
  // Higher neighbours of each node, ascending, with the edge index (edges are sorted by (a, b)).
  const up: { readonly to: number; readonly e: number }[][] = Array.from({ length: n }, () => []);
  const edgeAt = new Map<number, number>();
  for (let e = 0; e < topo.edgeA.length; e++) {
    const a = topo.edgeA[e]!;
    const b = topo.edgeB[e]!;
    up[a]!.push({ to: b, e });
    edgeAt.set(a * n + b, e);
  }
  const out: Triangle[] = [];
  for (let a = 0; a < n; a++) {
    for (const { to: b, e: ab } of up[a]!) {
      for (const { to: c, e: bc } of up[b]!) {
        const ac = edgeAt.get(a * n + c);
        if (ac !== undefined) out.push({ a, b, c, ab, bc, ac });
      }
    }
  }
  return out;
}

/**
 * `curl = g_ab + g_bc − g_ac`, exact (not range-checked): step 3 compares the curl of *reported*
 * gradients with a bound, and a lie must be attributed, never turned into a MathViolation.
 */
export const curl = (gradients: readonly bigint[], t: Triangle): bigint =>
  gradients[t.ab]! + gradients[t.bc]! - gradients[t.ac]!;
