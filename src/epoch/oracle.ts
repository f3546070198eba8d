/**
 * Step 1, the oracle (SPEC §6 step 1, EA-11; docs/spec.md P6.4 evidence, P6.6 schema, P9.7 edge
 * cases). A snapshot is identified by its digest `H("qfs/v13/oracle", snapshot)`, not by a copy: a
 * digest is signed iff one of its copies' signatures verifies, and a failing copy has no other
 * effect. Each distinct snapshot is checked in §6's order (the first failure is its reason), the
 * highest epoch then the lowest digest is admitted, and every rejection is an EA-11 incident.
 */
import { SCALE } from '../math/certified-math.ts';
import { planted } from '../core/planted.ts';
import type { Encodable, Json } from '../math/canonical.ts';
import type { OracleEvidence, OracleIncident, OracleReason } from './epoch-record.ts';
import type { NodeValue } from '../economics/harmonic-economics.ts';
import { fromHex, taggedHash, toHex } from '../math/hashing.ts';
import { m, path, readMessage, type SchemaFault } from '../math/message-schema.ts';
import type { Result } from '../core/errors.ts';
import { signValue, verifyDigest } from '../math/signatures.ts';
import type { NodeState, State } from '../economics/state.ts';
import type { Topology } from '../field/topology.ts';
import { compareString } from '../core/vocabulary.ts';

/** One received copy: the snapshot as canonical JSON and a signature (hex). */
export type SignedSnapshot = { readonly snapshot: Json; readonly signature: string };

/** A received copy with its digest, as the epoch's inputs store it. */
export type StoredSnapshot = { readonly digest: string; readonly snapshot: Json; readonly signature: string };

export type Snapshot = { readonly genesis: string; readonly epoch: bigint; readonly dis: readonly NodeValue[] };

export type OracleContext = { readonly genesisHash: string; readonly oracleKey: string; readonly topology: Topology };

/** `H("qfs/v13/oracle", snapshot)` in hex; undefined for a value that has no canonical form (dropped on receipt). */
export function snapshotDigest(snapshot: Json): string | undefined {
  try {
    return toHex(taggedHash('qfs/v13/oracle', snapshot as Encodable));
  } catch {
    // No canonical form (E_CANONICAL from the encoder): the copy is dropped on receipt.
    return undefined;
  }
}

/** The schema of a snapshot (reason `malformed`). */
export function readSnapshot(doc: Json, genesisHash: string, topo: Topology): Result<Snapshot, SchemaFault> {
  return readMessage(() => {
    const o = m.object(doc, '', ['genesis', 'epoch', 'dis']);
    const genesis = m.string(o.genesis, 'genesis');
    if (genesis !== genesisHash) m.fail('genesis', 'the snapshot names another chain');
    const epoch = m.id(o.epoch, 'epoch');
    const dis = m.array(o.dis, 'dis').map((x, i): NodeValue => {
      const p = path('dis', i);
      const e = m.object(x, p, ['node', 'value']);
      const node = m.id(e.node, path(p, 'node'));
      if (!topo.nodeIndex.has(node)) m.fail(path(p, 'node'), `node ${node} does not exist`);
      return { node, value: m.bounded(e.value, path(p, 'value'), 0n, SCALE + 1n) };
    });
    for (let i = 1; i < dis.length; i++) {
      if (!(dis[i - 1]!.node < dis[i]!.node)) m.fail(path('dis', i), 'nodes are not strictly ascending (duplicate or out of order)');
    }
    return { genesis, epoch, dis };
  });
}

/**
 * The copies as the inputs store them: each distinct (digest, signature) once, sorted by
 * (digest, signature); copies with no canonical form are dropped (no event).
 */
export function storedSnapshots(copies: readonly SignedSnapshot[]): StoredSnapshot[] {
  const seen = new Map<string, StoredSnapshot>();
  for (const c of copies) {
    const digest = snapshotDigest(c.snapshot);
    if (digest === undefined) continue;
    seen.set(`${digest}\u0000${c.signature}`, { digest, snapshot: c.snapshot, signature: c.signature });
  }
  return [...seen.values()].sort((x, y) => compareString(x.digest, y.digest) || compareString(x.signature, y.signature));
}


