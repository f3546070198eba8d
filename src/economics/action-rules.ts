/**
 * Step 3's action rules (SPEC §6 step 3: EA-6 and EA-9), shared by the honest shard agent (which
 * refuses, with a stable code, each submitted action that would break one) and by the ledger (which
 * checks a reporter's proposal with them). Actions are judged against S alone, never against
 * balances reached during the epoch, and every comparison is exact: judging never raises a
 * MathViolation, whatever the ids, amounts or nonces.
 *
 * One order of rules serves both, the order of the agent's codes (§6):
 *
 *   malformed            the action breaks its schema (keys, types, §1 ranges, a known kind)
 *   unknown_node         the acting node, or `to`, names no node
 *   wrong_shard          the acting node, or a psy_transfer's `to`, is not a node of the shard
 *   self_transfer        `to = from`
 *   non_positive_amount  `amount = 0`
 *   nonce_conflict       an action of the acting node with that nonce was already taken
 *   bad_nonce            the nonce is not the acting node's next (`S.nonce + 1`, `+ 2`, …: no gap)
 *   overdraft            per node, Σ transfers + Σ stakes > flx in S, Σ psy_transfers > psy in S,
 *                        or Σ unstakes > stake in S minus its queued unstakes
 *   coherence_divergence (EA-9) with each node's atr raised by its stake amounts, the shard's C_s
 *                        moves by more than `mulDiv(max(C_s, SCALE), DELTA_MAX, SCALE)`
 *
 * "Taken" actions accumulate in a `ShardTally`. The agent asks `judge` for each action in
 * (acting node, nonce, digest) order and takes those judged null; the ledger walks a proposal's
 * actions in proposal order with `firstActionFault` (EA-6) and then `stakeCoherence` (EA-9).
 */
import { match } from 'ts-pattern';
import { max, mulDiv, SCALE } from '../math/certified-math.ts';
import { ifCanonical, type Encodable, type Json } from '../math/canonical.ts';
import type { Result } from '../core/errors.ts';
import { exactFloorDiv, exactMulDiv, exactAbs } from '../math/exact-math.ts';
import { actingNode, type Action } from './harmonic-economics.ts';
import { taggedHashHex } from '../math/hashing.ts';
import { m, readMessage, type SchemaFault } from '../math/message-schema.ts';
import type { OpeningField } from '../field/psi-field.ts';
import type { NodeState, UnstakeEntry } from './state.ts';
import type { Topology } from '../field/topology.ts';
import { planted } from '../core/planted.ts';

export const ACTION_CODES = [
  'malformed',
  'unknown_node',
  'wrong_shard',
  'self_transfer',
  'non_positive_amount',
  'nonce_conflict',
  'bad_nonce',
  'overdraft',
  'coherence_divergence',
] as const;
export type ActionCode = (typeof ACTION_CODES)[number];

/** The adversary id a code answers to at step 3: EA-9 for coherence_divergence, EA-6 for the rest. */
export const eaOfActionCode = (code: ActionCode): 'EA-6' | 'EA-9' =>
  match(code)
    .with('coherence_divergence', () => 'EA-9' as const)
    .with(
      'malformed',
      'unknown_node',
      'wrong_shard',
      'self_transfer',
      'non_positive_amount',
      'nonce_conflict',
      'bad_nonce',
      'overdraft',
      () => 'EA-6' as const,
    )
    .exhaustive();

// ---------------------------------------------------------------------------------------------
// Schema

const KIND_KEYS = {
  transfer: ['kind', 'from', 'to', 'amount', 'nonce'],
  stake: ['kind', 'node', 'amount', 'nonce'],
  unstake: ['kind', 'node', 'amount', 'nonce'],
  psy_transfer: ['kind', 'from', 'to', 'amount', 'nonce'],
} as const;
type Kind = keyof typeof KIND_KEYS;
const isKind = (k: unknown): k is Kind => k === 'transfer' || k === 'stake' || k === 'unstake' || k === 'psy_transfer';

/**
 * An action's schema (§6 and §1): exactly one of the four key sets with a known `kind`; ids in
 * `[0, 2^63)`; `amount` and `nonce` in `[0, 2^127)` (so −1 is malformed and 0 is
 * `non_positive_amount`, judged later).
 */
export function readAction(doc: Json): Result<Action, SchemaFault> {
  return readMessage((): Action => {
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) m.fail('', 'expected an object');
    const kind = (doc as { readonly kind?: Json }).kind;
    if (!isKind(kind)) m.fail('kind', `unknown kind ${JSON.stringify(kind ?? null)}`);
    const k = kind as Kind;
    const o = m.object(doc, '', KIND_KEYS[k]);
    const amount = m.unsigned(o.amount, 'amount');
    const nonce = m.unsigned(o.nonce, 'nonce');
    return match(k)
      .with('transfer', 'psy_transfer', (kind) => ({ kind, from: m.id(o.from, 'from'), to: m.id(o.to, 'to'), amount, nonce }))
      .with('stake', 'unstake', (kind) => ({ kind, node: m.id(o.node, 'node'), amount, nonce }))
      .exhaustive();
  });
}

