/**
 * EA-14's recovery (SPEC §7, docs/spec.md P10.9): when opening finds a first epoch k whose inputs
 * were altered or lost, the files of epochs ≥ k are moved to the store's evidence directory, a
 * recovery epoch k is appended (an abort with one CIR-511 EA-14 incident, safe mode) and the
 * anchor becomes its entries before k and the recovery record's hash. Caches alone are repaired,
 * never recovered. The recovery epoch replays byte for byte, satisfies the catalog, and the
 * catalog still catches a wrong one.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { canonicalString, parseCanonical, type Encodable, type Json } from '../../src/math/canonical.ts';
import { recoveryEpoch } from '../../src/coherence/recovery-epoch.ts';
import { checkLedgerEpoch, checkRecordReplay, replayLedgerEpoch } from '../../src/coherence/replay.ts';
import { devLabel } from '../../src/genesis/default-genesis.ts';
import { epochContext, type EpochContext } from '../../src/epoch/epoch.ts';
import { recordHash, type EpochRecord } from '../../src/epoch/epoch-record.ts';
import {
  appendEpoch,
  epochFile,
  evidenceDirOf,
  openStore,
  readAnchorFile,
  verifyStore,
  writeAnchorFile,
  type Anchor,
} from '../../src/io/ledger-store.ts';
import { recoverStore, type RecoveredStore } from '../../src/io/store-recovery.ts';
import { ledgerInputsBytes, ledgerInputsHash, readStoredInputs, recoveryInputs } from '../../src/ledger/ledger-inputs.ts';
import { openingField } from '../../src/field/psi-field.ts';
import { honestLedgerEpoch } from '../../src/runs/ledger-run.ts';
import { devKey } from '../../src/math/signatures.ts';
import { initialState, stateRoot, type State } from '../../src/economics/state.ts';
import { appendHonest, createAnchoredStore, honestEpoch, smallGenesis } from './fixtures.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'qfs.mjs');
const qfs = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

const GENESIS = smallGenesis();
const CTX: EpochContext = epochContext(GENESIS);
const HEAD = 7n; // checkpoints at 2, 4, 6: epoch 7 is re-executed from checkpoint 6
let tmp: string;
let BASE: string;
let ANCHOR: Anchor;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'qfs-recovery-'));
  BASE = join(tmp, 'base', 'store');
  const a0 = createAnchoredStore(BASE, join(tmp, 'base', 'store.anchor.json'), GENESIS);
  ANCHOR = appendHonest(BASE, join(tmp, 'base', 'store.anchor.json'), CTX, { state: initialState(GENESIS, a0.genesis), anchor: a0 }, Number(HEAD), { seed: 11n, checkpointEvery: 2n }).anchor;
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of the base store with its anchor file beside it (`anchor.json`, the CLI's default). */
function copy(name: string): { dir: string; anchorPath: string } {
  const dir = join(tmp, name, 'store');
  cpSync(BASE, dir, { recursive: true });
  cpSync(join(tmp, 'base', 'store.anchor.json'), join(tmp, name, 'store.anchor.json'));
  return { dir, anchorPath: join(tmp, name, 'store.anchor.json') };
}

function flip(path: string, at: number): void {
  const b = readFileSync(path);
  b[at % b.length] = b[at % b.length]! ^ 0x01;
  writeFileSync(path, b);
}

const json = (path: string): Json => parseCanonical(readFileSync(path));
const recordOf = (dir: string, e: bigint): EpochRecord => json(join(dir, epochFile('record', e))) as unknown as EpochRecord;
const KINDS = ['inputs', 'record', 'checkpoint'] as const;

/** Every epoch file of epochs < k, with its bytes. */
function filesBefore(dir: string, k: bigint): Map<string, string> {
  const out = new Map<string, string>();
  for (let e = 1n; e < k; e++) for (const kind of KINDS) if (existsSync(join(dir, epochFile(kind, e)))) out.set(epochFile(kind, e), readFileSync(join(dir, epochFile(kind, e)), 'latin1'));
  return out;
}

