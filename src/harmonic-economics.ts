/**
 * HarmonicEconomics (SPEC §6 steps 4–8): actions and the unstake queue, field flow, CHR
 * rebalancing, resonance and PSY minting; and `runEconomy`, steps 4–10 in order. Each step is a pure
 * function of the values the spec names for it, returning the next values (arrays aligned with the
 * topology's node indices) and its part of the epoch record. Actions are assumed valid (step 3
 * judged them); any value leaving the §1 range still raises a MathViolation.
 *
 * Record pins (beside the account pins in state.ts):
 * - `moves` never hold a zero amount;
 * - `flows` list, in edge order, every edge with `|d_e| > 0`, including those whose amount came out
 *   0 (a source with no budget); an edge with `d_e = 0` has no entry;
 * - `chr.penalties` and `chr.shares` list every node in id order, zeros included; `chr.pool` is the
 *   pool after the step;
 * - `res.credits` list, in edge order, both ends (a, then b) of every aligned edge with the credit
 *   actually added (after scaling), zeros included; empty when the envelope was exceeded;
 * - `psy_minted` lists every node in id order, all 0 on `psy_exhausted`.
 */
import { abs, add, LIMIT, min, mulDiv, SCALE, sub, sum } from './certified-math.ts';
import { holoRewards, type HoloRewards } from './holo-reward.ts';
import { flowEnds, type OpeningField } from './psi-field.ts';
import { account, type Move, type NodeState, type State, type Topology, type UnstakeEntry, type UserState } from './state.ts';
import { distributeTreasury, rewardsRecord, type RewardsRecord } from './treasury-distribution.ts';

export type Action =
  | { readonly kind: 'transfer'; readonly from: bigint; readonly to: bigint; readonly amount: bigint; readonly nonce: bigint }
  | { readonly kind: 'stake'; readonly node: bigint; readonly amount: bigint; readonly nonce: bigint }
  | { readonly kind: 'unstake'; readonly node: bigint; readonly amount: bigint; readonly nonce: bigint }
  | { readonly kind: 'psy_transfer'; readonly from: bigint; readonly to: bigint; readonly amount: bigint; readonly nonce: bigint };

/** `from` of a transfer or psy_transfer, `node` of a stake or unstake. */
export const actingNode = (a: Action): bigint => (a.kind === 'transfer' || a.kind === 'psy_transfer' ? a.from : a.node);

export type NodeValue = { readonly node: bigint; readonly value: bigint };

const cmp = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

function indexOf(topo: Topology, id: bigint): number {
  const i = topo.nodeIndex.get(id);
  if (i === undefined) throw new Error(`harmonic-economics: node ${id} does not exist (actions must be validated first)`);
  return i;
}

/** Actions in canonical order `(shard, node, nonce)` (a new array). */
export function canonicalActionOrder(topo: Topology, actions: readonly Action[]): Action[] {
  const shardOf = (a: Action): bigint => topo.shardIds[topo.nodeShard[indexOf(topo, actingNode(a))]!]!;
  return [...actions].sort((x, y) => cmp(shardOf(x), shardOf(y)) || cmp(actingNode(x), actingNode(y)) || cmp(x.nonce, y.nonce));
}

// ---------------------------------------------------------------------------------------------
// Step 4

export type ActionsResult = {
  readonly nodes: readonly NodeState[];
  /** The queue after the step, sorted by `(node, nonce)`. */
  readonly unstakes: readonly UnstakeEntry[];
  readonly moves: readonly Move[];
  /** Whether the queued unstakes were released (`C <= S.coherence`). */
  readonly released: boolean;
};

/**
 * Step 4. `state` is S after steps 0–1; `t` the epoch being built; `c` the opening field's C.
 * Applies the actions in canonical order, queues unstakes with `since = t`, sets each acting
 * node's nonce to its last used one, then, if `c <= S.coherence`, executes every queued unstake
 * with `since < t` in queue order.
 */
