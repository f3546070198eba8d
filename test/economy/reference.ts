/**
 * Reference copies of the implementations as they were before the performance work (commit
 * ad60395): the canonical encoder and the economy steps 5–10 with `runEconomy`. The tests in
 * `fast-paths.test.ts` check that the current code gives the same values, the same bytes and the
 * same faults (MathViolation or E_CANONICAL, with the same message and field) on random inputs.
 * Test code only: nothing in src/ imports it.
 */
import { QfsError } from '../../src/core/errors.ts';
import { abs, add, LIMIT, min, mulDiv, SCALE, sub, sum } from '../../src/math/certified-math.ts';
import type { Encodable } from '../../src/math/canonical.ts';
import {
  applyActions,
  type Action,
  type ChrResult,
  type EconomyResult,
  type Flow,
  type FlowResult,
  type NodeValue,
  type PsyResult,
  type ResCredit,
  type ResResult,
} from '../../src/economics/harmonic-economics.ts';
import { multiplier, resFeedback, rewardWeight, type HoloRewards } from '../../src/economics/holo-reward.ts';
import { flowEnds, type OpeningField } from '../../src/field/psi-field.ts';
import { account, type Move, type State } from '../../src/economics/state.ts';
import { type Topology } from '../../src/field/topology.ts';
import type { Distribution, RewardsRecord } from '../../src/economics/treasury-distribution.ts';

// ---------------------------------------------------------------------------------------------
// canonical.ts

const KEY = /^[a-z0-9_]+$/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const fail = (path: string, message: string): never => {
  throw new QfsError('E_CANONICAL', path, message);
};

/** A string sink; chunks are handed on in order. */
interface Sink {
  write(chunk: string): void;
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function encodeString(s: string, path: string): string {
  if (LONE_SURROGATE.test(s)) fail(path, 'string holds a lone surrogate (not UTF-8)');
  // JSON.stringify escapes exactly as RFC 8785 asks: \" \\ \b \f \n \r \t, other controls as \u00xx.
  return JSON.stringify(s);
}

function encodeInto(value: Encodable | undefined, path: string, out: Sink): void {
  switch (typeof value) {
    case 'bigint':
      out.write(`"${value.toString()}"`);
      return;
    case 'number':
      if (!Number.isSafeInteger(value)) fail(path, `number ${String(value)} is not a safe integer`);
      out.write(`"${(value === 0 ? 0 : value).toString()}"`);
      return;
    case 'string':
      out.write(encodeString(value, path));
      return;
    case 'boolean':
      out.write(value ? 'true' : 'false');
      return;
    case 'undefined':
      fail(path, 'undefined is not encodable');
      return;
    case 'object':
      break;
    default:
      fail(path, `a ${typeof value} is not encodable`);
  }
  if (value === null) {
    out.write('null');
    return;
  }
  if (Array.isArray(value)) {
    out.write('[');
    const items = value as readonly Encodable[];
    for (let i = 0; i < items.length; i++) {
      if (i > 0) out.write(',');
      encodeInto(items[i], `${path}[${i}]`, out);
    }
    out.write(']');
    return;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) fail(path, 'only plain objects are encodable');
  const obj = value as { readonly [key: string]: Encodable };
  const keys = Object.keys(obj).sort(byCodeUnit);
  out.write('{');
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const sub = path === '' ? key : `${path}.${key}`;
    if (!KEY.test(key)) fail(sub, `key ${JSON.stringify(key)} is not [a-z0-9_]+`);
    if (i > 0) out.write(',');
    out.write(`"${key}":`);
    encodeInto(obj[key], sub, out);
  }
  out.write('}');
}

/** Writes the canonical text of `value` into `sink` (streaming: nothing is built whole). */
function encodeTo(value: Encodable, sink: Sink): void {
  encodeInto(value, '', sink);
}

/** The canonical text of `value`. */
export function refCanonicalString(value: Encodable): string {
  const parts: string[] = [];
  encodeTo(value, { write: (c) => parts.push(c) });
  return parts.join('');
}


// ---------------------------------------------------------------------------------------------
// harmonic-economics.ts, steps 5–8

