/**
 * Votes (SPEC §6 messages; tag `qfs/v13/vote`, signed by the shard key) and their claims: the
 * shard's account of what the candidate does to its own nodes. This module reads votes (schema),
 * signs them, computes the claims of a candidate for a shard, and classifies a claim mismatch.
 *
 * Vote `{ epoch, shard, root, claims }`, claims
 *   { chr_delta: [{ node, value }], flx_delta: [{ node, value }], res: [{ node, value }],
 *     psy_minted: [{ node, value }], multipliers: [{ node, value }], rewards: [{ node, value }],
 *     payouts: [{ node, cut, users: [{ user, value }] }],
 *     cross_out: [{ leg, value }], cross_in: [{ leg, value }] }
 * Values, for every node of the shard in id order (computed from S and the candidate):
 *   chr_delta   candidate chr − S.chr (signed)         flx_delta  candidate flx − S.flx (signed)
 *   res         candidate res (balance after)          psy_minted the node's step-8 mint
 *   multipliers m_i of step 9                          rewards    r_i of step 9
 *   payouts     `cut` = k_i of step 10 and `users` = every user of the node in id order with its
 *               payout u (zeros included; `[]` for a node without users)
 *   cross_out   every applied transfer from a node of the shard to a node of another shard,
 *               `{ leg: action digest, value: amount }`, by digest (strictly ascending)
 *   cross_in    every applied transfer from another shard to a node of the shard, likewise.
 * Schema (malformed iff broken): exactly these keys at every level; `epoch`, `shard` ids, `shard`
 * a shard of the chain; `root` 32 bytes of lowercase hex; each per-node list exactly the shard's
 * nodes in id order; each `payouts[i].users` exactly the node's users in id order; deltas in
 * [-2^127, 2^127), every other value in [0, 2^127); legs 32 bytes of lowercase hex, strictly
 * ascending.
 */
import { match } from 'ts-pattern';
import { ifCanonical, type Encodable, type Json } from '../math/canonical.ts';
import type { Result } from '../core/errors.ts';
import { actionDigest } from '../economics/action-rules.ts';
import type { Action, NodeValue } from '../economics/harmonic-economics.ts';
import { taggedHashHex, toHex } from '../math/hashing.ts';
import { m, path, readMessage, type SchemaFault } from '../math/message-schema.ts';
import { toJson, type SignedCopy } from './proposal.ts';
import { signValue } from '../math/signatures.ts';
import type { NodeState } from '../economics/state.ts';
import type { Topology } from '../field/topology.ts';
import { compareString } from '../core/vocabulary.ts';

import type { ClaimField, LegClaim, PayoutClaim } from '../epoch/epoch-record.ts';
import { CLAIM_FIELDS } from '../epoch/epoch-record.ts';
import type { Epoch, ShardId } from '../core/units.ts';
export { CLAIM_FIELDS };
export type { ClaimField, LegClaim, PayoutClaim };

export type Claims = {
  readonly chr_delta: readonly NodeValue[];
  readonly flx_delta: readonly NodeValue[];
  readonly res: readonly NodeValue[];
  readonly psy_minted: readonly NodeValue[];
  readonly multipliers: readonly NodeValue[];
  readonly rewards: readonly NodeValue[];
  readonly payouts: readonly PayoutClaim[];
  readonly cross_out: readonly LegClaim[];
  readonly cross_in: readonly LegClaim[];
};

export type VoteBody = { readonly epoch: Epoch; readonly shard: ShardId; readonly root: string; readonly claims: Claims };


export type VoteEa = 'EA-10' | 'EA-3' | 'EA-5' | 'EA-4' | 'EA-13';

/** The adversary a mismatched field answers to (§6 step 12). */
export const eaOfClaimField = (field: ClaimField): VoteEa =>
  match(field)
    .with('cross_in', 'cross_out', () => 'EA-10' as const)
    .with('payouts', 'flx_delta', () => 'EA-3' as const)
    .with('chr_delta', () => 'EA-5' as const)
    .with('res', () => 'EA-4' as const)
    .with('multipliers', 'rewards', 'psy_minted', () => 'EA-13' as const)
    .exhaustive();