export function applyActions(topo: Topology, state: State, actions: readonly Action[], t: bigint, c: bigint): ActionsResult {
  const nodes: NodeState[] = [...state.nodes];
  const update = (i: number, f: (n: NodeState) => Partial<NodeState>): void => {
    const n = nodes[i]!;
    nodes[i] = { ...n, ...f(n) };
  };
  const moves: Move[] = [];
  const queued: UnstakeEntry[] = [...state.unstakes];

  for (const a of canonicalActionOrder(topo, actions)) {
    const i = indexOf(topo, actingNode(a));
    switch (a.kind) {
      case 'transfer': {
        const j = indexOf(topo, a.to);
        update(i, (n) => ({ flx: sub(n.flx, a.amount) }));
        update(j, (n) => ({ flx: add(n.flx, a.amount) }));
        moves.push({ kind: 'transfer', from: account.nodeFlx(a.from), to: account.nodeFlx(a.to), amount: a.amount });
        break;
      }
      case 'stake':
        update(i, (n) => ({ flx: sub(n.flx, a.amount), stake: add(n.stake, a.amount), atr: add(n.atr, a.amount) }));
        moves.push({ kind: 'stake', from: account.nodeFlx(a.node), to: account.nodeStake(a.node), amount: a.amount });
        break;
      case 'unstake':
        queued.push({ node: a.node, nonce: a.nonce, amount: a.amount, since: t });
        break;
      case 'psy_transfer': {
        const j = indexOf(topo, a.to);
        update(i, (n) => ({ psy: sub(n.psy, a.amount) }));
        update(j, (n) => ({ psy: add(n.psy, a.amount) }));
        moves.push({ kind: 'psy_transfer', from: account.nodePsy(a.from), to: account.nodePsy(a.to), amount: a.amount });
        break;
      }
    }
    // Canonical order visits a node's nonces ascending, so the last write is its last used nonce.
    update(i, () => ({ nonce: a.nonce }));
  }

  queued.sort((x, y) => cmp(x.node, y.node) || cmp(x.nonce, y.nonce));
  const released = c <= state.coherence;
  if (!released) return { nodes, unstakes: queued, moves, released };

  const remaining: UnstakeEntry[] = [];
  for (const u of queued) {
    if (u.since >= t) {
      remaining.push(u);
      continue;
    }
    update(indexOf(topo, u.node), (n) => ({ stake: sub(n.stake, u.amount), flx: add(n.flx, u.amount), atr: sub(n.atr, u.amount) }));
    moves.push({ kind: 'unstake', from: account.nodeStake(u.node), to: account.nodeFlx(u.node), amount: u.amount });
  }
  return { nodes, unstakes: remaining, moves, released };
}

// ---------------------------------------------------------------------------------------------
// Step 5

export type Flow = {
  readonly a: bigint;
  readonly b: bigint;
  readonly from: bigint;
  readonly to: bigint;
  readonly demand: bigint;
  readonly amount: bigint;
};

export type FlowResult = { readonly flx: readonly bigint[]; readonly flows: readonly Flow[]; readonly moves: readonly Move[] };

/**
 * Step 5. `flx` are the balances after step 4. Every budget and demand is computed before any
 * flow moves (all at once), so the result does not depend on edge order.
 */
export function fieldFlow(topo: Topology, field: OpeningField, flx: readonly bigint[]): FlowResult {
  const rate = topo.constants.flow_rate;
  const n = flx.length;
  const demandOf: bigint[] = new Array<bigint>(n).fill(0n);
  const E = topo.edgeA.length;
  const source = new Int32Array(E).fill(-1);
  const target = new Int32Array(E).fill(-1);
  for (let e = 0; e < E; e++) {
    const d = field.demand[e]!;
    const ends = flowEnds(topo, field.gradients[e]!, e);
    if (d === 0n || ends === null) continue;
    source[e] = ends.from;
    target[e] = ends.to;
    demandOf[ends.from] = add(demandOf[ends.from]!, d);
  }
  const budget = flx.map((f) => mulDiv(f, rate, SCALE));

  const next = [...flx];
  const flows: Flow[] = [];
  const moves: Move[] = [];
  for (let e = 0; e < E; e++) {
    const s = source[e]!;
    if (s < 0) continue;
    const r = target[e]!;
    const d = field.demand[e]!;
    const B = budget[s]!;
    const D = demandOf[s]!;
    const amount = D <= B ? d : mulDiv(d, B, D);
    const from = topo.nodeIds[s]!;
    const to = topo.nodeIds[r]!;
    flows.push({ a: topo.nodeIds[topo.edgeA[e]!]!, b: topo.nodeIds[topo.edgeB[e]!]!, from, to, demand: d, amount });
    if (amount === 0n) continue;
    next[s] = sub(next[s]!, amount);
    next[r] = add(next[r]!, amount);
    moves.push({ kind: 'flow', from: account.nodeFlx(from), to: account.nodeFlx(to), amount });
  }
  return { flx: next, flows, moves };
}

