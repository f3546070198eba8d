/**
 * The ledger store (SPEC §7 "Ledger store and EA-14"; docs/spec.md P10.9–P10.11): a directory holding
 *
 *   genesis.json, genesis_hash.sha256, genesis_signatures.json   the genesis directory's files
 *   inputs/<e>.json       the epoch's stored inputs, P10.6's canonical bytes (no newline), or
 *                         a recovery epoch's document (P10.9)
 *   record/<e>.json       the epoch record, canonical JSON (a cache of what the inputs determine)
 *   checkpoint/<e>.json   optionally, the full state after epoch e, canonical JSON (a cache)
 *   evidence/…            everything ever set aside (EA-14 evidence, crash residue, replaced caches):
 *                         never read as an epoch file, never deleted
 *
 * `<e>` is the epoch in decimal without leading zeros. All I/O goes through a `Storage`
 * (storage.ts: node:fs, a dry-run overlay, or the harness's simulated disk). Append writes inputs,
 * then the checkpoint, then the record, each atomically and durably (writeAtomic), and returns
 * `H(record)`. The epoch is committed when the caller's anchor holds that hash. The anchor is the
 * caller's: in memory (the harness, the main job) or a signed file (anchor.ts; the CLI keeps it at
 * `<store>.anchor.json`), rewritten after each append.
 *
 * Opening (`openStore`, §7): a genesis whose hash is not the anchor's, or files of an epoch two or
 * more beyond the anchor's head (a stale anchor), are refused (AnchorFault, fatal, before anything
 * moves); temporary files and the files of epoch head + 1 are crash residue, set aside under
 * `evidence/residue/` (event `residue_set_aside`); c is the latest checkpoint whose records 1..c
 * hash to the anchor and whose root is record c's; inputs 1..c must hash to the records'
 * `inputs_hash`; an older checkpoint that fails that test is rewritten by re-executing from the
 * latest good one before it (P10.10); c+1..head are re-executed (replayLedgerEpoch, which also
 * re-executes a recovery epoch's document) and must hash to the anchor; a record or checkpoint
 * cache that differs is set aside under `evidence/repaired/` and rewritten (event
 * `store_repaired`); the first epoch k failing is reported as a fault with the state before k.
 * Opening never recovers: it reports.
 *
 * Recovering (`recoverStore` in store-recovery.ts, EA-14, P10.9): opens; if epoch k fails (its inputs altered or lost:
 * caches were repaired by the opening), the files of epochs ≥ k are moved aside, by rename, to
 * `evidence/ea14-<k>-<hash12>/<kind>/<e>.json` inside the store (`hash12` = the first 12 hex digits
 * of the recovery epoch's `inputs_hash`), the recovery epoch k is appended like any epoch (inputs,
 * checkpoint, record) and the anchor is replaced, in one atomic write, by its entries before k and
 * the recovery record's hash. A crash at any moment leaves either the old anchor — the reopening
 * finds the same k and the same recovery, and finishes it (files of this recovery's own epoch k
 * found in the store are its own, identical bytes, and are not moved) — or the new one.
 *
 * Verifying (`verifyStore`) changes nothing and is stricter: it re-executes every epoch from the
 * genesis and reports the first file that is not what the inputs (and the anchor) determine,
 * caches included, so that any altered byte is named. Residue is reported (`residue`), not a fault.
 * Without an anchor (`--unanchored`) the re-execution itself is the reference: altered caches are
 * found, but a cut tail looks like a crash and consistently replaced inputs cannot be told from
 * genuine ones — which is why the CLI refuses to verify without an anchor unless asked.
 */