/** `H("qfs/v13/vote", vote)` in hex; undefined for a value with no canonical form (dropped on receipt). */
export function voteDigest(doc: Json | VoteBody): string | undefined {
  return ifCanonical(() => taggedHashHex('qfs/v13/vote', doc as Encodable));
}

/** Signs a vote with the shard's secret key (deterministic ML-DSA-87, cached). */
export function signVote(body: VoteBody | Json, secretKey: Uint8Array): SignedCopy {
  const message = toJson(body);
  return { message, signature: toHex(signValue('qfs/v13/vote', message as Encodable, secretKey)) };
}

const NODE_FIELDS = ['chr_delta', 'flx_delta', 'res', 'psy_minted', 'multipliers', 'rewards'] as const;
const SIGNED_FIELDS: ReadonlySet<string> = new Set(['chr_delta', 'flx_delta']);
const HEX32 = /^[0-9a-f]{64}$/;

/** The vote's schema (malformed iff this fails). */
export function readVote(doc: Json, topo: Topology): Result<VoteBody, SchemaFault> {
  return readMessage((): VoteBody => {
    const o = m.object(doc, '', ['epoch', 'shard', 'root', 'claims']);
    const epoch = m.id(o.epoch, 'epoch');
    const shard = m.id(o.shard, 'shard');
    const s = topo.shardIndex.get(shard);
    if (s === undefined) m.fail('shard', `shard ${shard} does not exist`);
    const root = m.hex(o.root, 'root', 32);
    const c = m.object(o.claims, 'claims', [...NODE_FIELDS, 'payouts', 'cross_out', 'cross_in']);
    const members = topo.shardNodes[s!]!;
    const perNode = (field: (typeof NODE_FIELDS)[number]): NodeValue[] => {
      const p0 = path('claims', field);
      const list = m.array(c[field], p0);
      if (list.length !== members.length) m.fail(p0, `expected one entry per node of shard ${shard} (${members.length}), got ${list.length}`);
      return list.map((x, k) => {
        const p = path(p0, k);
        const e = m.object(x, p, ['node', 'value']);
        const node = m.id(e.node, path(p, 'node'));
        if (node !== topo.nodeIds[members[k]!]) m.fail(path(p, 'node'), `expected node ${topo.nodeIds[members[k]!]}`);
        const value = SIGNED_FIELDS.has(field) ? m.signed(e.value, path(p, 'value')) : m.unsigned(e.value, path(p, 'value'));
        return { node, value };
      });
    };
    const [chr_delta, flx_delta, res, psy_minted, multipliers, rewards] = NODE_FIELDS.map(perNode) as [
      NodeValue[],
      NodeValue[],
      NodeValue[],
      NodeValue[],
      NodeValue[],
      NodeValue[],
    ];
    const payList = m.array(c.payouts, 'claims.payouts');
    if (payList.length !== members.length) m.fail('claims.payouts', `expected one entry per node of shard ${shard} (${members.length}), got ${payList.length}`);
    const payouts = payList.map((x, k): PayoutClaim => {
      const p = path('claims.payouts', k);
      const e = m.object(x, p, ['node', 'cut', 'users']);
      const i = members[k]!;
      const node = m.id(e.node, path(p, 'node'));
      if (node !== topo.nodeIds[i]) m.fail(path(p, 'node'), `expected node ${topo.nodeIds[i]}`);
      const cut = m.unsigned(e.cut, path(p, 'cut'));
      const want = topo.nodeUsers[i]!;
      const ul = m.array(e.users, path(p, 'users'));
      if (ul.length !== want.length) m.fail(path(p, 'users'), `expected one entry per user of node ${node} (${want.length}), got ${ul.length}`);
      const users = ul.map((y, j) => {
        const q = path(path(p, 'users'), j);
        const u = m.object(y, q, ['user', 'value']);
        const user = m.id(u.user, path(q, 'user'));
        if (user !== topo.userIds[want[j]!]) m.fail(path(q, 'user'), `expected user ${topo.userIds[want[j]!]}`);
        return { user, value: m.unsigned(u.value, path(q, 'value')) };
      });
      return { node, cut, users };
    });
    const legs = (field: 'cross_out' | 'cross_in'): LegClaim[] => {
      const p0 = path('claims', field);
      const list = m.array(c[field], p0).map((x, k): LegClaim => {
        const p = path(p0, k);
        const e = m.object(x, p, ['leg', 'value']);
        const leg = m.string(e.leg, path(p, 'leg'));
        if (!HEX32.test(leg)) m.fail(path(p, 'leg'), 'expected 32 bytes of lowercase hex');
        return { leg, value: m.unsigned(e.value, path(p, 'value')) };
      });
      for (let k = 1; k < list.length; k++) if (!(list[k - 1]!.leg < list[k]!.leg)) m.fail(path(p0, k), 'legs are not strictly ascending by digest');
      return list;
    };
    const claims: Claims = { chr_delta, flx_delta, res, psy_minted, multipliers, rewards, payouts, cross_out: legs('cross_out'), cross_in: legs('cross_in') };
    return { epoch, shard, root, claims };
  });
}

