/**
 * EA-14, the storage attacker (SPEC §7, §8): between epochs it alters the persisted ledger store —
 * a byte of an inputs file, of a record or of a checkpoint, a deleted inputs file, or the tail cut
 * — but never the anchor. A run is data: `{ kind: "setup", shards, epochs, loads }` (honest ledger
 * epochs with real signatures written to a store) then `{ kind: "tamper", target, epoch, offset,
 * xor }`. After `recoverStore` with the anchor, §8's assertions:
 *   - a cache altered alone (record, checkpoint) is repaired: no recovery, an event
 *     `store_repaired`, the head and every anchor entry unchanged;
 *   - otherwise k is the first epoch whose inputs were altered or lost; the state before k has the
 *     root the run committed at k − 1; no epoch before k changed (files and anchor entries); the
 *     recovery epoch k is an abort with exactly one incident `(CIR-511, EA-14, null)` into safe
 *     mode; the anchor ends with its hash; CHR and FLX supplies are the genesis supplies; the
 *     §9 catalog holds on the recovery epoch; a second opening finds nothing to do.
 */
import fc from 'fast-check';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Json } from '../src/math/canonical.ts';
import { devLabel } from '../src/genesis/default-genesis.ts';
import { recordHash, type EpochRecord } from '../src/epoch/epoch-record.ts';
import { signGenesis } from '../src/genesis/founders.ts';
import { appendEpoch, createStore, epochFile, readAnchorFile, writeAnchorFile, type Anchor } from '../src/io/ledger-store.ts';
import { recoverStore, type AnchorFile } from '../src/io/store-recovery.ts';
import { devOperatorKey } from '../src/io/anchor.ts';
import { honestLedgerEpoch } from '../src/runs/ledger-run.ts';
import { devKey } from '../src/math/signatures.ts';
import { chrSupply, flxSupply, type State } from '../src/economics/state.ts';
import { adversaryChain, AdversaryFailure, type Chain } from './adversary.ts';

export const TARGETS = ['inputs', 'record', 'checkpoint', 'delete_inputs', 'cut_tail'] as const;
export type Target = (typeof TARGETS)[number];
export type StorageRun = { readonly shards: bigint; readonly loads: readonly bigint[]; readonly target: Target; readonly epoch: bigint; readonly offset: bigint; readonly xor: bigint };

export const storageRunArbitrary: fc.Arbitrary<StorageRun> = fc
  .record({ shards: fc.constantFrom(4n, 5n), loads: fc.array(fc.bigInt({ min: 0n, max: 2n ** 32n }), { minLength: 2, maxLength: 4 }), target: fc.constantFrom(...TARGETS), pick: fc.nat(), offset: fc.bigInt({ min: 0n, max: 2n ** 20n }), xor: fc.bigInt({ min: 1n, max: 255n }) })
  .map(({ shards, loads, target, pick, offset, xor }) => ({ shards, loads, target, epoch: BigInt(pick % loads.length) + 1n, offset, xor }));

export function storageCommands(r: StorageRun): Json[] {
  return [
    { kind: 'setup', shards: String(r.shards), loads: r.loads.map(String) },
    { kind: 'tamper', target: r.target, epoch: String(r.epoch), offset: String(r.offset), xor: String(r.xor) },
  ];
}

export function readStorageCommands(commands: readonly Json[]): StorageRun {
  const [s, t] = commands as Record<string, Json>[];
  const big = (v: Json | undefined, where: string) => {
    if (typeof v !== 'string' || !/^(0|[1-9][0-9]*)$/.test(v)) throw new Error(`storage run: ${where} is not an integer string`);
    return BigInt(v);
  };
  if (s?.kind !== 'setup' || t?.kind !== 'tamper' || !Array.isArray(s.loads)) throw new Error('storage run: expected [setup, tamper]');
  if (!TARGETS.includes(t.target as Target)) throw new Error(`storage run: commands[1].target must be one of ${TARGETS.join(', ')}`);
  return { shards: big(s.shards, 'commands[0].shards'), loads: s.loads.map((x, i) => big(x, `commands[0].loads[${i}]`)), target: t.target as Target, epoch: big(t.epoch, 'commands[1].epoch'), offset: big(t.offset, 'commands[1].offset'), xor: big(t.xor, 'commands[1].xor') };
}

