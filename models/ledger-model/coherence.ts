/**
 * EA-9's quantities written from docs/spec.md (§4 density and coherence, §6 step 3 EA-9), without
 * src/'s action rules or field code: the adversary builds its stakes with these, so a wrong bound
 * in src/ is not in the attack too. Plain bigint arithmetic on non-negative values (floor).
 */
import type { NodeState } from '../../src/economics/state.ts';

/** The state fields the density reads. */
type Dense = Pick<NodeState, 'chr' | 'atr' | 'dis'>;

export const MODEL_SCALE = 10n ** 18n;

/** §4: ψ_i = mulDiv(chr_i, atr_i, SCALE + dis_i). */
export const psiOf = (n: Dense, extraAtr = 0n): bigint => (n.chr * (n.atr + extraAtr)) / (MODEL_SCALE + n.dis);

/** §4: C_s = floorDiv(Σ ψ_i over the shard's nodes, their number), 0 for a shard with no nodes; `extra` raises atr per node index. */
export function shardCoherence(nodes: readonly Dense[], members: readonly number[], extra: ReadonlyMap<number, bigint> = new Map()): bigint {
  if (members.length === 0) return 0n;
  let sum = 0n;
  for (const i of members) sum += psiOf(nodes[i]!, extra.get(i) ?? 0n);
  return sum / BigInt(members.length);
}

/** §6 step 3 EA-9: mulDiv(max(C_s, SCALE), DELTA_MAX, SCALE), C_s the opening one. */
export const divergenceBoundModel = (open: bigint, deltaMax: bigint): bigint => ((open > MODEL_SCALE ? open : MODEL_SCALE) * deltaMax) / MODEL_SCALE;

/**
 * Stakes by `candidates` (node indices with their FLX, largest first) that move C_s to just beyond
 * the bound (`over`) or as far as it allows (`under`): all-in stakes in order until one would
 * cross, then that node's amount found by bisection. Null when no stake set fits the side (or
 * the proposal's own stakes already cross).
 */
export function boundaryStakes(
  nodes: readonly Dense[],
  members: readonly number[],
  deltaMax: bigint,
  candidates: readonly { readonly i: number; readonly flx: bigint }[],
  side: 'over' | 'under',
  /** Stakes the proposal already holds, per node index (they move C_s too). */
  base: ReadonlyMap<number, bigint> = new Map(),
): { readonly i: number; readonly amount: bigint }[] | null {
  const open = shardCoherence(nodes, members);
  const bound = divergenceBoundModel(open, deltaMax);
  const diff = (extra: Map<number, bigint>): bigint => {
    const d = shardCoherence(nodes, members, extra) - open;
    return d < 0n ? -d : d;
  };
  const taken = new Map<number, bigint>(base);
  const out: { i: number; amount: bigint }[] = [];
  if (diff(taken) > bound) return null;
  for (const c of candidates) {
    if (c.flx <= 0n) continue;
    const all = new Map(taken).set(c.i, c.flx);
    if (diff(all) <= bound) {
      taken.set(c.i, c.flx);
      out.push({ i: c.i, amount: c.flx });
      continue;
    }
    // Smallest amount that crosses: lo does not cross, hi does.
    let lo = 0n;
    let hi = c.flx;
    while (hi - lo > 1n) {
      const mid = (lo + hi) / 2n;
      if (diff(new Map(taken).set(c.i, mid)) > bound) hi = mid;
      else lo = mid;
    }
    if (side === 'over') return [...out, { i: c.i, amount: hi }];
    return lo > 0n ? [...out, { i: c.i, amount: lo }] : out.length > 0 ? out : null;
  }
  return side === 'under' && out.length > 0 ? out : null;
}