export function refFieldFlow(topo: Topology, field: OpeningField, flx: readonly bigint[]): FlowResult {
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


/**
 * Step 6, from the opening ψ, the dissonance after step 1 and the chr of S:
 * `p_i = mulDiv(chr_i, mulDiv(dis_i, PENALTY_RATE, SCALE), SCALE)`, `P = chr_pool + Σ p_i`,
 * `s_i = mulDiv(P, ψ_i, Σψ)` (0 if Σψ = 0), `chr_i += s_i − p_i`, `chr_pool = P − Σ s_i`.
 */
export function refRebalanceChr(
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


/**
 * Step 7, from the opening field and the res of S. Aligned edges (`|g_e| <= ALIGN_TOL`) credit
 * `r_e = mulDiv(min(ψ_a, ψ_b), RES_RATE, SCALE)` to each end; the envelope
 * `cap = mulDiv(Σψ, RES_CAP_RATIO, SCALE)` either scales every existing balance down (Σres > cap,
 * nothing generated) or scales each credit by `room / Gen` when generation exceeds the room.
 */
export function refResonance(topo: Topology, field: OpeningField, res: readonly bigint[]): ResResult {
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


/**
 * Step 8, on the psy after step 4: each node mints `mulDiv(ψ_i, PSY_RATE, SCALE)`, all or nothing:
 * if the supply plus the whole mint would reach 2^127 nothing is minted (`psy_exhausted`).
 * The comparison is exact, so exhaustion is an event and never a MathViolation.
 */
export function refMintPsy(topo: Topology, field: OpeningField, psy: readonly bigint[]): PsyResult {
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
// holo-reward.ts

/** `r_i = mulDiv(R, w_i, W)` with `W = Σ w_j`; all 0 when `W = 0`. */
function refFloorShares(budget: bigint, weights: readonly bigint[]): bigint[] {
  const W = sum(weights);
  return W === 0n ? weights.map(() => 0n) : weights.map((w) => mulDiv(budget, w, W));
}

/** Step 9. `chr` and `res` are S's (aligned with the topology); `treasury` is S's. */
export function refHoloRewards(topo: Topology, field: OpeningField, chr: readonly bigint[], res: readonly bigint[], treasury: bigint): HoloRewards {
  const k = topo.constants;
  const budget = mulDiv(treasury, k.release_rate, SCALE);
  const m = field.psi.map((psi) => multiplier(psi, k.base, k.a_max));
  const w = field.psi.map((psi, i) => rewardWeight(m[i]!, chr[i]!, psi, resFeedback(res[i]!), topo.chrSupply));
  const r = refFloorShares(budget, w);
  return {
    budget,
    total_weight: sum(w),
    nodes: topo.nodeIds.map((node, i) => ({ node, m: m[i]!, w: w[i]!, r: r[i]! })),
  };
}

// ---------------------------------------------------------------------------------------------
// treasury-distribution.ts

export function refDistributeTreasury(
  topo: Topology,
  rewards: readonly bigint[],
  nodeFlx: readonly bigint[],
  userFlx: readonly bigint[],
  treasury: bigint,
): Distribution {
  const commission = topo.constants.node_commission;
  const nextNode = [...nodeFlx];
  const nextUser = [...userFlx];
  const u: bigint[] = new Array<bigint>(userFlx.length).fill(0n);
  const cuts: bigint[] = [];
  const moves: Move[] = [];
  let paid = 0n;
  rewards.forEach((r, i) => {
    const node = topo.nodeIds[i]!;
    const members = topo.nodeUsers[i]!;
    const k = members.length === 0 ? r : mulDiv(r, commission, SCALE);
    cuts.push(k);
    if (k > 0n) {
      nextNode[i] = add(nextNode[i]!, k);
      paid = add(paid, k);
      moves.push({ kind: 'cut', from: account.treasury, to: account.nodeFlx(node), amount: k });
    }
    if (members.length === 0) return;
    const rest = sub(r, k);
    const weight = topo.nodeWeight[i]!;
    for (const j of members) {
      const share = mulDiv(rest, topo.userWeight[j]!, weight);
      u[j] = share;
      if (share === 0n) continue;
      nextUser[j] = add(nextUser[j]!, share);
      paid = add(paid, share);
      moves.push({ kind: 'payout', from: account.treasury, to: account.userFlx(topo.userIds[j]!), amount: share });
    }
  });
  return {
    nodeFlx: nextNode,
    userFlx: nextUser,
    treasury: sub(treasury, paid),
    cuts,
    users: topo.userIds.map((user, j) => ({ user, node: topo.nodeIds[topo.userNode[j]!]!, u: u[j]! })),
    moves,
    paid,
  };
}

export function refRewardsRecord(holo: HoloRewards, dist: Distribution): RewardsRecord {
  return {
    budget: holo.budget,
    nodes: holo.nodes.map((x, i) => ({ node: x.node, m: x.m, w: x.w, r: x.r, k: dist.cuts[i]! })),
    users: dist.users,
  };
}

// ---------------------------------------------------------------------------------------------
// runEconomy

export function refRunEconomy(topo: Topology, state: State, field: OpeningField, actions: readonly Action[], t: bigint): EconomyResult {
  const s4 = applyActions(topo, state, actions, t, field.c);
  const s5 = refFieldFlow(
    topo,
    field,
    s4.nodes.map((n) => n.flx),
  );
  const s6 = refRebalanceChr(
    topo,
    field,
    state.nodes.map((n) => n.chr),
    state.nodes.map((n) => n.dis),
    state.chr_pool,
  );
  const s7 = refResonance(
    topo,
    field,
    state.nodes.map((n) => n.res),
  );
  const s8 = refMintPsy(
    topo,
    field,
    s4.nodes.map((n) => n.psy),
  );
  const holo = refHoloRewards(
    topo,
    field,
    state.nodes.map((n) => n.chr),
    state.nodes.map((n) => n.res),
    state.treasury,
  );
  const s10 = refDistributeTreasury(
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
      rewards: refRewardsRecord(holo, s10),
    },
  };
}
