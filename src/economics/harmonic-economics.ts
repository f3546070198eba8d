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
import { abs, add, LIMIT, min, mulDiv, SCALE, sub, sum } from '../math/certified-math.ts';
import { holoRewards, type HoloRewards } from './holo-reward.ts';
import type { OpeningField } from '../field/psi-field.ts';
import { account, accountNames, type Move, type NodeState, type State, type UnstakeEntry, type UserState } from './state.ts';
import { type Topology } from '../field/topology.ts';
import { distributeTreasury, rewardsRecord, type RewardsRecord } from './treasury-distribution.ts';
import { compareBigint } from '../core/vocabulary.ts';

export type Action =
  | { readonly kind: 'transfer'; readonly from: bigint; readonly to: bigint; readonly amount: bigint; readonly nonce: bigint }
  | { readonly kind: 'stake'; readonly node: bigint; readonly amount: bigint; readonly nonce: bigint }
  | { readonly kind: 'unstake'; readonly node: bigint; readonly amount: bigint; readonly nonce: bigint }
  | { readonly kind: 'psy_transfer'; readonly from: bigint; readonly to: bigint; readonly amount: bigint; readonly nonce: bigint };

/** `from` of a transfer or psy_transfer, `node` of a stake or unstake. */
export const actingNode = (a: Action): bigint => (a.kind === 'transfer' || a.kind === 'psy_transfer' ? a.from : a.node);

export type NodeValue = { readonly node: bigint; readonly value: bigint };


function indexOf(topo: Topology, id: bigint): number {
  const i = topo.nodeIndex.get(id);
  // Plain Error: actions reach this step validated (step 3), so an unknown node is a bug upstream.
  if (i === undefined) throw new Error(`harmonic-economics: node ${id} does not exist (actions must be validated first)`);
  return i;
}