/** `H("qfs/v13/action", action)` in hex (of a typed action or of its JSON: the bytes are the same). */
export const actionDigest = (action: Action | Json): string => taggedHashHex('qfs/v13/action', action as Encodable);

/** The digest, or undefined for a value with no canonical form (dropped on receipt, no event). */
export function actionDigestOrUndefined(action: Json): string | undefined {
  return ifCanonical(() => actionDigest(action));
}

/** The (acting node, nonce, digest) order of §6. */
export const compareActions = (x: { action: Action; digest: string }, y: { action: Action; digest: string }): number => {
  const ax = actingNode(x.action);
  const ay = actingNode(y.action);
  if (ax !== ay) return ax < ay ? -1 : 1;
  if (x.action.nonce !== y.action.nonce) return x.action.nonce < y.action.nonce ? -1 : 1;
  return x.digest < y.digest ? -1 : x.digest > y.digest ? 1 : 0;
};

// ---------------------------------------------------------------------------------------------
// The rules

/**
 * What actions are judged against: the nodes of the state after step 1 (S's balances and nonces,
 * with the oracle's dissonance), S's unstake queue, and the opening field.
 */
export type ActionBasis = {
  readonly topology: Topology;
  readonly nodes: readonly NodeState[];
  readonly unstakes: readonly UnstakeEntry[];
  readonly field: OpeningField;
};

/** EA-9's values for one shard: C_s of the opening field, C_s with the stakes, and the allowed move. */
export type StakeCoherence = { readonly open: bigint; readonly with_stakes: bigint; readonly bound: bigint };

/** `mulDiv(max(C_s, SCALE), DELTA_MAX, SCALE)`: a coherence below one unit counts as one. */
export const divergenceBound = (open: bigint, deltaMax: bigint): bigint => mulDiv(max(open, SCALE), deltaMax, SCALE) * (planted('ea9-bound-doubled') ? 2n : 1n);

/** ψ of node i with its atr raised by `extra` (exact). */
function psiWithStake(basis: ActionBasis, i: number, extra: bigint): bigint {
  if (extra === 0n) return basis.field.psi[i]!;
  const n = basis.nodes[i]!;
  return exactMulDiv(n.chr, n.atr + extra, SCALE + n.dis);
}

/** The actions one shard has taken so far, and what they use of S. */
export class ShardTally {
  readonly shard: bigint;
  readonly shardIndex: number;
  /** Last taken nonce per acting node index (absent: S's nonce). */
  private readonly lastNonce = new Map<number, bigint>();
  private readonly flxUsed = new Map<number, bigint>();
  private readonly psyUsed = new Map<number, bigint>();
  private readonly unstaked = new Map<number, bigint>();
  private readonly staked = new Map<number, bigint>();
  private queuedCache: Map<bigint, bigint> | undefined;
  /** Σ over the shard's nodes of ψ with the taken stakes (exact). */
  private sumWithStakes: bigint;
  readonly taken: Action[] = [];

  constructor(
    readonly basis: ActionBasis,
    shard: bigint,
  ) {
    const s = basis.topology.shardIndex.get(shard);
    if (s === undefined) throw new RangeError(`action-rules: shard ${shard} does not exist`);
    this.shard = shard;
    this.shardIndex = s;
    this.sumWithStakes = basis.topology.shardNodes[s]!.reduce((acc, i) => acc + basis.field.psi[i]!, 0n);
  }

  private queued(node: bigint): bigint {
    if (this.queuedCache === undefined) {
      this.queuedCache = new Map();
      for (const u of this.basis.unstakes) this.queuedCache.set(u.node, (this.queuedCache.get(u.node) ?? 0n) + u.amount);
    }
    return this.queuedCache.get(node) ?? 0n;
  }

  /** EA-9's values for the taken stakes, or with `extra` more stake on node index `i`. */
  coherence(extra?: { readonly i: number; readonly amount: bigint }): StakeCoherence {
    const members = this.basis.topology.shardNodes[this.shardIndex]!;
    const open = this.basis.field.cShards[this.shardIndex]!;
    const bound = divergenceBound(open, this.basis.topology.constants.delta_max);
    if (members.length === 0) return { open, with_stakes: 0n, bound };
    let total = this.sumWithStakes;
    if (extra !== undefined) {
      const before = this.staked.get(extra.i) ?? 0n;
      total += psiWithStake(this.basis, extra.i, before + extra.amount) - psiWithStake(this.basis, extra.i, before);
    }
    return { open, with_stakes: exactFloorDiv(total, BigInt(members.length)), bound };
  }

