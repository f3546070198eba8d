/**
 * HoloRewardEngine (SPEC §6 step 9): the epoch's reward of each node, from the opening field and
 * the chr and res of S, so that a node's reward depends on its own coherence and not on the order
 * of the pipeline. Floor shares of one budget: monotone in a node's own weight (largest remainder
 * is not: the Balinski–Young population paradox).
 */
import { min, mul, mulDiv, floorDiv, SCALE, sum } from '../math/certified-math.ts';
import type { OpeningField } from '../field/psi-field.ts';
import type { Topology } from '../field/topology.ts';

/** `m_i = min(A_MAX, floorDiv(ψ_i, BASE))`. */
export const multiplier = (psi: bigint, base: bigint, aMax: bigint): bigint => min(aMax, floorDiv(psi, base));

/** `f_i = SCALE + min(res_i, SCALE)`. */
export const resFeedback = (res: bigint): bigint => SCALE + min(res, SCALE);

/** `w_i = m_i * mulDiv(mulDiv(chr_i, ψ_i, CHR_SUPPLY), f_i, SCALE)`. */
export const rewardWeight = (m: bigint, chr: bigint, psi: bigint, f: bigint, chrSupply: bigint): bigint =>
  mul(m, mulDiv(mulDiv(chr, psi, chrSupply), f, SCALE));

/** `r_i = mulDiv(R, w_i, W)` with `W = Σ w_j`; all 0 when `W = 0`. */
export function floorShares(budget: bigint, weights: readonly bigint[]): bigint[] {
  const W = sum(weights);
  return W === 0n ? weights.map(() => 0n) : weights.map((w) => mulDiv(budget, w, W));
}

export type RewardNode = { readonly node: bigint; readonly m: bigint; readonly w: bigint; readonly r: bigint };
export type HoloRewards = {
  /** `R = mulDiv(treasury, RELEASE_RATE, SCALE)`. */
  readonly budget: bigint;
  /** `W = Σ w_j`. */
  readonly total_weight: bigint;
  /** Every node in id order (aligned with the topology). */
  readonly nodes: readonly RewardNode[];
};

/** Step 9. `chr` and `res` are S's (aligned with the topology); `treasury` is S's. */
export function holoRewards(topo: Topology, field: OpeningField, chr: readonly bigint[], res: readonly bigint[], treasury: bigint): HoloRewards {
  const k = topo.constants;
  const budget = mulDiv(treasury, k.release_rate, SCALE);
  const psi = field.psi;
  const n = psi.length;
  const m: bigint[] = new Array<bigint>(n);
  for (let i = 0; i < n; i++) m[i] = multiplier(psi[i]!, k.base, k.a_max);
  const w: bigint[] = new Array<bigint>(n);
  for (let i = 0; i < n; i++) w[i] = rewardWeight(m[i]!, chr[i]!, psi[i]!, resFeedback(res[i]!), topo.chrSupply);
  // floorShares, keeping W: it is also `total_weight`.
  const W = sum(w);
  const r: bigint[] = new Array<bigint>(n);
  for (let i = 0; i < n; i++) r[i] = W === 0n ? 0n : mulDiv(budget, w[i]!, W);
  const ids = topo.nodeIds;
  const nodes: RewardNode[] = new Array<RewardNode>(ids.length);
  for (let i = 0; i < ids.length; i++) nodes[i] = { node: ids[i]!, m: m[i]!, w: w[i]!, r: r[i]! };
  return { budget, total_weight: W, nodes };
}
