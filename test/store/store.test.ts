/**
 * The ledger store (SPEC §7): `qfs simulate` writes a store and its anchor, `verifyStore` /
 * `qfs ledger verify` re-execute it and name the first altered file, `openStore` removes crash
 * residue, repairs caches and reports the first epoch whose inputs fail.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { parseCanonical } from '../../src/math/canonical.ts';
import { anchorText, epochFile, openStore, parseAnchor, readAnchorFile, verifyStore, type Anchor } from '../../src/io/ledger-store.ts';
import { stateRoot } from '../../src/economics/state.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'qfs.mjs');
const qfs = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

let tmp: string;
let STORE: string;
let ANCHOR: Anchor;
const EPOCHS = 5n;
const FILES: [bigint, string][] = [];

/** A fresh copy of the simulated store (and its anchor beside it). */
function copy(name: string): string {
  const d = join(tmp, name, 'store');
  cpSync(STORE, d, { recursive: true });
  cpSync(join(tmp, 'anchor.json'), join(tmp, name, 'anchor.json'));
  return d;
}

function flip(path: string, at: number): void {
  const b = readFileSync(path);
  b[at % b.length] = b[at % b.length]! ^ 0x01;
  writeFileSync(path, b);
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'qfs-store-'));
  STORE = join(tmp, 'store');
  const r = qfs('simulate', '--epochs', String(EPOCHS), '--store', STORE, '--checkpoint-every', '2', '--seed', '7');
  expect(r.code, r.err).toBe(0);
  expect(r.out).toMatch(/head\s+[0-9a-f]{64}/);
  ANCHOR = readAnchorFile(join(tmp, 'anchor.json'));
  for (let e = 1n; e <= EPOCHS; e++) {
    for (const kind of ['inputs', 'record', 'checkpoint'] as const) if (existsSync(join(STORE, epochFile(kind, e)))) FILES.push([e, epochFile(kind, e)]);
  }
});

describe('store: simulate and verify', () => {
  test('store.simulate: 5 epochs, anchor, checkpoints every 2; verify passes (API and CLI)', () => {
    expect(ANCHOR.records.length).toBe(5);
    expect(FILES.map(([, f]) => f).filter((f) => f.startsWith('checkpoint'))).toEqual(['checkpoint/2.json', 'checkpoint/4.json']);
    const v = verifyStore(STORE, ANCHOR);
    expect(v.ok).toBe(true);
    if (v.ok) {
      expect(v.hashes).toEqual(ANCHOR.records);
      const rec = parseCanonical(readFileSync(join(STORE, 'record/5.json'))) as { root: string };
      expect(stateRoot(v.state)).toBe(rec.root);
    }
    const r = qfs('ledger', 'verify', STORE);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`head    ${ANCHOR.records[4]}`);
    const s = qfs('ledger', 'show', STORE);
    expect(s.code, s.err).toBe(0);
    expect(s.out).toMatch(/epochs\s+5/);
    const one = qfs('ledger', 'show', STORE, '--epoch', '3');
    expect((parseCanonical(one.out.trimEnd()) as { epoch: string }).epoch).toBe('3');
  });

  test('store.flip: one flipped byte in any inputs, record or checkpoint file → verify names that epoch and file', () => {
    const d = copy('flip');
    for (const [e, f] of FILES) {
      const p = join(d, f);
      const original = readFileSync(p);
      for (const at of [1, 17, Math.floor(original.length / 2), original.length - 2]) {
        flip(p, at);
        const v = verifyStore(d, ANCHOR);
        expect(v.ok, `${f} byte ${at}`).toBe(false);
        if (!v.ok) expect([v.fault.epoch, v.fault.file], `${f} byte ${at}: ${v.fault.error.describe()}`).toEqual([e, f]);
        writeFileSync(p, original);
      }
    }
    expect(verifyStore(d, ANCHOR).ok).toBe(true);
  });

  test('store.flip.cli: ledger verify exits 1 naming the epoch and file', () => {
    const d = copy('flip-cli');
    flip(join(d, 'record/3.json'), 40);
    const r = qfs('ledger', 'verify', d);
    expect(r.code).toBe(1);
    expect(r.err).toContain('epoch 3 record/3.json');
    const d2 = copy('flip-cli-inputs');
    flip(join(d2, 'inputs/2.json'), 100);
    const r2 = qfs('ledger', 'verify', d2, '--anchor', join(tmp, 'anchor.json'));
    expect(r2.code).toBe(1);
    expect(r2.err).toContain('epoch 2 inputs/2.json');
  });

  test('store.cut-tail: a cut tail is detected with the anchor, and looks like a crash without it', () => {
    const d = copy('cut');
    for (const kind of ['inputs', 'record'] as const) rmSync(join(d, epochFile(kind, 5n)));
    const v = verifyStore(d, ANCHOR);
    expect(v.ok).toBe(false);
    if (!v.ok) expect([v.fault.epoch, v.fault.reason]).toEqual([5n, 'missing']);
    const o = openStore(d, ANCHOR);
    expect(o.fault?.epoch).toBe(5n);
    expect(o.head).toBe(4n);
    const bare = verifyStore(d);
    expect(bare.ok && bare.head).toBe(4n);
  });

  test('store.genesis: a genesis that is not the anchor\'s is refused (fatal)', () => {
    const other: Anchor = { genesis: '0'.repeat(64), records: ANCHOR.records };
    expect(() => verifyStore(STORE, other)).toThrow(/refused/);
    expect(() => openStore(STORE, other)).toThrow(/refused/);
  });
});

