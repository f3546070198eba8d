/**
 * EA-14: recovering a ledger store (SPEC §7, docs/spec.md P10.9, P10.11). The opening, the
 * verification and the store's layout are ledger-store.ts's; this file is what happens when an
 * opening with the anchor finds a first failing epoch k.
 */
import { join } from 'node:path';
import { canonicalString, type Encodable } from '../math/canonical.ts';
import { recoveryEpoch } from '../coherence/recovery-epoch.ts';
import { ledgerInputsBytes } from '../ledger/ledger-inputs.ts';
import { devOperatorKey, readAnchorAt, writeAnchorAt, type Anchor, type AnchorKey } from './anchor.ts';
import { appendEpoch, EPOCH_DIRS, epochFile, evidenceDirOf, openStore, storedEpochs, type OpenedStore, type StoreEvent, type StoreFault } from './ledger-store.ts';
import { moveAside, NODE_IO, syncMoves, type StoreIo } from './storage.ts';

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

/** What a recovery did. */
export type RecoveryReport = {
  /** The recovered epoch k (the first failing epoch). */
  readonly epoch: bigint;
  /** Why k failed. */
  readonly fault: StoreFault;
  /** The anchor's head when the recovery ran (the recovery's `to`). */
  readonly to: bigint;
  /** The evidence directory, relative to the store. */
  readonly evidence: string;
  /** The files moved there (relative to the store, as they were named before the move). */
  readonly moved: readonly string[];
  /** H(the recovery record): the new anchor's last entry. */
  readonly hash: string;
};

export type RecoveredStore = OpenedStore & {
  /** The anchor after the recovery (the given one when nothing was recovered). */
  readonly anchor: Anchor;
  readonly recovery: RecoveryReport | null;
};

/** The anchor as a file: its path and the operator key that verifies it and signs its replacement. */
export type AnchorFile = { readonly path: string; readonly key: AnchorKey };

/**
 * Opens the store (setting residue aside, repairing caches) and, if an epoch k fails, performs
 * EA-14's recovery (§7, P10.9): the files of epochs ≥ k are moved to the evidence directory, the
 * recovery epoch k is appended (with its checkpoint), and the anchor becomes its entries before k
 * followed by the recovery record's hash. `anchor` is the anchor itself (the caller then keeps the
 * returned one), or an anchor file — verified against its key (an AnchorFault refuses before
 * anything changes) and rewritten, signed, atomically, last; a bare path means the development
 * operator key. A crash at any moment leaves a store that this function, called again with the
 * anchor that is then on record, brings to the same end: the old anchor finds the same k and
 * recovery and finishes it, the new one opens cleanly at k. Nothing is ever deleted. Throws like
 * `openStore` (a genesis that is not the anchor's; a stale anchor; a state before k that cannot be rebuilt).
 */
export function recoverStore(dir: string, anchor: Anchor | AnchorFile | string, io: StoreIo = NODE_IO): RecoveredStore {
  const file: AnchorFile | undefined = typeof anchor === 'string' ? { path: anchor, key: devOperatorKey() } : 'path' in anchor ? anchor : undefined;
  const a = file !== undefined ? readAnchorAt(file.path, file.key.publicKey, io).anchor : (anchor as Anchor);
  const o = openStore(dir, a, io);
  if (o.fault === null) return { ...o, anchor: a, recovery: null };
  const k = o.fault.epoch;
  const head = BigInt(a.records.length);
  const out = recoveryEpoch(o.ctx, o.state, { from: k, to: head, evidence: a.records.slice(Number(k - 1n)) });
  const ev = evidenceDirOf(out.record);
  // This recovery's own files (left by an attempt that crashed after it began to append): not evidence.
  const ours = new Map<string, string>([
    [epochFile('inputs', k), text(ledgerInputsBytes(out.inputs))],
    [epochFile('checkpoint', k), canonicalString(out.state as unknown as Encodable)],
    [epochFile('record', k), canonicalString(out.record as unknown as Encodable)],
  ]);
  const events: StoreEvent[] = [...o.events];
  const moved: string[] = [];
  const moves: [string, string][] = [];
  for (const kind of EPOCH_DIRS) {
    for (const e of storedEpochs(dir, kind, io)) {
      if (e < k) continue;
      const f = epochFile(kind, e);
      const b = io.storage.read(join(dir, f))!;
      if (ours.get(f) === text(b)) continue;
      // Never overwrite evidence: a name already taken (only if someone wrote there) gets the next free suffix.
      const to = moveAside(io, join(dir, f), join(dir, ev, f));
      moves.push([join(dir, f), to]);
      moved.push(f);
      events.push({ kind: 'evidence_moved', file: f, to: to.slice(dir.length + 1) });
    }
  }
  // The moves are durable before the recovery epoch is written.
  syncMoves(io, moves);
  const hash = appendEpoch(dir, out, true, io);
  const next: Anchor = { genesis: a.genesis, records: [...a.records.slice(0, Number(k - 1n)), hash] };
  if (file !== undefined) writeAnchorAt(file.path, next, file.key, io);
  events.push({ kind: 'ea14_recovered', epoch: k, evidence: ev, hash });
  return {
    ...o,
    head: k,
    state: out.state,
    record: out.record,
    hashes: [...o.hashes, hash],
    events,
    fault: null,
    anchor: next,
    recovery: { epoch: k, fault: o.fault, to: head, evidence: ev, moved, hash },
  };
}
