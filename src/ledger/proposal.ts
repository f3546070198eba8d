/**
 * Proposals (SPEC §6 messages; tag `qfs/v13/proposal`, signed by the shard key): the schema reader
 * that decides *malformed*, the digest that identifies a proposal, and signing. The body type is
 * `ProposalBody` of `honest-agent.ts` (the honest agent builds it; the ledger reads it).
 *
 * Schema (a proposal is malformed iff it breaks one of these; the first fault is reported):
 *   - an object with exactly the keys epoch, shard, prev_root, actions, reports;
 *   - `epoch` and `shard` ids in [0, 2^63); `shard` names a shard of the chain (its node set and
 *     owned edges define the report lists below, so an unknown shard is malformed);
 *   - `prev_root` 32 bytes of lowercase hex;
 *   - `actions` a list of actions (`readAction`: keys, types, §1 ranges, a known kind), in
 *     non-decreasing (acting node, nonce, digest) order;
 *   - `reports` an object with exactly the keys psi, gradients, sync; `psi` exactly one
 *     `{ node, value }` per node of the shard, in node id order, values in [0, 2^127);
 *     `gradients` exactly one `{ a, b, value }` per edge whose lower end `a` is a node of the
 *     shard, in (a, b) order, values in [-2^127, 2^127); `sync` in [0, 2^127).
 * Every action that parses is judged by step 3 (its ids need not exist, its amount may be 0).
 */
import { ifCanonical, type Encodable, type Json } from '../math/canonical.ts';
import type { Result } from '../core/errors.ts';
import { actionDigest, compareActions, readAction } from '../economics/action-rules.ts';
import type { Action, NodeValue } from '../economics/harmonic-economics.ts';
import { taggedHashHex, toHex } from '../math/hashing.ts';
import type { ProposalBody, Reports } from '../economics/honest-agent.ts';
import { m, path, readMessage, type SchemaFault } from '../math/message-schema.ts';
import { signValue } from '../math/signatures.ts';
import type { Topology } from '../field/topology.ts';

export type { ProposalBody, Reports };

/** One received copy of a signed message (proposal or vote): its canonical JSON and a signature (hex). */
export type SignedCopy = { readonly message: Json; readonly signature: string };

/** The canonical JSON of a value (bigints as decimal strings): the form in which messages travel. */
export function toJson(value: unknown): Json {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as Json;
}

/** `H("qfs/v13/proposal", proposal)` in hex; undefined for a value with no canonical form (dropped on receipt). */
export function proposalDigest(doc: Json | ProposalBody): string | undefined {
  return ifCanonical(() => taggedHashHex('qfs/v13/proposal', doc as Encodable));
}

/** Signs a proposal with the shard's secret key (deterministic ML-DSA-87, cached: one message, one signature). */
export function signProposal(body: ProposalBody | Json, secretKey: Uint8Array): SignedCopy {
  const message = toJson(body);
  return { message, signature: toHex(signValue('qfs/v13/proposal', message as Encodable, secretKey)) };
}

const ownedCache = new WeakMap<Topology, readonly (readonly number[])[]>();

/** The edge indices a shard owns (lower end in the shard), in edge order, i.e. by (a, b). Indexed once per topology. */
export function ownedEdges(topo: Topology, shardIndex: number): readonly number[] {
  let all = ownedCache.get(topo);
  if (all === undefined) {
    const lists: number[][] = topo.shardIds.map(() => []);
    for (let e = 0; e < topo.edgeA.length; e++) lists[topo.nodeShard[topo.edgeA[e]!]!]!.push(e);
    all = lists;
    ownedCache.set(topo, all);
  }
  return all[shardIndex]!;
}

/** The proposal's schema (malformed iff this fails). */
export function readProposal(doc: Json, topo: Topology): Result<ProposalBody, SchemaFault> {
  return readMessage((): ProposalBody => {
    const o = m.object(doc, '', ['epoch', 'shard', 'prev_root', 'actions', 'reports']);
    const epoch = m.id(o.epoch, 'epoch');
    const shard = m.id(o.shard, 'shard');
    const s = topo.shardIndex.get(shard);
    if (s === undefined) m.fail('shard', `shard ${shard} does not exist`);
    const prev_root = m.hex(o.prev_root, 'prev_root', 32);
    const actions = m.array(o.actions, 'actions').map((x, i): Action => {
      const read = readAction(x);
      if (!read.ok) m.fail(path(path('actions', i), read.error.field), read.error.message);
      return (read as { ok: true; value: Action }).value;
    });
    const digests = actions.map((a) => actionDigest(a));
    for (let i = 1; i < actions.length; i++) {
      const order = compareActions({ action: actions[i - 1]!, digest: digests[i - 1]! }, { action: actions[i]!, digest: digests[i]! });
      if (order > 0) m.fail(path('actions', i), 'actions are not in (acting node, nonce, digest) order');
    }
    const r = m.object(o.reports, 'reports', ['psi', 'gradients', 'sync']);
    const members = topo.shardNodes[s!]!;
    const psiList = m.array(r.psi, 'reports.psi');
    if (psiList.length !== members.length) m.fail('reports.psi', `expected one value per node of shard ${shard} (${members.length}), got ${psiList.length}`);
    const psi = psiList.map((x, k): NodeValue => {
      const p = path('reports.psi', k);
      const e = m.object(x, p, ['node', 'value']);
      const node = m.id(e.node, path(p, 'node'));
      if (node !== topo.nodeIds[members[k]!]) m.fail(path(p, 'node'), `expected node ${topo.nodeIds[members[k]!]} (one value per node of the shard, by id)`);
      return { node, value: m.unsigned(e.value, path(p, 'value')) };
    });
    const owned = ownedEdges(topo, s!);
    const gradList = m.array(r.gradients, 'reports.gradients');
    if (gradList.length !== owned.length) m.fail('reports.gradients', `expected one gradient per owned edge (${owned.length}), got ${gradList.length}`);
    const gradients = gradList.map((x, k) => {
      const p = path('reports.gradients', k);
      const e = m.object(x, p, ['a', 'b', 'value']);
      const a = m.id(e.a, path(p, 'a'));
      const b = m.id(e.b, path(p, 'b'));
      const edge = owned[k]!;
      if (a !== topo.nodeIds[topo.edgeA[edge]!] || b !== topo.nodeIds[topo.edgeB[edge]!]) {
        m.fail(p, `expected edge (${topo.nodeIds[topo.edgeA[edge]!]}, ${topo.nodeIds[topo.edgeB[edge]!]}) (one gradient per owned edge, by (a, b))`);
      }
      return { a, b, value: m.signed(e.value, path(p, 'value')) };
    });
    const sync = m.unsigned(r.sync, 'reports.sync');
    return { epoch, shard, prev_root, actions, reports: { psi, gradients, sync } };
  });
}