describe('store: opening (§7)', () => {
  test('store.open.repair: altered record and checkpoint caches are rewritten (store_repaired), then verify passes', () => {
    const d = copy('repair');
    flip(join(d, 'record/5.json'), 30);
    rmSync(join(d, 'record/3.json'));
    flip(join(d, 'checkpoint/4.json'), 30);
    const o = openStore(d, ANCHOR);
    expect(o.fault).toBeNull();
    expect(o.head).toBe(5n);
    expect(o.hashes).toEqual(ANCHOR.records);
    // checkpoint 4 fails the test, so c = 2 and 3 … 5 are re-executed.
    expect(o.events.filter((e) => e.kind === 'store_repaired').map((e) => (e.kind === 'store_repaired' ? e.file : ''))).toEqual([
      'record/3.json',
      'checkpoint/4.json',
      'record/5.json',
    ]);
    expect(verifyStore(d, ANCHOR).ok).toBe(true);
  });

  test('store.open.residue: temporary files and files beyond the anchor are removed with an event', () => {
    const d = copy('residue');
    writeFileSync(join(d, 'record/.6.json.123.0.tmp'), 'half');
    writeFileSync(join(d, '.genesis.json.9.1.tmp'), '');
    cpSync(join(d, 'inputs/5.json'), join(d, 'inputs/6.json'));
    const short: Anchor = { genesis: ANCHOR.genesis, records: ANCHOR.records.slice(0, 4) };
    const o = openStore(d, short);
    expect(o.fault).toBeNull();
    expect(o.head).toBe(4n);
    const removed = o.events.filter((e) => e.kind === 'residue_removed').map((e) => (e.kind === 'residue_removed' ? e.file : ''));
    expect(removed.sort()).toEqual(['.genesis.json.9.1.tmp', 'inputs/5.json', 'inputs/6.json', 'record/.6.json.123.0.tmp', 'record/5.json'].sort());
    expect(readdirSync(join(d, 'inputs')).sort()).toEqual(['1.json', '2.json', '3.json', '4.json']);
    expect(verifyStore(d, short).ok).toBe(true);
  });

  test('store.open.inputs: altered inputs before the checkpoint → k is that epoch, the state before k is rebuilt', () => {
    const d = copy('inputs');
    flip(join(d, 'inputs/3.json'), 60);
    const o = openStore(d, ANCHOR);
    expect(o.fault?.epoch).toBe(3n);
    expect(o.fault?.file).toBe('inputs/3.json');
    expect(o.fault?.reason).toBe('inputs_hash');
    expect(o.head).toBe(2n);
    const rec2 = parseCanonical(readFileSync(join(d, 'record/2.json'))) as { root: string };
    expect(stateRoot(o.state)).toBe(rec2.root);
    expect(o.hashes).toEqual(ANCHOR.records.slice(0, 2));
  });
});

describe('store: anchor and resume', () => {
  test('store.anchor: canonical { genesis, records: [{ epoch, hash }] }; anything else is refused', () => {
    const text = readFileSync(join(tmp, 'anchor.json'), 'utf8');
    expect(anchorText(ANCHOR)).toBe(text);
    expect(text.startsWith(`{"genesis":"${ANCHOR.genesis}","records":[{"epoch":"1","hash":"${ANCHOR.records[0]}"}`)).toBe(true);
    expect(() => parseAnchor(`${text}\n`)).toThrow(/canonical/);
    expect(() => parseAnchor(text.replace('"epoch":"2"', '"epoch":"3"'))).toThrow(/expected epoch 2/);
    expect(() => parseAnchor('{"genesis":"00","records":[]}')).toThrow(/hex/);
  });

  test('store.resume: simulate continues a store to --epochs; the result is the fresh run\'s, byte for byte', () => {
    const d = copy('resume');
    const r = qfs('simulate', '--epochs', '6', '--store', d, '--checkpoint-every', '2', '--seed', '7');
    expect(r.code, r.err).toBe(0);
    const fresh = join(tmp, 'fresh', 'store');
    const f = qfs('simulate', '--epochs', '6', '--store', fresh, '--checkpoint-every', '2', '--seed', '7');
    expect(f.code, f.err).toBe(0);
    expect(readFileSync(join(tmp, 'resume', 'anchor.json'), 'utf8')).toBe(readFileSync(join(tmp, 'fresh', 'anchor.json'), 'utf8'));
    for (const x of ['inputs/6.json', 'record/6.json', 'checkpoint/6.json']) expect(readFileSync(join(d, x))).toEqual(readFileSync(join(fresh, x)));
  });
});