import { join } from 'node:path';
import { canonicalString, INTEGER, parseCanonical, type Encodable, type Json } from '../math/canonical.ts';
import type { LedgerEpoch } from '../coherence/windows.ts';
import type { RecoveryEpoch } from '../coherence/recovery-epoch.ts';
import { replayLedgerEpoch } from '../coherence/replay.ts';
import { epochContext, type EpochContext } from '../epoch/epoch.ts';
import { recordHash, type EpochRecord } from '../epoch/epoch-record.ts';
import { QfsError } from '../core/errors.ts';
import type { FounderSignature } from '../genesis/founders.ts';
import type { Genesis } from '../genesis/genesis.ts';
import { sha256, taggedHashHex, toHex } from '../math/hashing.ts';
import { ledgerInputsBytes, readStoredInputs } from '../ledger/ledger-inputs.ts';
import { initialState, stateRoot, type State } from '../economics/state.ts';
import { genesisDirFiles, readGenesisDir, type GenesisDir } from './genesis-dir.ts';
import { AnchorFault, devOperatorKey, readAnchorAt, writeAnchorAt, type Anchor, type AnchorKey } from './anchor.ts';
import { makeDirs, moveAside, NODE_IO, syncMoves, writeAtomic, type StoreIo } from './storage.ts';

export type { Anchor } from './anchor.ts';

export const EPOCH_DIRS = ['inputs', 'record', 'checkpoint'] as const;
export type EpochFileKind = (typeof EPOCH_DIRS)[number];

/** The file of an epoch, relative to the store: `inputs/3.json`. */
export const epochFile = (kind: EpochFileKind, e: bigint): string => `${kind}/${e}.json`;

/** The directory of the store that holds everything set aside (P10.9, P10.11): nothing is ever deleted. */
export const EVIDENCE_DIR = 'evidence';
/** Where crash residue is set aside (P10.11), relative to the store. */
export const RESIDUE_DIR = `${EVIDENCE_DIR}/residue`;
/** Where a cache that differed from what the inputs determine is set aside before it is rewritten. */
export const REPAIRED_DIR = `${EVIDENCE_DIR}/repaired`;

/** A recovery's evidence directory, relative to the store (P10.9): `evidence/ea14-<k>-<first 12 hex digits of its inputs_hash>`. */
export const evidenceDirOf = (recovery: EpochRecord): string => `${EVIDENCE_DIR}/ea14-${recovery.epoch}-${recovery.inputs_hash.slice(0, 12)}`;

// ---------------------------------------------------------------------------------------------
// Anchor files (format, signature and faults: anchor.ts)

/** Reads and verifies an anchor file (default: signed by the development operator key); throws AnchorFault. */
export const readAnchorFile = (path: string, expected: Uint8Array = devOperatorKey().publicKey, io: StoreIo = NODE_IO): Anchor => readAnchorAt(path, expected, io).anchor;
/** Signs (default: with the development operator key) and writes an anchor file atomically. */
export const writeAnchorFile = (path: string, a: Anchor, key: AnchorKey = devOperatorKey(), io: StoreIo = NODE_IO): void => writeAnchorAt(path, a, key, io);

// ---------------------------------------------------------------------------------------------
// Creating and appending

/** Creates a store holding the genesis directory's files (the caller starts its anchor with `{ genesis: hash, records: [] }`). */
export function createStore(dir: string, genesis: Genesis, signatures: readonly FounderSignature[], io: StoreIo = NODE_IO): string {
  makeDirs(io, dir);
  for (const [name, text] of genesisDirFiles(genesis, signatures)) writeAtomic(io, join(dir, name), text);
  for (const d of EPOCH_DIRS) makeDirs(io, join(dir, d));
  return genesisDirFiles(genesis, signatures)[1]![1].trimEnd();
}

/** Appends an epoch (a recovery epoch too): inputs, then (if asked) the checkpoint, then the record, each atomic; returns H(record). */
export function appendEpoch(dir: string, epoch: LedgerEpoch | RecoveryEpoch, checkpoint: boolean, io: StoreIo = NODE_IO): string {
  const e = epoch.record.epoch;
  writeAtomic(io, join(dir, epochFile('inputs', e)), ledgerInputsBytes(epoch.inputs));
  if (checkpoint) writeAtomic(io, join(dir, epochFile('checkpoint', e)), canonicalString(epoch.state as unknown as Encodable));
  writeAtomic(io, join(dir, epochFile('record', e)), canonicalString(epoch.record as unknown as Encodable));
  return recordHash(epoch.record);
}