// ---------------------------------------------------------------------------------------------
// Step 6

export type ChrRecord = { readonly penalties: readonly NodeValue[]; readonly shares: readonly NodeValue[]; readonly pool: bigint };
export type ChrResult = { readonly chr: readonly bigint[]; readonly chr_pool: bigint; readonly record: ChrRecord };

/**
 * Step 6, from the opening ψ, the dissonance after step 1 and the chr of S:
 * `p_i = mulDiv(chr_i, mulDiv(dis_i, PENALTY_RATE, SCALE), SCALE)`, `P = chr_pool + Σ p_i`,
 * `s_i = mulDiv(P, ψ_i, Σψ)` (0 if Σψ = 0), `chr_i += s_i − p_i`, `chr_pool = P − Σ s_i`.
 */
export function rebalanceChr(
  topo: Topology,
  field: OpeningField,
  chr: readonly bigint[],
  dis: readonly bigint[],
  chrPool: bigint,
): ChrResult {
  const rate = topo.constants.penalty_rate;
  const p = chr.map((c, i) => mulDiv(c, mulDiv(dis[i]!, rate, SCALE), SCALE));
  const P = add(chrPool, sum(p));
  const s = field.sumPsi === 0n ? p.map(() => 0n) : field.psi.map((psi) => mulDiv(P, psi, field.sumPsi));
  const next = chr.map((c, i) => add(sub(c, p[i]!), s[i]!));
  const pool = sub(P, sum(s));
  const list = (xs: readonly bigint[]): NodeValue[] => xs.map((value, i) => ({ node: topo.nodeIds[i]!, value }));
  return { chr: next, chr_pool: pool, record: { penalties: list(p), shares: list(s), pool } };
}

// ---------------------------------------------------------------------------------------------
// Step 7

export type ResCredit = { readonly a: bigint; readonly b: bigint; readonly node: bigint; readonly value: bigint };
export type ResRecord = { readonly cap: bigint; readonly credits: readonly ResCredit[] };
export type ResResult = { readonly res: readonly bigint[]; readonly record: ResRecord };

/**
 * Step 7, from the opening field and the res of S. Aligned edges (`|g_e| <= ALIGN_TOL`) credit
 * `r_e = mulDiv(min(ψ_a, ψ_b), RES_RATE, SCALE)` to each end; the envelope
 * `cap = mulDiv(Σψ, RES_CAP_RATIO, SCALE)` either scales every existing balance down (Σres > cap,
 * nothing generated) or scales each credit by `room / Gen` when generation exceeds the room.
 */
export function resonance(topo: Topology, field: OpeningField, res: readonly bigint[]): ResResult {
  const k = topo.constants;
  const cap = mulDiv(field.sumPsi, k.res_cap_ratio, SCALE);
  const total = sum(res);
  if (total > cap) {
    return { res: res.map((r) => mulDiv(r, cap, total)), record: { cap, credits: [] } };
  }
  const aligned: { e: number; r: bigint }[] = [];
  let gen = 0n; // Σ of the credits, one per (edge, end)
  for (let e = 0; e < topo.edgeA.length; e++) {
    if (abs(field.gradients[e]!) > k.align_tol) continue;
    const r = mulDiv(min(field.psi[topo.edgeA[e]!]!, field.psi[topo.edgeB[e]!]!), k.res_rate, SCALE);
    aligned.push({ e, r });
    gen = add(gen, add(r, r));
  }
  const room = sub(cap, total);
  const next = [...res];
  const credits: ResCredit[] = [];
  for (const { e, r } of aligned) {
    const value = gen <= room ? r : mulDiv(r, room, gen); // both ends' credits are equal
    const a = topo.nodeIds[topo.edgeA[e]!]!;
    const b = topo.nodeIds[topo.edgeB[e]!]!;
    next[topo.edgeA[e]!] = add(next[topo.edgeA[e]!]!, value);
    next[topo.edgeB[e]!] = add(next[topo.edgeB[e]!]!, value);
    credits.push({ a, b, node: a, value }, { a, b, node: b, value });
  }
  return { res: next, record: { cap, credits } };
}