/** The state before k, as opening (without recovery) rebuilds it. */
function stateBefore(name: string, damage: (dir: string) => void): State {
  const c = copy(name);
  damage(c.dir);
  const o = openStore(c.dir, ANCHOR);
  return o.state;
}

/** Everything §7 and the issue ask of a recovery at k, after `damage`. */
function expectRecovery(name: string, k: bigint, damage: (dir: string) => void, reason: string): RecoveredStore {
  const S = stateBefore(`${name}-open`, damage);
  const rootBefore = recordOf(BASE, k - 1n).root;
  expect(stateRoot(S), 'the state before k has the root committed at k − 1').toBe(rootBefore);
  const { dir, anchorPath } = copy(name);
  damage(dir);
  const untouched = filesBefore(BASE, k);
  const r = recoverStore(dir, anchorPath);
  const rec = r.recovery!;
  expect(rec).not.toBeNull();
  expect([rec.epoch, rec.fault.reason, rec.to]).toEqual([k, reason, HEAD]);
  // No epoch before k changed (byte for byte), and none is missing.
  expect(filesBefore(dir, k)).toEqual(untouched);
  // The recovery record: an abort with one CIR-511 EA-14, the anchor's hashes of k … head as evidence.
  const record = recordOf(dir, k);
  const evidence = ANCHOR.records.slice(Number(k - 1n));
  expect(record).toMatchObject({ epoch: String(k), prev_root: rootBefore, outcome: 'abort', active: [], voters: [], c_shards: [], events: [], moves: [], flows: [] });
  expect(record.incidents).toEqual([{ code: 'CIR-511', ea: 'EA-14', shard: null, evidence: { from: String(k), to: String(HEAD), evidence } }]);
  expect(record.sync).toEqual({ c: String(openingField(CTX.topology, S.nodes).c), median: null, reports: [] });
  expect(json(join(dir, epochFile('inputs', k)))).toEqual({ epoch: String(k), recovery: { from: String(k), to: String(HEAD), evidence } });
  expect(r.state).toEqual({ ...S, epoch: k, mode: 'safe' });
  expect(stateRoot(r.state)).toBe(record.root);
  expect(readFileSync(join(dir, epochFile('checkpoint', k)), 'utf8')).toBe(canonicalString(r.state as unknown as Encodable));
  // The anchor: its entries before k unchanged, then the recovery record's hash; the file rewritten.
  const anchor = readAnchorFile(anchorPath);
  expect(anchor).toEqual(r.anchor);
  expect(anchor.records.slice(0, Number(k - 1n))).toEqual(ANCHOR.records.slice(0, Number(k - 1n)));
  expect(anchor.records.length).toBe(Number(k));
  expect(anchor.records.at(-1)).toBe(recordHash(r.record!));
  expect(recordHash(r.record!)).toBe(rec.hash);
  expect(r.head).toBe(k);
  expect(r.hashes).toEqual(anchor.records);
  // The files of epochs ≥ k are in the evidence directory, unchanged; none is left in the store but the recovery's own.
  expect(rec.evidence).toBe(evidenceDirOf(r.record!));
  expect(rec.evidence).toMatch(new RegExp(`^evidence/ea14-${k}-[0-9a-f]{12}$`));
  for (const f of rec.moved) expect(existsSync(join(dir, rec.evidence, f)), f).toBe(true);
  for (const kind of KINDS) {
    const left = readdirSync(join(dir, kind)).filter((n) => n.endsWith('.json') && BigInt(n.slice(0, -5)) >= k);
    expect(left, kind).toEqual([`${k}.json`]);
  }
  expect(r.events.filter((e) => e.kind === 'evidence_moved').map((e) => (e.kind === 'evidence_moved' ? e.file : ''))).toEqual(rec.moved);
  expect(r.events.at(-1)).toEqual({ kind: 'ea14_recovered', epoch: k, evidence: rec.evidence, hash: rec.hash });
  // A second opening is clean; verify passes; the recovery epoch replays byte for byte and satisfies the catalog.
  const again = openStore(dir, anchor);
  expect(again.fault).toBeNull();
  expect(again.events).toEqual([]);
  expect(again.head).toBe(k);
  const twice = recoverStore(dir, anchorPath);
  expect(twice.recovery).toBeNull();
  expect(twice.events).toEqual([]);
  const v = verifyStore(dir, anchor);
  expect(v.ok, v.ok ? '' : v.fault.error.describe()).toBe(true);
  const read = readStoredInputs(json(join(dir, epochFile('inputs', k))));
  expect(read.ok).toBe(true);
  if (read.ok) {
    expect(checkRecordReplay(CTX, S, r.record!, read.value)).toBeNull();
    expect(checkLedgerEpoch(CTX, S, r.record!, r.state, read.value)).toEqual([]);
    expect(Buffer.from(ledgerInputsBytes(read.value)).toString()).toBe(readFileSync(join(dir, epochFile('inputs', k)), 'utf8'));
    expect(record.inputs_hash).toBe(ledgerInputsHash(read.value));
  }
  return r;
}