/** Actions in canonical order `(shard, node, nonce)` (a new array). */
export function canonicalActionOrder(topo: Topology, actions: readonly Action[]): Action[] {
  const shardOf = (a: Action): bigint => topo.shardIds[topo.nodeShard[indexOf(topo, actingNode(a))]!]!;
  return [...actions].sort((x, y) => compareBigint(shardOf(x), shardOf(y)) || compareBigint(actingNode(x), actingNode(y)) || compareBigint(x.nonce, y.nonce));
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

  queued.sort((x, y) => compareBigint(x.node, y.node) || compareBigint(x.nonce, y.nonce));
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
  const edgeA = topo.edgeA;
  const edgeB = topo.edgeB;
  const E = edgeA.length;
  const gradients = field.gradients;
  const demand = field.demand;
  const source = new Int32Array(E).fill(-1);
  const target = new Int32Array(E).fill(-1);
  let sourced = 0;
  for (let e = 0; e < E; e++) {
    const d = demand[e]!;
    const g = gradients[e]!;
    // flowEnds, without the object: from the lower-ψ end (a when g > 0), no direction when g = 0.
    if (d === 0n || g === 0n) continue;
    const from = g > 0n ? edgeA[e]! : edgeB[e]!;
    source[e] = from;
    target[e] = g > 0n ? edgeB[e]! : edgeA[e]!;
    demandOf[from] = add(demandOf[from]!, d);
    sourced++;
  }
  const budget: bigint[] = new Array<bigint>(n);
  for (let i = 0; i < n; i++) budget[i] = mulDiv(flx[i]!, rate, SCALE);

  const next = [...flx];
  const ids = topo.nodeIds;
  const names = accountNames(ids, 'nodeFlx');
  // One entry per sourced edge, one move per non-zero amount: the lists are made at their size.
  const flows: Flow[] = new Array<Flow>(sourced);
  const moves: Move[] = new Array<Move>(sourced);
  let f = 0;
  let m = 0;
  for (let e = 0; e < E; e++) {
    const s = source[e]!;
    if (s < 0) continue;
    const r = target[e]!;
    const d = demand[e]!;
    const B = budget[s]!;
    const D = demandOf[s]!;
    const amount = D <= B ? d : mulDiv(d, B, D);
    const from = ids[s]!;
    const to = ids[r]!;
    flows[f++] = { a: ids[edgeA[e]!]!, b: ids[edgeB[e]!]!, from, to, demand: d, amount };
    if (amount === 0n) continue;
    next[s] = sub(next[s]!, amount);
    next[r] = add(next[r]!, amount);
    moves[m++] = {
      kind: 'flow',
      from: names.ids[s] === from ? names.names[s]! : account.nodeFlx(from),
      to: names.ids[r] === to ? names.names[r]! : account.nodeFlx(to),
      amount,
    };
  }
  moves.length = m;
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
  const ids = topo.nodeIds;
  const n = chr.length;
  const p: bigint[] = new Array<bigint>(n);
  const penalties: NodeValue[] = new Array<NodeValue>(n);
  for (let i = 0; i < n; i++) {
    const value = mulDiv(chr[i]!, mulDiv(dis[i]!, rate, SCALE), SCALE);
    p[i] = value;
    penalties[i] = { node: ids[i]!, value };
  }
  const P = add(chrPool, sum(p));
  const psi = field.psi;
  const sumPsi = field.sumPsi;
  const m = sumPsi === 0n ? n : psi.length;
  const s: bigint[] = new Array<bigint>(m);
  const shares: NodeValue[] = new Array<NodeValue>(m);
  for (let i = 0; i < m; i++) {
    const value = sumPsi === 0n ? 0n : mulDiv(P, psi[i]!, sumPsi);
    s[i] = value;
    shares[i] = { node: ids[i]!, value };
  }
  const next: bigint[] = new Array<bigint>(n);
  for (let i = 0; i < n; i++) next[i] = add(sub(chr[i]!, p[i]!), s[i]!);
  const pool = sub(P, sum(s));
  return { chr: next, chr_pool: pool, record: { penalties, shares, pool } };
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
  const edgeA = topo.edgeA;
  const edgeB = topo.edgeB;
  const gradients = field.gradients;
  const psi = field.psi;
  const alignedEdges: number[] = [];
  const alignedCredits: bigint[] = [];
  let gen = 0n; // Σ of the credits, one per (edge, end)
  for (let e = 0; e < edgeA.length; e++) {
    if (abs(gradients[e]!) > k.align_tol) continue;
    const r = mulDiv(min(psi[edgeA[e]!]!, psi[edgeB[e]!]!), k.res_rate, SCALE);
    alignedEdges.push(e);
    alignedCredits.push(r);
    gen = add(gen, add(r, r));
  }
  const room = sub(cap, total);
  const next = [...res];
  const ids = topo.nodeIds;
  const credits: ResCredit[] = [];
  for (let x = 0; x < alignedEdges.length; x++) {
    const e = alignedEdges[x]!;
    const r = alignedCredits[x]!;
    const value = gen <= room ? r : mulDiv(r, room, gen); // both ends' credits are equal
    const ia = edgeA[e]!;
    const ib = edgeB[e]!;
    const a = ids[ia]!;
    const b = ids[ib]!;
    next[ia] = add(next[ia]!, value);
    next[ib] = add(next[ib]!, value);
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
  const rate = topo.constants.psy_rate;
  const psi = field.psi;
  const n = psi.length;
  const mint: bigint[] = new Array<bigint>(n);
  let mintTotal = 0n;
  for (let i = 0; i < n; i++) {
    const x = mulDiv(psi[i]!, rate, SCALE);
    mint[i] = x;
    mintTotal += x;
  }
  let psyTotal = 0n;
  for (let i = 0; i < psy.length; i++) psyTotal += psy[i]!;
  // Exact sums (no range check): exhaustion is an event, never a MathViolation.
  const exhausted = psyTotal + mintTotal >= LIMIT;
  const ids = topo.nodeIds;
  const psyMinted: NodeValue[] = new Array<NodeValue>(n);
  for (let i = 0; i < n; i++) psyMinted[i] = { node: ids[i]!, value: exhausted ? 0n : mint[i]! };
  let next: bigint[];
  if (exhausted) next = [...psy];
  else {
    next = new Array<bigint>(psy.length);
    for (let i = 0; i < psy.length; i++) next[i] = add(psy[i]!, mint[i]!);
  }
  return { psy: next, psy_minted: psyMinted, psy_exhausted: exhausted };
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

/** The own keys of a node as `initialState` makes them, in its order (nothing else: no symbol either). */
const NODE_LAYOUT = ['id', 'chr', 'flx', 'stake', 'psy', 'atr', 'res', 'dis', 'nonce'];
/**
 * Whether `{ ...n, flx, chr, res, psy }` is the object literal of NODE_LAYOUT (same keys, same
 * order), which is written out directly: several times cheaper than a spread per node.
 */
function hasNodeLayout(n: object): boolean {
  const keys = Object.keys(n);
  if (keys.length !== NODE_LAYOUT.length) return false;
  for (let k = 0; k < keys.length; k++) if (keys[k] !== NODE_LAYOUT[k]) return false;
  return Object.getOwnPropertySymbols(n).length === 0;
}

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
  const chr = state.nodes.map((n) => n.chr);
  const s6 = rebalanceChr(
    topo,
    field,
    chr,
    state.nodes.map((n) => n.dis),
    state.chr_pool,
  );
  const res = state.nodes.map((n) => n.res);
  const s7 = resonance(topo, field, res);
  const s8 = mintPsy(
    topo,
    field,
    s4.nodes.map((n) => n.psy),
  );
  const holo = holoRewards(topo, field, chr, res, state.treasury);
  const s10 = distributeTreasury(
    topo,
    holo.nodes.map((x) => x.r),
    s5.flx,
    state.users.map((u) => u.flx),
    state.treasury,
  );
  const nodes = s4.nodes.map((n, i) =>
    hasNodeLayout(n)
      ? { id: n.id, chr: s6.chr[i]!, flx: s10.nodeFlx[i]!, stake: n.stake, psy: s8.psy[i]!, atr: n.atr, res: s7.res[i]!, dis: n.dis, nonce: n.nonce }
      : { ...n, flx: s10.nodeFlx[i]!, chr: s6.chr[i]!, res: s7.res[i]!, psy: s8.psy[i]! },
  );
  const users = state.users.map((u, j) => ({ id: u.id, flx: s10.userFlx[j]! }));
  return {
    nodes,
    users,
    treasury: s10.treasury,
    chr_pool: s6.chr_pool,
    unstakes: s4.unstakes,
    holo,
    record: {
      moves: s4.moves.concat(s5.moves, s10.moves),
      flows: s5.flows,
      chr: s6.record,
      res: s7.record,
      psy_minted: s8.psy_minted,
      psy_exhausted: s8.psy_exhausted,
      rewards: rewardsRecord(holo, s10),
    },
  };
}