export type Admitted = { readonly digest: string; readonly snapshot: Snapshot };

export type OracleDecision = {
  readonly admitted: Admitted | null;
  /** Every rejection, in digest order. */
  readonly rejections: readonly OracleEvidence[];
};

/**
 * Step 1's decision over the stored copies (`storedSnapshots`), for epoch `t` and the
 * `last_oracle_epoch` of S. Pure: signatures are verified (and cached) but nothing is changed.
 */
export function decideOracle(ctx: OracleContext, stored: readonly StoredSnapshot[], t: bigint, lastOracleEpoch: bigint): OracleDecision {
  const key = fromHex(ctx.oracleKey);
  const window = ctx.topology.constants.oracle_window;
  // Group the copies by digest (stored is sorted by digest).
  const groups: { digest: string; snapshot: Json; signatures: string[] }[] = [];
  for (const c of stored) {
    const last = groups[groups.length - 1];
    if (last !== undefined && last.digest === c.digest) last.signatures.push(c.signature);
    else groups.push({ digest: c.digest, snapshot: c.snapshot, signatures: [c.signature] });
  }
  type Judged = { digest: string; reason: OracleReason | null; snapshot: Snapshot | null };
  const judged: Judged[] = groups.map((g): Judged => {
    const read = readSnapshot(g.snapshot, ctx.genesisHash, ctx.topology);
    if (!read.ok) return { digest: g.digest, reason: 'malformed', snapshot: null };
    const s = read.value;
    const digestBytes = fromHex(g.digest)!;
    const signed =
      key !== undefined &&
      g.signatures.some((sig) => {
        const bytes = fromHex(sig);
        return bytes !== undefined && verifyDigest('qfs/v13/oracle', digestBytes, bytes, key);
      });
    const reason: OracleReason | null = !signed
      ? 'bad_signature'
      : s.epoch > t && !planted('future-admitted')
        ? 'future'
        : s.epoch + window + (planted('stale-off-by-one') ? 1n : 0n) < t
          ? 'stale'
          : s.epoch <= lastOracleEpoch && !planted('replay-admitted')
            ? 'replayed'
            : null;
    return { digest: g.digest, reason, snapshot: s };
  });
  let winner: Judged | undefined;
  for (const j of judged) {
    // Digest order, so the first of the highest epoch is the lowest digest.
    if (j.reason === null && (winner === undefined || (planted('oracle-oldest-wins') ? j.snapshot!.epoch < winner.snapshot!.epoch : j.snapshot!.epoch > winner.snapshot!.epoch))) winner = j;
  }
  const rejections = judged
    .filter((j) => j !== winner)
    .map(
      (j): OracleEvidence => ({
        digest: j.digest,
        reason: j.reason ?? 'superseded',
        epoch: j.snapshot === null ? null : j.snapshot.epoch,
        admitted: j.reason === null ? winner!.digest : null,
      }),
    );
  return { admitted: winner === undefined ? null : { digest: winner.digest, snapshot: winner.snapshot! }, rejections };
}

/** The EA-11 incident of a rejection. */
export const oracleIncident = (evidence: OracleEvidence): OracleIncident => ({ code: null, ea: 'EA-11', shard: null, evidence });

/** Admission: each listed node's dis is set; `last_oracle_epoch = epoch`. No snapshot: S unchanged. */
export function applyOracle(topo: Topology, state: State, admitted: Admitted | null): State {
  if (admitted === null) return state;
  const nodes: NodeState[] = [...state.nodes];
  for (const { node, value } of admitted.snapshot.dis) {
    const i = topo.nodeIndex.get(node)!;
    nodes[i] = { ...nodes[i]!, dis: value };
  }
  return { ...state, nodes, last_oracle_epoch: admitted.snapshot.epoch };
}

/** Signs a snapshot with the oracle's secret key (deterministic ML-DSA-87, §2). */
export function signSnapshot(snapshot: Snapshot | Json, secretKey: Uint8Array): SignedSnapshot {
  const json = JSON.parse(JSON.stringify(snapshot, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as Json;
  return { snapshot: json, signature: toHex(signValue('qfs/v13/oracle', json as Encodable, secretKey)) };
}