describe('store: EA-14 recovery (§7, P10.9)', () => {
  test('recovery.altered: a flipped byte in inputs/3 (before the latest checkpoint) → recovery at 3', () => {
    const r = expectRecovery('altered', 3n, (d) => flip(join(d, 'inputs/3.json'), 90), 'inputs_hash');
    // The altered file itself is evidence, as it was.
    const altered = readFileSync(join(tmp, 'altered', 'store', r.recovery!.evidence, 'inputs/3.json'));
    expect(altered.equals(readFileSync(join(BASE, 'inputs/3.json')))).toBe(false);
    expect(r.recovery!.moved).toEqual(['inputs/3.json', 'inputs/4.json', 'inputs/5.json', 'inputs/6.json', 'inputs/7.json', 'record/3.json', 'record/4.json', 'record/5.json', 'record/6.json', 'record/7.json', 'checkpoint/4.json', 'checkpoint/6.json']);
    for (const f of r.recovery!.moved.filter((f) => f !== 'inputs/3.json')) expect(readFileSync(join(tmp, 'altered', 'store', r.recovery!.evidence, f)).equals(readFileSync(join(BASE, f))), f).toBe(true);
  });

  test('recovery.rewritten: inputs/7 rewritten canonically without a vote (after the latest checkpoint) → recovery at 7', () => {
    const r = expectRecovery(
      'rewritten',
      7n,
      (d) => {
        const doc = json(join(d, 'inputs/7.json')) as { epoch: string; messages: { kind: string }[] };
        const i = doc.messages.findIndex((m) => m.kind === 'vote');
        writeFileSync(join(d, 'inputs/7.json'), canonicalString({ ...doc, messages: doc.messages.filter((_, j) => j !== i) } as unknown as Encodable));
      },
      'anchor_mismatch',
    );
    expect(r.recovery!.moved).toEqual(['inputs/7.json', 'record/7.json']);
  });

  test('recovery.deleted: inputs/4 deleted → recovery at 4 (reason missing)', () => {
    expectRecovery('deleted', 4n, (d) => rmSync(join(d, 'inputs/4.json')), 'missing');
  });

  test('recovery.cut-tail: the files of epochs 5 … 7 deleted, the anchor kept → recovery at 5, nothing to move', () => {
    const r = expectRecovery(
      'cut',
      5n,
      (d) => {
        for (let e = 5n; e <= HEAD; e++) for (const kind of KINDS) rmSync(join(d, epochFile(kind, e)), { force: true });
      },
      'missing',
    );
    expect(r.recovery!.moved).toEqual([]);
  });

  test('recovery.caches: only record and checkpoint caches altered → repaired (store_repaired), no recovery, the anchor file untouched', () => {
    const { dir, anchorPath } = copy('caches');
    flip(join(dir, 'record/7.json'), 30);
    rmSync(join(dir, 'record/5.json'));
    flip(join(dir, 'checkpoint/6.json'), 30);
    flip(join(dir, 'checkpoint/2.json'), 500); // older than the checkpoint the opening starts from (P10.10)
    const before = readFileSync(anchorPath, 'utf8');
    const r = recoverStore(dir, anchorPath);
    expect(r.recovery).toBeNull();
    expect(r.fault).toBeNull();
    expect(r.head).toBe(HEAD);
    expect(r.anchor).toEqual(ANCHOR);
    expect(readFileSync(anchorPath, 'utf8')).toBe(before);
    expect(r.events.map((e) => (e.kind === 'store_repaired' ? e.file : e.kind))).toEqual(['checkpoint/2.json', 'record/5.json', 'checkpoint/6.json', 'record/7.json']);
    // The altered caches are set aside (the deleted record had nothing to keep), never overwritten.
    expect(r.events.map((e) => (e.kind === 'store_repaired' ? e.aside : e.kind))).toEqual(['evidence/repaired/checkpoint/2.json', null, 'evidence/repaired/checkpoint/6.json', 'evidence/repaired/record/7.json']);
    expect(readdirSync(join(dir, 'evidence'))).toEqual(['repaired']);
    expect(verifyStore(dir, ANCHOR).ok).toBe(true);
    const again = recoverStore(dir, anchorPath);
    expect([again.recovery, again.events]).toEqual([null, []]);
  });

  test('recovery.old-checkpoint: a checkpoint older than the latest good one, altered alone, is rewritten; with an altered input after it, too', () => {
    const { dir, anchorPath } = copy('old-checkpoint');
    flip(join(dir, 'checkpoint/4.json'), 700);
    const r = recoverStore(dir, anchorPath);
    expect([r.recovery, r.events]).toEqual([null, [{ kind: 'store_repaired', epoch: 4n, file: 'checkpoint/4.json', aside: 'evidence/repaired/checkpoint/4.json' }]]);
    expect(readFileSync(join(dir, 'checkpoint/4.json')).equals(readFileSync(join(BASE, 'checkpoint/4.json')))).toBe(true);
    expect(verifyStore(dir, ANCHOR).ok).toBe(true);
    // k = 7 after checkpoint 6: checkpoint 2 altered is repaired by the same opening.
    flip(join(dir, 'checkpoint/2.json'), 700);
    rmSync(join(dir, 'inputs/7.json'));
    const k = recoverStore(dir, anchorPath);
    expect(k.recovery?.epoch).toBe(7n);
    expect(k.events[0]).toEqual({ kind: 'store_repaired', epoch: 2n, file: 'checkpoint/2.json', aside: 'evidence/repaired/checkpoint/2.json' });
    expect(verifyStore(dir, k.anchor).ok).toBe(true);
  });

  test('recovery.without-anchor: opening without an anchor reports the fault and recovers nothing', () => {
    const { dir } = copy('bare');
    writeFileSync(join(dir, 'inputs/3.json'), '{"epoch":"3"');
    const o = openStore(dir);
    expect([o.fault?.epoch, o.fault?.reason, o.head]).toEqual([3n, 'inputs_hash', 2n]);
    expect(existsSync(join(dir, 'evidence'))).toBe(false);
    expect(readFileSync(join(dir, 'inputs/3.json'), 'utf8')).toBe('{"epoch":"3"');
    expect(existsSync(join(dir, 'record/7.json'))).toBe(true);
  });

  test('recovery.resume: a recovery cut short (old anchor kept) is finished identically; its own files are not evidence', () => {
    const damage = (d: string) => flip(join(d, 'inputs/5.json'), 77);
    const full = copy('resume-full');
    damage(full.dir);
    const done = recoverStore(full.dir, full.anchorPath);
    const ev = done.recovery!.evidence;
    const evidenceFiles = (d: string) => KINDS.flatMap((kind) => (existsSync(join(d, ev, kind)) ? readdirSync(join(d, ev, kind)).map((n) => `${kind}/${n}`) : [])).sort();

    // (a) Crash after the recovery epoch's files, before the anchor: the old anchor is on record.
    const a = copy('resume-a');
    damage(a.dir);
    recoverStore(a.dir, ANCHOR); // the anchor object: the file keeps the old anchor
    expect(readAnchorFile(a.anchorPath)).toEqual(ANCHOR);
    const ra = recoverStore(a.dir, a.anchorPath);
    expect(ra.recovery?.epoch).toBe(5n);
    expect(ra.recovery?.moved).toEqual([]);
    expect(ra.anchor).toEqual(done.anchor);
    expect(readAnchorFile(a.anchorPath)).toEqual(done.anchor);
    expect(evidenceFiles(a.dir)).toEqual(evidenceFiles(full.dir));

    // (b) Crash after some moves, before anything was appended.
    const b = copy('resume-b');
    damage(b.dir);
    mkdirSync(join(b.dir, ev, 'inputs'), { recursive: true });
    for (const f of ['inputs/5.json', 'inputs/6.json']) cpSync(join(b.dir, f), join(b.dir, ev, f));
    for (const f of ['inputs/5.json', 'inputs/6.json']) rmSync(join(b.dir, f));
    const rb = recoverStore(b.dir, b.anchorPath);
    expect(rb.recovery?.epoch).toBe(5n);
    expect(rb.recovery?.moved).toEqual(['inputs/7.json', 'record/5.json', 'record/6.json', 'record/7.json', 'checkpoint/6.json']);
    expect(rb.anchor).toEqual(done.anchor);
    expect(evidenceFiles(b.dir)).toEqual(evidenceFiles(full.dir));
    for (const f of evidenceFiles(full.dir)) expect(readFileSync(join(b.dir, ev, f)).equals(readFileSync(join(full.dir, ev, f))), f).toBe(true);

    // (c) Crash after the moves, with only the recovery's inputs written.
    const c = copy('resume-c');
    damage(c.dir);
    recoverStore(c.dir, ANCHOR);
    rmSync(join(c.dir, 'record/5.json'));
    rmSync(join(c.dir, 'checkpoint/5.json'));
    const rc = recoverStore(c.dir, c.anchorPath);
    expect([rc.recovery?.epoch, rc.recovery?.fault.reason, rc.recovery?.moved]).toEqual([5n, 'anchor_mismatch', []]);
    expect(rc.anchor).toEqual(done.anchor);
    for (const d of [a.dir, b.dir, c.dir]) expect(verifyStore(d, done.anchor).ok).toBe(true);
  });

  test('recovery.safe: a recovery whose state before k is already in safe mode aborts (it is not frozen); a second EA-14 gets its own evidence', () => {
    const { dir, anchorPath } = copy('safe');
    flip(join(dir, 'inputs/6.json'), 200);
    const first = recoverStore(dir, anchorPath);
    expect(first.state.mode).toBe('safe');
    // Epoch 7: frozen (no exit record), still safe.
    const shardKey = (s: bigint) => devKey(devLabel.shard(s)).secretKey;
    const e7 = honestLedgerEpoch(CTX, first.state, 11n, shardKey);
    expect(e7.record.outcome).toBe('frozen');
    const anchor7: Anchor = { genesis: first.anchor.genesis, records: [...first.anchor.records, appendEpoch(dir, e7, false)] };
    writeAnchorFile(anchorPath, anchor7);
    rmSync(join(dir, 'inputs/7.json'));
    const second = recoverStore(dir, anchorPath);
    expect(second.recovery?.epoch).toBe(7n);
    expect(second.record!.outcome).toBe('abort');
    expect(second.record!.incidents).toEqual([{ code: 'CIR-511', ea: 'EA-14', shard: null, evidence: { from: 7n, to: 7n, evidence: [anchor7.records[6]] } }]);
    expect(second.state).toEqual({ ...e7.state, epoch: 7n });
    expect(second.recovery!.evidence).not.toBe(first.recovery!.evidence);
    expect(readdirSync(join(dir, 'evidence')).filter((n) => n.startsWith('ea14-')).length).toBe(2);
    // The recovery epoch 6 itself altered → recovered at 6 again, with a third evidence directory.
    flip(join(dir, 'inputs/6.json'), 40);
    const third = recoverStore(dir, anchorPath);
    expect([third.recovery?.epoch, third.head]).toEqual([6n, 6n]);
    expect(readdirSync(join(dir, 'evidence')).filter((n) => n.startsWith('ea14-')).length).toBe(3);
    expect(verifyStore(dir, third.anchor).ok).toBe(true);
    // The economy goes on after an exit_safe_mode record signed by M founders.
    const next = appendHonest(dir, anchorPath, CTX, { state: third.state, anchor: third.anchor }, 2, { seed: 11n, checkpointEvery: 2n });
    expect(next.state.mode).toBe('normal');
    expect(recordOf(dir, 8n).outcome).toBe('commit');
    expect(verifyStore(dir, next.anchor).ok).toBe(true);
  });
});