// ---------------------------------------------------------------------------------------------
// Reading a checkpoint (a full state, §4)

type O = { readonly [k: string]: Json };
function decodeState(doc: Json): State {
  const fail = (f: string): never => {
    throw new QfsError('E_MALFORMED', f, 'not a §4 state');
  };
  const obj = (x: Json | undefined, f: string): O => (typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as O) : fail(f));
  const list = (x: Json | undefined, f: string): readonly Json[] => (Array.isArray(x) ? (x as readonly Json[]) : fail(f));
  const int = (x: Json | undefined, f: string): bigint => (typeof x === 'string' && INTEGER.test(x) ? BigInt(x) : fail(f));
  const str = (x: Json | undefined, f: string): string => (typeof x === 'string' ? x : fail(f));
  const s = obj(doc, '');
  const mode = str(s.mode, 'mode');
  if (mode !== 'normal' && mode !== 'safe') fail('mode');
  const ints = <K extends string>(x: Json, f: string, keys: readonly K[]): Record<K, bigint> => {
    const o = obj(x, f);
    return Object.fromEntries(keys.map((k) => [k, int(o[k], `${f}.${k}`)])) as Record<K, bigint>;
  };
  return {
    genesis: str(s.genesis, 'genesis'),
    epoch: int(s.epoch, 'epoch'),
    mode: mode as State['mode'],
    nodes: list(s.nodes, 'nodes').map((n, i) => ints(n, `nodes[${i}]`, ['id', 'chr', 'flx', 'stake', 'psy', 'atr', 'res', 'dis', 'nonce'] as const)),
    users: list(s.users, 'users').map((u, i) => ints(u, `users[${i}]`, ['id', 'flx'] as const)),
    treasury: int(s.treasury, 'treasury'),
    chr_pool: int(s.chr_pool, 'chr_pool'),
    shards: list(s.shards, 'shards').map((x, i) => {
      const o = obj(x, `shards[${i}]`);
      if (typeof o.blacklisted !== 'boolean') fail(`shards[${i}].blacklisted`);
      return { id: int(o.id, `shards[${i}].id`), halted_until: int(o.halted_until, `shards[${i}].halted_until`), violations: int(o.violations, `shards[${i}].violations`), blacklisted: o.blacklisted as boolean };
    }),
    unstakes: list(s.unstakes, 'unstakes').map((u, i) => ints(u, `unstakes[${i}]`, ['node', 'nonce', 'amount', 'since'] as const)),
    coherence: int(s.coherence, 'coherence'),
    founders: list(s.founders, 'founders').map((x, i) => {
      const o = obj(x, `founders[${i}]`);
      return { id: int(o.id, `founders[${i}].id`), key: str(o.key, `founders[${i}].key`) };
    }),
    last_oracle_epoch: int(s.last_oracle_epoch, 'last_oracle_epoch'),
  };
}

// ---------------------------------------------------------------------------------------------
// Opening and verifying

/** Why a file fails: the store's own fault codes (the QfsError carries the generic code). */
export type FaultReason =
  | 'missing' // the file is not there
  | 'not_canonical' // its bytes are not canonical JSON
  | 'malformed' // not the layout (inputs P10.6, record P6.1, state §4), or for another epoch
  | 'inputs_hash' // inputs/e does not hash to record/e's inputs_hash
  | 'not_replayable' // re-executing inputs/e fails, or stores other inputs than the file's
  | 'anchor_mismatch' // inputs/e re-executes to a record whose hash is not the anchor's
  | 'cache_differs'; // record/e or checkpoint/e is not what the inputs determine

export type StoreFault = { readonly epoch: bigint; readonly file: string; readonly reason: FaultReason; readonly error: QfsError };