  /** The EA-6 rule the action breaks given the taken ones, or null. */
  ea6(a: Action): Exclude<ActionCode, 'malformed' | 'coherence_divergence'> | null {
    const topo = this.basis.topology;
    const actor = actingNode(a);
    const i = topo.nodeIndex.get(actor);
    const to = a.kind === 'transfer' || a.kind === 'psy_transfer' ? a.to : undefined;
    const j = to === undefined ? undefined : topo.nodeIndex.get(to);
    if (i === undefined || (to !== undefined && j === undefined)) return 'unknown_node';
    if (topo.nodeShard[i] !== this.shardIndex && !planted('foreign-action-accepted')) return 'wrong_shard';
    if (a.kind === 'psy_transfer' && topo.nodeShard[j!] !== this.shardIndex) return 'wrong_shard';
    if (to !== undefined && to === actor) return 'self_transfer';
    if (a.amount <= 0n && !planted('zero-amount-accepted')) return 'non_positive_amount';
    const sNonce = this.basis.nodes[i]!.nonce;
    const last = this.lastNonce.get(i) ?? sNonce;
    if (a.nonce > sNonce && a.nonce <= last && !planted('nonce-unchecked')) return 'nonce_conflict';
    if (a.nonce !== last + 1n && !planted('nonce-unchecked')) return 'bad_nonce';
    const n = this.basis.nodes[i]!;
    const over = match(a)
      .with({ kind: 'transfer' }, { kind: 'stake' }, (x) => (this.flxUsed.get(i) ?? 0n) + x.amount > n.flx)
      .with({ kind: 'psy_transfer' }, (x) => (this.psyUsed.get(i) ?? 0n) + x.amount > n.psy)
      .with({ kind: 'unstake' }, (x) => (this.unstaked.get(i) ?? 0n) + x.amount > n.stake - this.queued(actor))
      .exhaustive();
    return over && !planted('overdraft-unchecked') ? 'overdraft' : null;
  }

  /** The first rule (EA-6, then EA-9 for a stake) that taking `a` would break, or null. */
  judge(a: Action): Exclude<ActionCode, 'malformed'> | null {
    const code = this.ea6(a);
    if (code !== null) return code;
    if (a.kind !== 'stake') return null;
    const c = this.coherence({ i: this.basis.topology.nodeIndex.get(a.node)!, amount: a.amount });
    return exactAbs(c.with_stakes - c.open) > c.bound ? 'coherence_divergence' : null;
  }

  /** Takes `a` (the caller has judged it). */
  take(a: Action): void {
    const i = this.basis.topology.nodeIndex.get(actingNode(a))!;
    const bump = (mp: Map<number, bigint>, x: bigint): void => {
      mp.set(i, (mp.get(i) ?? 0n) + x);
    };
    match(a)
      .with({ kind: 'transfer' }, (x) => bump(this.flxUsed, x.amount))
      .with({ kind: 'stake' }, (x) => {
        const before = this.staked.get(i) ?? 0n;
        this.sumWithStakes += psiWithStake(this.basis, i, before + x.amount) - psiWithStake(this.basis, i, before);
        bump(this.flxUsed, x.amount);
        bump(this.staked, x.amount);
      })
      .with({ kind: 'psy_transfer' }, (x) => bump(this.psyUsed, x.amount))
      .with({ kind: 'unstake' }, (x) => bump(this.unstaked, x.amount))
      .exhaustive();
    this.lastNonce.set(i, a.nonce);
    this.taken.push(a);
  }
}

/**
 * The ledger's EA-6 check of a proposal's actions (already read, in proposal order): the first
 * action that breaks a rule given the ones before it, with the rule; null if none does.
 */
export function firstActionFault(
  basis: ActionBasis,
  shard: bigint,
  actions: readonly Action[],
): { readonly index: number; readonly code: Exclude<ActionCode, 'malformed' | 'coherence_divergence'> } | null {
  const tally = new ShardTally(basis, shard);
  for (let index = 0; index < actions.length; index++) {
    const code = tally.ea6(actions[index]!);
    if (code !== null) return { index, code };
    tally.take(actions[index]!);
  }
  return null;
}

/**
 * EA-9's values for a shard's actions (valid by EA-6): C_s of the opening field, C_s with each
 * node's atr raised by its stake amounts (nothing else changed), and the bound. The shard
 * diverges iff `|with_stakes − open| > bound`. Exact: never a MathViolation.
 */
export function stakeCoherence(basis: ActionBasis, shard: bigint, actions: readonly Action[]): StakeCoherence {
  const s = basis.topology.shardIndex.get(shard);
  if (s === undefined) throw new RangeError(`action-rules: shard ${shard} does not exist`);
  const staked = new Map<number, bigint>();
  for (const a of actions) {
    if (a.kind !== 'stake') continue;
    const i = basis.topology.nodeIndex.get(a.node);
    if (i !== undefined) staked.set(i, (staked.get(i) ?? 0n) + a.amount);
  }
  const members = basis.topology.shardNodes[s]!;
  const open = basis.field.cShards[s]!;
  const bound = divergenceBound(open, basis.topology.constants.delta_max);
  if (members.length === 0) return { open, with_stakes: 0n, bound };
  const total = members.reduce((acc, i) => acc + psiWithStake(basis, i, staked.get(i) ?? 0n), 0n);
  return { open, with_stakes: exactFloorDiv(total, BigInt(members.length)), bound };
}