describe('store: the recovery epoch and the catalog', () => {
  const S = initialState(GENESIS, CTX.genesisHash);
  const evidence = ['ab'.repeat(32), 'cd'.repeat(32)];
  const rec = recoveryEpoch(CTX, S, { from: 1n, to: 2n, evidence });
  const ids = (record: EpochRecord, next: State, prev: State = S) => checkLedgerEpoch(CTX, prev, record, next, rec.inputs).map((v) => v.id);

  test('recovery.catalog: the genuine recovery epoch breaks nothing, in normal and in safe mode', () => {
    expect(ids(rec.record, rec.state)).toEqual([]);
    const safe: State = { ...S, mode: 'safe' };
    const r2 = recoveryEpoch(CTX, safe, { from: 1n, to: 2n, evidence });
    expect(checkLedgerEpoch(CTX, safe, r2.record, r2.state, r2.inputs)).toEqual([]);
    expect(r2.state).toEqual({ ...safe, epoch: 1n });
  });

  test('recovery.catalog.catches: a wrong outcome, active set, incident, mode or balance is a violation', () => {
    expect(ids({ ...rec.record, outcome: 'frozen', sync: null, c_shards: null }, rec.state)).toContain('ledger.atomic');
    expect(ids({ ...rec.record, active: [0n] }, rec.state)).toContain('halt.frozen');
    const inc = rec.record.incidents[0]!;
    expect(ids({ ...rec.record, incidents: [{ ...inc, evidence: { from: 1n, to: 3n, evidence } }] as EpochRecord['incidents'] }, rec.state)).toContain('incident.evidence');
    expect(ids({ ...rec.record, incidents: [] }, rec.state)).toEqual(expect.arrayContaining(['incident.evidence', 'incident.bookkeeping']));
    const normal: State = { ...rec.state, mode: 'normal' };
    expect(ids({ ...rec.record, root: stateRoot(normal) }, normal)).toContain('incident.bookkeeping');
    const moved: State = { ...rec.state, nodes: rec.state.nodes.map((n, i) => (i === 0 ? { ...n, flx: n.flx + 1n } : n)) };
    expect(ids({ ...rec.record, root: stateRoot(moved) }, moved)).toContain('ledger.atomic');
    const safe: State = { ...S, mode: 'safe' };
    const frozen = { ...rec.record, prev_root: stateRoot(safe), root: stateRoot({ ...safe, epoch: 1n }), outcome: 'frozen' as const, sync: null, c_shards: null };
    expect(ids(frozen, { ...safe, epoch: 1n }, safe)).toEqual(expect.arrayContaining(['ledger.atomic', 'safe-mode.frozen']));
    expect(checkRecordReplay(CTX, S, { ...rec.record, sync: { c: rec.record.sync!.c + 1n, median: null, reports: [] } }, rec.inputs)).not.toBeNull();
    expect(checkRecordReplay(CTX, S, rec.record, rec.inputs)).toBeNull();
  });

  test('recovery.catalog.elsewhere: an EA-14 incident in an ordinary epoch is refused', () => {
    const e1 = honestEpoch(CTX, S, 11n);
    expect(checkLedgerEpoch(CTX, S, e1.record, e1.state, e1.inputs)).toEqual([]);
    const forged = { ...e1.record, incidents: [...e1.record.incidents, rec.record.incidents[0]!] };
    expect(checkLedgerEpoch(CTX, S, forged, e1.state, e1.inputs).map((v) => v.id)).toContain('incident.evidence');
  });

  test('recovery.replay: replayLedgerEpoch recognises a recovery document; the reader refuses a malformed one', () => {
    const again = replayLedgerEpoch(CTX, S, recoveryInputs({ from: 1n, to: 2n, evidence }));
    expect(canonicalString(again.record as unknown as Encodable)).toBe(canonicalString(rec.record as unknown as Encodable));
    const good = parseCanonical(ledgerInputsBytes(rec.inputs)) as { epoch: string; recovery: { from: string; to: string; evidence: string[] } };
    expect(readStoredInputs(good)).toEqual({ ok: true, value: rec.inputs });
    const bad: Json[] = [
      { ...good, epoch: '2' },
      { ...good, recovery: { ...good.recovery, from: '0' }, epoch: '0' },
      { ...good, recovery: { ...good.recovery, to: '0' } },
      { ...good, recovery: { ...good.recovery, evidence: evidence.slice(1) } },
      { ...good, recovery: { ...good.recovery, evidence: [evidence[0]!.toUpperCase(), evidence[1]!] } },
      { ...good, recovery: { ...good.recovery, extra: '1' } },
      { ...good, messages: [] },
    ];
    for (const b of bad) expect(readStoredInputs(b).ok, JSON.stringify(b)).toBe(false);
    expect(() => recoveryEpoch(CTX, S, { from: 2n, to: 2n, evidence: [evidence[0]!] })).toThrow(/recovery of epoch 2/);
  });
});