export type StoreEvent =
  /** Crash residue (a temporary file, a file of the epoch beyond the anchor's head) set aside to `to` (relative to the store). */
  | { readonly kind: 'residue_set_aside'; readonly file: string; readonly to: string }
  /** Residue found by a read-only verification (nothing moved). */
  | { readonly kind: 'residue'; readonly file: string }
  /** A cache rewritten to what the inputs determine; the differing file was set aside to `aside` (null: it was missing). */
  | { readonly kind: 'store_repaired'; readonly epoch: bigint; readonly file: string; readonly aside: string | null }
  /** EA-14: a file of an epoch ≥ k moved aside (`to`, relative to the store). */
  | { readonly kind: 'evidence_moved'; readonly file: string; readonly to: string }
  /** EA-14: the recovery epoch k appended (its record hash is the new anchor's last entry). */
  | { readonly kind: 'ea14_recovered'; readonly epoch: bigint; readonly evidence: string; readonly hash: string };

export type OpenedStore = {
  readonly genesis: GenesisDir;
  readonly ctx: EpochContext;
  /** The last good epoch: the anchor's head, or k − 1 when epoch k failed. */
  readonly head: bigint;
  /** The state after `head`. */
  readonly state: State;
  /** The record of `head` (null at epoch 0). */
  readonly record: EpochRecord | null;
  /** H(record/e) for e = 1 … head (the anchor's entries, or the re-executed records' without an anchor). */
  readonly hashes: readonly string[];
  readonly events: readonly StoreEvent[];
  /** The first failing epoch k and its file, or null. */
  readonly fault: StoreFault | null;
};

const TEMP = /^\..*\.tmp$/;
const EPOCH_NAME = /^(0|[1-9][0-9]*)\.json$/;

type Ctx = {
  readonly dir: string;
  readonly anchor: Anchor | undefined;
  readonly repair: boolean;
  readonly events: StoreEvent[];
  readonly io: StoreIo;
};

const fileBytes = (c: Ctx, rel: string): Uint8Array | undefined => c.io.storage.read(join(c.dir, rel));

const fault = (epoch: bigint, file: string, reason: FaultReason, code: 'E_IO' | 'E_CANONICAL' | 'E_MALFORMED', message: string): StoreFault => ({
  epoch,
  file,
  reason,
  error: new QfsError(code, file, message),
});

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