export type StorageReport = { readonly genesisHash: string; readonly roots: readonly string[]; readonly recovered: boolean; readonly k: bigint | null; readonly record: EpochRecord | null };

/** What the storage attacker alters: a target file of an epoch, one byte (offset mod size) xor'ed. */
export type Tamper = { readonly target: Target; readonly epoch: bigint; readonly offset: bigint; readonly xor: bigint };

/** The outcome of `attackStore`: nothing recovered (a cache was repaired), or the recovery epoch k with its record and state and the new anchor. */
export type StoreAttack = { readonly recovered: false } | { readonly recovered: true; readonly k: bigint; readonly record: EpochRecord; readonly state: State; readonly anchor: Anchor };

/** Runs a storage attack on a fresh store of honest epochs, with every §8 assertion; throws AdversaryFailure (invariant `adversary.EA-14`). */
export function runStorageAttack(r: StorageRun): StorageReport {
  const chain = adversaryChain(r.shards);
  const { ctx, genesis } = chain;
  const dir = mkdtempSync(join(tmpdir(), 'qfs-ea14-'));
  try {
    const signatures = genesis.founders.map((f) => signGenesis(ctx.genesisHash, f.id, devKey(devLabel.founder(f.id)).secretKey));
    createStore(dir, genesis, signatures);
    const records: string[] = [];
    const roots: string[] = [];
    let S = chain.S0;
    r.loads.forEach((load, i) => {
      const out = honestLedgerEpoch(ctx, S, load, (shard) => devKey(devLabel.shard(shard)).secretKey);
      records.push(appendEpoch(dir, out, i % 2 === 1));
      roots.push(out.record.root);
      S = out.state;
    });
    // The anchor as the CLI keeps it: a signed file beside the store (out of the attacker's reach).
    const file: AnchorFile = { path: `${dir}.anchor.json`, key: devOperatorKey() };
    writeAnchorFile(file.path, { genesis: ctx.genesisHash, records }, file.key);
    const a = attackStore(chain, dir, { genesis: ctx.genesisHash, records }, roots, r, file);
    return { genesisHash: ctx.genesisHash, roots, recovered: a.recovered, k: a.recovered ? a.k : null, record: a.recovered ? a.record : null };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}.anchor.json`, { force: true });
  }
}

/**
 * Alters a store whose anchor is `anchor` (`roots` = the committed roots by epoch) as `t` says,
 * recovers it with the anchor, and asserts §8: a cache altered alone is only repaired; otherwise
 * k is the first epoch whose inputs were altered or lost, the state before k is the one committed
 * at k − 1, no epoch before k changed (files and anchor entries), the recovery epoch is an abort
 * with exactly `(CIR-511, EA-14, null)` into safe mode, the anchor ends with its hash, CHR and FLX
 * supplies are the genesis supplies, and a second opening finds nothing to do.
 */
export function attackStore(chain: Chain, dir: string, anchor: Anchor, roots: readonly string[], t: Tamper, file?: AnchorFile): StoreAttack {
  const records = anchor.records;
  const r = t;
  const head = BigInt(records.length);
  const fail = (message: string, expected: unknown, actual: unknown): never => {
    throw new AdversaryFailure('adversary.EA-14', r.epoch, message, String(expected) as Json, String(actual) as Json, [...roots]);
  };
  // The attack (never the anchor).
  const e = r.epoch > head ? head : r.epoch;
  let expectedK: bigint | null = null;
  const flip = (file: string) => {
    const b = readFileSync(file);
    const i = Number(r.offset % BigInt(b.length));
    b[i] = b[i]! ^ Number(r.xor);
    writeFileSync(file, b);
  };
  const before = new Map<string, Buffer>();
  for (let x = 1n; x <= head; x++) for (const kind of ['inputs', 'record'] as const) before.set(epochFile(kind, x), readFileSync(join(dir, epochFile(kind, x))));
  switch (r.target) {
    case 'inputs':
      flip(join(dir, epochFile('inputs', e)));
      expectedK = e;
      break;
    case 'delete_inputs':
      unlinkSync(join(dir, epochFile('inputs', e)));
      expectedK = e;
      break;
    case 'cut_tail':
      for (let x = e; x <= head; x++) for (const kind of ['inputs', 'record', 'checkpoint'] as const) rmSync(join(dir, epochFile(kind, x)), { force: true });
      expectedK = e;
      break;
    case 'record':
      flip(join(dir, epochFile('record', e)));
      break;
    case 'checkpoint': {
      const c = [...Array(Number(head)).keys()].map((i) => BigInt(i + 1)).filter((x) => existsSync(join(dir, epochFile('checkpoint', x))));
      if (c.length === 0) flip(join(dir, epochFile('record', e)));
      else flip(join(dir, epochFile('checkpoint', c[Number(r.offset % BigInt(c.length))]!)));
      break;
    }
  }
  // With a signed anchor file, the recovery verifies it and re-signs its replacement.
  const out = recoverStore(dir, file ?? anchor);
  if (file !== undefined && readAnchorFile(file.path, file.key.publicKey).records.join() !== out.anchor.records.join()) fail('the signed anchor file is not the recovered anchor', out.anchor.records.length, 'another');
  if (expectedK === null) {
    if (out.recovery !== null) fail('a cache altered alone caused a recovery', 'no recovery', `recovery of epoch ${out.recovery.epoch}`);
    if (!out.events.some((x) => x.kind === 'store_repaired')) fail('the altered cache was not repaired (no store_repaired event)', 'store_repaired', out.events.map((x) => x.kind).join(','));
    if (out.head !== head || out.anchor.records.join() !== records.join()) fail('the head or the anchor changed', head, out.head);
    return { recovered: false };
  }
  const rec = out.recovery;
  if (rec === null || out.record === null) return fail('inputs were altered or lost but nothing was recovered', `recovery of epoch ${expectedK}`, 'none');
  if (rec.epoch !== expectedK) fail('k is not the first epoch whose inputs were altered', expectedK, rec.epoch);
  const k = rec.epoch;
  const prevRoot = k === 1n ? null : roots[Number(k - 2n)]!;
  if (prevRoot !== null && out.record.prev_root !== prevRoot) fail('the state before k is not the one committed at k − 1', prevRoot, out.record.prev_root);
  for (let x = 1n; x < k; x++) {
    for (const kind of ['inputs', 'record'] as const) {
      const f = epochFile(kind, x);
      if (!readFileSync(join(dir, f)).equals(before.get(f)!)) fail(`${f} (before k) changed`, 'unchanged', 'changed');
    }
  }
  if (out.anchor.records.slice(0, Number(k - 1n)).join() !== records.slice(0, Number(k - 1n)).join()) fail('an anchor entry before k changed', 'unchanged', 'changed');
  if (out.anchor.records.length !== Number(k) || out.anchor.records.at(-1) !== recordHash(out.record)) fail('the anchor does not end with the recovery record', recordHash(out.record), out.anchor.records.at(-1));
  const inc = out.record.incidents.map((i) => `${i.code}|${i.ea}|${i.shard}`);
  if (out.record.outcome !== 'abort' || inc.join() !== 'CIR-511|EA-14|null') fail('the recovery epoch is not an abort with one (CIR-511, EA-14, null)', 'abort CIR-511|EA-14|null', `${out.record.outcome} ${inc.join()}`);
  if (out.state.mode !== 'safe') fail('the recovery did not enter safe mode', 'safe', out.state.mode);
  if (chrSupply(out.state) !== chain.chr || flxSupply(out.state) !== chain.flx) fail('a supply changed', `${chain.chr}/${chain.flx}`, `${chrSupply(out.state)}/${flxSupply(out.state)}`);
  // (The §9 catalog ran on the recovery epoch inside recoveryEpoch — a breach is LedgerFatal — and runs again on the reopening below.)
  const again = recoverStore(dir, out.anchor);
  if (again.recovery !== null || again.fault !== null || again.events.length > 0) fail('a second opening still finds work', 'nothing', `${again.fault?.file ?? ''} ${again.events.map((x) => x.kind).join(',')}`);
  return { recovered: true, k, record: out.record, state: out.state, anchor: out.anchor };
}