/** What the claims of a candidate are computed from. */
export type ClaimBasis = {
  readonly topology: Topology;
  /** The nodes of S. */
  readonly before: readonly NodeState[];
  /** The nodes of the candidate. */
  readonly after: readonly NodeState[];
  readonly psyMinted: readonly NodeValue[];
  /** Step 9's m_i and r_i, and step 10's k_i, aligned with the topology. */
  readonly m: readonly bigint[];
  readonly r: readonly bigint[];
  readonly k: readonly bigint[];
  /** Step 10's u of every user, aligned with the topology's users. */
  readonly u: readonly bigint[];
  /** The applied actions (the voters'). */
  readonly actions: readonly Action[];
};


/** The claims of the candidate for every shard (aligned with the topology's shards). */
export function candidateClaims(b: ClaimBasis): Claims[] {
  const topo = b.topology;
  const out: { cross_out: LegClaim[]; cross_in: LegClaim[] }[] = topo.shardIds.map(() => ({ cross_out: [], cross_in: [] }));
  for (const a of b.actions) {
    if (a.kind !== 'transfer') continue;
    const i = topo.nodeIndex.get(a.from);
    const j = topo.nodeIndex.get(a.to);
    if (i === undefined || j === undefined) continue;
    const si = topo.nodeShard[i]!;
    const sj = topo.nodeShard[j]!;
    if (si === sj) continue;
    const leg = actionDigest(a);
    out[si]!.cross_out.push({ leg, value: a.amount });
    out[sj]!.cross_in.push({ leg, value: a.amount });
  }
  return topo.shardIds.map((_, s) => {
    const members = topo.shardNodes[s]!;
    const list = (f: (i: number) => bigint): NodeValue[] => members.map((i) => ({ node: topo.nodeIds[i]!, value: f(i) }));
    const bySort = (xs: LegClaim[]): LegClaim[] => [...xs].sort((x, y) => compareString(x.leg, y.leg));
    return {
      chr_delta: list((i) => b.after[i]!.chr - b.before[i]!.chr),
      flx_delta: list((i) => b.after[i]!.flx - b.before[i]!.flx),
      res: list((i) => b.after[i]!.res),
      psy_minted: list((i) => b.psyMinted[i]!.value),
      multipliers: list((i) => b.m[i]!),
      rewards: list((i) => b.r[i]!),
      payouts: members.map((i) => ({
        node: topo.nodeIds[i]!,
        cut: b.k[i]!,
        users: topo.nodeUsers[i]!.map((j) => ({ user: topo.userIds[j]!, value: b.u[j]! })),
      })),
      cross_out: bySort(out[s]!.cross_out),
      cross_in: bySort(out[s]!.cross_in),
    };
  });
}