/** Epochs that have a file of the given kind in the store `dir`, ascending. */
export function storedEpochs(dir: string, kind: EpochFileKind, io: StoreIo = NODE_IO): bigint[] {
  return io.storage
    .list(join(dir, kind))
    .filter((n) => EPOCH_NAME.test(n))
    .map((n) => BigInt(n.slice(0, -5)))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
const epochsOf = (c: Ctx, kind: EpochFileKind): bigint[] => storedEpochs(c.dir, kind, c.io);

/**
 * Crash residue: temporary files and the files of the one epoch beyond the anchor's head that an
 * append cut short can leave. Opening sets them aside under `evidence/residue/` (never deletes);
 * verifying reports them. Files of an epoch two or more beyond the head are no crash's: the anchor
 * is older than the store (AnchorFault `stale`, checked first, before anything moves).
 */
function residue(c: Ctx, head: bigint): void {
  const s = c.io.storage;
  if (c.anchor !== undefined) {
    const beyond = EPOCH_DIRS.flatMap((kind) => epochsOf(c, kind)).filter((e) => e > head + 1n);
    if (beyond.length > 0) {
      const last = beyond.reduce((x, y) => (x > y ? x : y));
      throw new AnchorFault('stale', 'anchor', `the store holds files of epochs up to ${last}, but the anchor's head is ${head} and a crash leaves at most epoch ${head + 1n}: the anchor is older than the store (give the latest anchor; nothing was changed)`);
    }
  }
  const found: string[] = [];
  for (const n of s.list(c.dir)) if (TEMP.test(n)) found.push(n);
  for (const kind of EPOCH_DIRS) {
    for (const n of s.list(join(c.dir, kind))) {
      if (TEMP.test(n) || (EPOCH_NAME.test(n) && BigInt(n.slice(0, -5)) > head)) found.push(`${kind}/${n}`);
    }
  }
  const moves: [string, string][] = [];
  for (const f of found) {
    if (c.repair) {
      const to = moveAside(c.io, join(c.dir, f), join(c.dir, RESIDUE_DIR, f));
      moves.push([join(c.dir, f), to]);
      c.events.push({ kind: 'residue_set_aside', file: f, to: relative(c, to) });
    } else c.events.push({ kind: 'residue', file: f });
  }
  syncMoves(c.io, moves);
}

const relative = (c: Ctx, path: string): string => path.slice(c.dir.length + 1);

/** The head without an anchor: the largest e with a record file (a missing record before it is a fault). */
function headWithoutAnchor(c: Ctx): bigint {
  return epochsOf(c, 'record').reduce((x, y) => (x > y ? x : y), 0n);
}

/** A stored record as JSON, or a fault. */
function readRecordJson(c: Ctx, e: bigint): { json: Json; bytes: Uint8Array } | StoreFault {
  const f = epochFile('record', e);
  const b = fileBytes(c, f);
  if (b === undefined) return fault(e, f, 'missing', 'E_IO', 'missing');
  try {
    return { json: parseCanonical(b), bytes: b };
  } catch (x) {
    return fault(e, f, 'not_canonical', 'E_CANONICAL', (x as Error).message);
  }
}

const isFault = (x: unknown): x is StoreFault => typeof x === 'object' && x !== null && 'reason' in x && 'error' in x;

/** Re-executes c+1 … head from S; caches compared (rewritten when repairing). */
function replayFrom(c: Ctx, ctx: EpochContext, from: bigint, S0: State, rec0: EpochRecord | null, head: bigint, hashes: string[]): { state: State; record: EpochRecord | null; fault: StoreFault | null } {
  let S = S0;
  let record = rec0;
  for (let e = from + 1n; e <= head; e++) {
    const fi = epochFile('inputs', e);
    const b = fileBytes(c, fi);
    if (b === undefined) return { state: S, record, fault: fault(e, fi, 'missing', 'E_IO', 'missing') };
    let doc: Json;
    try {
      doc = parseCanonical(b);
    } catch (x) {
      return { state: S, record, fault: fault(e, fi, 'not_canonical', 'E_CANONICAL', (x as Error).message) };
    }
    const r = readStoredInputs(doc);
    if (!r.ok) return { state: S, record, fault: fault(e, fi, 'malformed', 'E_MALFORMED', r.error.describe()) };
    if (r.value.epoch !== e) return { state: S, record, fault: fault(e, fi, 'malformed', 'E_MALFORMED', `holds the inputs of epoch ${r.value.epoch}`) };
    let out: LedgerEpoch | RecoveryEpoch;
    try {
      out = replayLedgerEpoch(ctx, S, r.value);
    } catch (x) {
      return { state: S, record, fault: fault(e, fi, 'not_replayable', 'E_MALFORMED', `re-execution failed: ${(x as Error).message}`) };
    }
    if (text(ledgerInputsBytes(out.inputs)) !== text(b)) {
      return { state: S, record, fault: fault(e, fi, 'not_replayable', 'E_MALFORMED', 're-execution stores other inputs than this file (a message it would not read, or a copy it would drop)') };
    }
    const h = recordHash(out.record);
    const expected = c.anchor?.records[Number(e - 1n)];
    if (expected !== undefined && h !== expected) {
      return { state: S, record, fault: fault(e, fi, 'anchor_mismatch', 'E_MALFORMED', `re-executes to a record with hash ${h}, the anchor holds ${expected}`) };
    }
    const caches: [EpochFileKind, string, boolean][] = [
      ['record', canonicalString(out.record as unknown as Encodable), true],
      ['checkpoint', canonicalString(out.state as unknown as Encodable), false],
    ];
    for (const [kind, want, required] of caches) {
      const f = epochFile(kind, e);
      const have = fileBytes(c, f);
      if (have === undefined && !required) continue;
      if (have !== undefined && text(have) === want) continue;
      if (!c.repair) {
        return {
          state: S,
          record,
          fault: have === undefined ? fault(e, f, 'missing', 'E_IO', 'missing') : fault(e, f, 'cache_differs', 'E_MALFORMED', `not what inputs/${e}.json determines`),
        };
      }
      // The differing cache is set aside, durably, before it is rewritten: nothing is deleted.
      let aside: string | null = null;
      if (have !== undefined) {
        const to = moveAside(c.io, join(c.dir, f), join(c.dir, REPAIRED_DIR, f));
        syncMoves(c.io, [[join(c.dir, f), to]]);
        aside = relative(c, to);
      }
      writeAtomic(c.io, join(c.dir, f), want);
      c.events.push({ kind: 'store_repaired', epoch: e, file: f, aside });
    }
    hashes.push(h);
    S = out.state;
    record = out.record;
  }
  return { state: S, record, fault: null };
}

function readStoreGenesis(dir: string, anchor: Anchor | undefined, io: StoreIo): GenesisDir {
  if (!io.storage.isDir(dir)) throw new QfsError('E_IO', dir, 'no such store directory');
  const g = readGenesisDir(dir, (path) => {
    const b = io.storage.read(path);
    if (b === undefined) throw new QfsError('E_IO', path, 'cannot read: ENOENT');
    return b;
  });
  if (anchor !== undefined && g.hash !== anchor.genesis) {
    throw new AnchorFault('genesis', 'anchor', `the store's genesis hashes to ${g.hash}, the anchor's is ${anchor.genesis}: refused`);
  }
  if (!g.certification.certified) throw new QfsError('E_SIGNATURES', 'genesis', "the store's genesis is not certified by M founders");
  return g;
}

/**
 * Opens a store (§7), removing crash residue and repairing caches. Throws (fatal) on a genesis
 * that is not the anchor's; returns the first failing epoch as `fault` (the state before it in `state`).
 */
export function openStore(dir: string, anchor?: Anchor, io: StoreIo = NODE_IO): OpenedStore {
  const g = readStoreGenesis(dir, anchor, io);
  const ctx = epochContext(g.genesis);
  const c: Ctx = { dir, anchor, repair: true, events: [], io };
  const head = anchor !== undefined ? BigInt(anchor.records.length) : headWithoutAnchor(c);
  residue(c, head);
  for (const d of EPOCH_DIRS) makeDirs(io, join(dir, d));
  const genesisState = initialState(g.genesis, g.hash);

  // Records 1 … e that hash to the anchor (computed lazily, once).
  const records: EpochRecord[] = [];
  let goodRecords = 0n;
  let recordsDone = false;
  const recordsUpTo = (e: bigint): boolean => {
    while (!recordsDone && goodRecords < e) {
      const r = readRecordJson(c, goodRecords + 1n);
      const expected = anchor?.records[Number(goodRecords)];
      if (isFault(r) || (expected !== undefined && taggedHashHex('qfs/v13/epoch', r.json) !== expected)) recordsDone = true;
      else {
        records.push(r.json as unknown as EpochRecord);
        goodRecords++;
      }
    }
    return goodRecords >= e;
  };
  /** Checkpoint e's state if it passes §7's test (records 1 … e hash to the anchor, canonical, its root is record e's), else null. */
  const goodCheckpoint = (e: bigint): State | null => {
    if (!recordsUpTo(e)) return null;
    const b = fileBytes(c, epochFile('checkpoint', e));
    if (b === undefined) return null;
    try {
      const s = decodeState(parseCanonical(b));
      if (canonicalString(s as unknown as Encodable) !== text(b)) return null;
      const rec = records[Number(e - 1n)]!;
      return s.epoch === e && s.genesis === g.hash && stateRoot(s) === rec.root ? s : null;
    } catch {
      return null;
    }
  };
  /** The latest checkpoint ≤ limit that passes §7's test, with its state. */
  const checkpointAtOrBefore = (limit: bigint): { c: bigint; state: State } => {
    for (const e of epochsOf(c, 'checkpoint').filter((x) => x >= 1n && x <= limit).reverse()) {
      const s = goodCheckpoint(e);
      if (s !== null) return { c: e, state: s };
    }
    return { c: 0n, state: genesisState };
  };
  /**
   * Checkpoints before the one the opening starts from (`limit`) are caches too (P10.10): each that
   * fails §7's test is rewritten by re-executing from the latest good checkpoint before it.
   */
  const repairCheckpointsBefore = (limit: bigint): void => {
    for (const e of epochsOf(c, 'checkpoint').filter((x) => x >= 1n && x < limit)) {
      if (goodCheckpoint(e) !== null) continue;
      const from = checkpointAtOrBefore(e - 1n);
      const r = replayFrom(c, ctx, from.c, from.state, from.c === 0n ? null : records[Number(from.c - 1n)]!, e, []);
      if (r.fault !== null) throw new QfsError('E_MALFORMED', r.fault.file, `cannot rebuild checkpoint ${e}: ${r.fault.error.message}`);
    }
  };

  const cp = checkpointAtOrBefore(head);
  const hashes: string[] = [];
  // Inputs 1 … c must hash to the records' inputs_hash.
  let k: StoreFault | null = null;
  for (let e = 1n; e <= cp.c; e++) {
    const f = epochFile('inputs', e);
    const b = fileBytes(c, f);
    const rec = records[Number(e - 1n)]!;
    if (b === undefined) k = fault(e, f, 'missing', 'E_IO', 'missing');
    else if (toHex(sha256(b)) !== rec.inputs_hash) k = fault(e, f, 'inputs_hash', 'E_MALFORMED', `hashes to ${toHex(sha256(b))}, record/${e}.json says ${rec.inputs_hash}`);
    else {
      try {
        parseCanonical(b);
      } catch (x) {
        k = fault(e, f, 'not_canonical', 'E_CANONICAL', (x as Error).message);
      }
    }
    if (k !== null) break;
    hashes.push(recordHash(rec));
  }
  if (k === null) {
    repairCheckpointsBefore(cp.c);
    const r = replayFrom(c, ctx, cp.c, cp.state, cp.c === 0n ? null : records[Number(cp.c - 1n)]!, head, hashes);
    return { genesis: g, ctx, head: r.fault === null ? head : r.fault.epoch - 1n, state: r.state, record: r.record, hashes, events: c.events, fault: r.fault };
  }
  // k ≤ c: the state before k from the latest good checkpoint before k (or the genesis).
  const before = checkpointAtOrBefore(k.epoch - 1n);
  repairCheckpointsBefore(before.c);
  const prefix: string[] = hashes.slice(0, Number(before.c));
  const r = replayFrom(c, ctx, before.c, before.state, before.c === 0n ? null : records[Number(before.c - 1n)]!, k.epoch - 1n, prefix);
  if (r.fault !== null) throw new QfsError('E_MALFORMED', r.fault.file, `cannot rebuild the state before epoch ${k.epoch}: ${r.fault.error.message}`);
  return { genesis: g, ctx, head: k.epoch - 1n, state: r.state, record: r.record, hashes: prefix, events: c.events, fault: k };
}

export type Verification =
  | { readonly ok: true; readonly head: bigint; readonly state: State; readonly hashes: readonly string[]; readonly events: readonly StoreEvent[] }
  | { readonly ok: false; readonly fault: StoreFault; readonly head: bigint; readonly events: readonly StoreEvent[] };

/**
 * Verifies a store without changing it: re-executes every epoch from the genesis and names the
 * first file that is not what the inputs and the anchor determine. A genesis that is not the
 * anchor's (or does not read) throws.
 */
export function verifyStore(dir: string, anchor?: Anchor, io: StoreIo = NODE_IO): Verification {
  const g = readStoreGenesis(dir, anchor, io);
  const ctx = epochContext(g.genesis);
  const c: Ctx = { dir, anchor, repair: false, events: [], io };
  const head = anchor !== undefined ? BigInt(anchor.records.length) : headWithoutAnchor(c);
  residue(c, head);
  const hashes: string[] = [];
  const r = replayFrom(c, ctx, 0n, initialState(g.genesis, g.hash), null, head, hashes);
  if (r.fault !== null) return { ok: false, fault: r.fault, head, events: c.events };
  return { ok: true, head, state: r.state, hashes, events: c.events };
}