describe('store: qfs ledger recover (CLI)', () => {
  test('recovery.cli: verify names the bad epoch and changes nothing; recover moves, appends, rewrites the anchor and says so; then all is clean', () => {
    const { dir, anchorPath } = copy('cli');
    flip(join(dir, 'inputs/4.json'), 150);
    const listing = () => KINDS.flatMap((k) => readdirSync(join(dir, k)).map((n) => `${k}/${n}`)).sort();
    const before = listing();
    const v = qfs('ledger', 'verify', dir, '--anchor', anchorPath);
    expect(v.code).toBe(1);
    expect(v.err).toContain('epoch 4 inputs/4.json');
    expect(listing()).toEqual(before);
    const r = qfs('ledger', 'recover', dir, '--anchor', anchorPath);
    expect(r.code, r.err).toBe(0);
    const anchor = readAnchorFile(anchorPath);
    expect(anchor.records.length).toBe(4);
    expect(r.out).toMatch(/recovered\s+epoch 4: inputs\/4\.json inputs_hash/);
    expect(r.out).toMatch(/evidence\s+\S*evidence\/ea14-4-[0-9a-f]{12} \(10 files\)/);
    expect(r.out).toContain('evidence_moved inputs/4.json -> evidence/ea14-4-');
    expect(r.out).toMatch(/CIR-511 EA-14/);
    expect(r.out).toContain(`head       ${anchor.records[3]}`);
    const again = qfs('ledger', 'recover', dir); // the default anchor: anchor.json beside the store
    expect(again.code, again.err).toBe(0);
    expect(again.out).toMatch(/ok\s+4 epochs, nothing to recover/);
    expect(qfs('ledger', 'verify', dir).code).toBe(0);
    const show = qfs('ledger', 'show', dir);
    expect(show.out).toMatch(/incidents\s+CIR-511 EA-14: 1/);
  });

  test('recovery.cli.errors: no anchor → E_ANCHOR (exit 1); no store → E_IO (exit 3); --help explains EA-14', () => {
    const lone = join(tmp, 'lone', 'store');
    cpSync(BASE, lone, { recursive: true });
    const r = qfs('ledger', 'recover', lone);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`qfs: E_ANCHOR ${join(tmp, 'lone', 'store.anchor.json')}: missing:`);
    const m = qfs('ledger', 'recover', join(tmp, 'nowhere'), '--anchor', join(tmp, 'base', 'store.anchor.json'));
    expect(m.code).toBe(3);
    expect(m.err).toMatch(/E_IO/);
    const h = qfs('ledger', 'recover', '--help');
    expect(h.code).toBe(0);
    expect(h.out).toMatch(/EA-14/);
    expect(h.out).toMatch(/evidence\/ea14-<k>-<hash12>/);
  });
});