// ---------------------------------------------------------------------------------------------
// Step 8

export type PsyResult = { readonly psy: readonly bigint[]; readonly psy_minted: readonly NodeValue[]; readonly psy_exhausted: boolean };

/**
 * Step 8, on the psy after step 4: each node mints `mulDiv(ψ_i, PSY_RATE, SCALE)`, all or nothing:
 * if the supply plus the whole mint would reach 2^127 nothing is minted (`psy_exhausted`).
 * The comparison is exact, so exhaustion is an event and never a MathViolation.
 */
export function mintPsy(topo: Topology, field: OpeningField, psy: readonly bigint[]): PsyResult {
  const mint = field.psi.map((psi) => mulDiv(psi, topo.constants.psy_rate, SCALE));
  const exact = (xs: readonly bigint[]): bigint => xs.reduce((s, x) => s + x, 0n);
  const exhausted = exact(psy) + exact(mint) >= LIMIT;
  const minted = exhausted ? mint.map(() => 0n) : mint;
  return {
    psy: exhausted ? [...psy] : psy.map((p, i) => add(p, minted[i]!)),
    psy_minted: minted.map((value, i) => ({ node: topo.nodeIds[i]!, value })),
    psy_exhausted: exhausted,
  };
}

// ---------------------------------------------------------------------------------------------
// Steps 4–10

export type EconomyRecord = {
  readonly moves: readonly Move[];
  readonly flows: readonly Flow[];
  readonly chr: ChrRecord;
  readonly res: ResRecord;
  readonly psy_minted: readonly NodeValue[];
  readonly psy_exhausted: boolean;
  readonly rewards: RewardsRecord;
};

export type EconomyResult = {
  readonly nodes: readonly NodeState[];
  readonly users: readonly UserState[];
  readonly treasury: bigint;
  readonly chr_pool: bigint;
  readonly unstakes: readonly UnstakeEntry[];
  readonly record: EconomyRecord;
  /** Step 9's full result (budget, W, per-node m, w, r), for evidence and checks. */
  readonly holo: HoloRewards;
};

/**
 * Steps 4–10 of a committing epoch. `state` is S after steps 0–1 (its `dis` already updated by the
 * oracle, its epoch still t − 1), `field` the opening field of that state, `actions` the voters'.
 * Moves are in step order: step 4's (actions in canonical order, then executed unstakes), flows,
 * then the treasury's cuts and payouts.
 */
export function runEconomy(topo: Topology, state: State, field: OpeningField, actions: readonly Action[], t: bigint): EconomyResult {
  const s4 = applyActions(topo, state, actions, t, field.c);
  const s5 = fieldFlow(
    topo,
    field,
    s4.nodes.map((n) => n.flx),
  );
  const s6 = rebalanceChr(
    topo,
    field,
    state.nodes.map((n) => n.chr),
    state.nodes.map((n) => n.dis),
    state.chr_pool,
  );
  const s7 = resonance(
    topo,
    field,
    state.nodes.map((n) => n.res),
  );
  const s8 = mintPsy(
    topo,
    field,
    s4.nodes.map((n) => n.psy),
  );
  const holo = holoRewards(
    topo,
    field,
    state.nodes.map((n) => n.chr),
    state.nodes.map((n) => n.res),
    state.treasury,
  );
  const s10 = distributeTreasury(
    topo,
    holo.nodes.map((x) => x.r),
    s5.flx,
    state.users.map((u) => u.flx),
    state.treasury,
  );
  const nodes = s4.nodes.map((n, i) => ({ ...n, flx: s10.nodeFlx[i]!, chr: s6.chr[i]!, res: s7.res[i]!, psy: s8.psy[i]! }));
  const users = state.users.map((u, j) => ({ id: u.id, flx: s10.userFlx[j]! }));
  return {
    nodes,
    users,
    treasury: s10.treasury,
    chr_pool: s6.chr_pool,
    unstakes: s4.unstakes,
    holo,
    record: {
      moves: [...s4.moves, ...s5.moves, ...s10.moves],
      flows: s5.flows,
      chr: s6.record,
      res: s7.record,
      psy_minted: s8.psy_minted,
      psy_exhausted: s8.psy_exhausted,
      rewards: rewardsRecord(holo, s10),
    },
  };
}
