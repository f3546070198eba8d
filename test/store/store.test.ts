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
import { epochFile, openStore, readAnchorFile, verifyStore, type Anchor } from '../../src/io/ledger-store.ts';
import { AnchorFault, devOperatorKey, parseSignedAnchor, signedAnchorText } from '../../src/io/anchor.ts';
import { devKey } from '../../src/math/signatures.ts';
import { stateRoot } from '../../src/economics/state.ts';
import { thrown } from '../codes.ts';

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
  cpSync(join(tmp, 'store.anchor.json'), join(tmp, name, 'store.anchor.json'));
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
  ANCHOR = readAnchorFile(join(tmp, 'store.anchor.json'));
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
    const r2 = qfs('ledger', 'verify', d2, '--anchor', join(tmp, 'store.anchor.json'));
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
    expect(thrown(() => verifyStore(STORE, other))).toEqual({ code: 'E_ANCHOR', field: 'anchor' });
    expect(thrown(() => openStore(STORE, other))).toEqual({ code: 'E_ANCHOR', field: 'anchor' });
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

  test('store.open.residue: temporary files and the files of the one epoch beyond the anchor are set aside under evidence/residue/, never deleted', () => {
    const d = copy('residue');
    writeFileSync(join(d, 'record/.6.json.123.0.tmp'), 'half');
    writeFileSync(join(d, '.genesis.json.9.1.tmp'), '');
    const short: Anchor = { genesis: ANCHOR.genesis, records: ANCHOR.records.slice(0, 4) };
    const bytes = new Map(['inputs/5.json', 'record/5.json'].map((f) => [f, readFileSync(join(d, f))]));
    const o = openStore(d, short);
    expect(o.fault).toBeNull();
    expect(o.head).toBe(4n);
    const aside = o.events.flatMap((e) => (e.kind === 'residue_set_aside' ? [[e.file, e.to]] : []));
    expect(aside.map(([f]) => f).sort()).toEqual(['.genesis.json.9.1.tmp', 'inputs/5.json', 'record/.6.json.123.0.tmp', 'record/5.json'].sort());
    for (const [f, to] of aside) expect(to).toBe(`evidence/residue/${f}`);
    for (const [f, b] of bytes) expect(readFileSync(join(d, 'evidence/residue', f)).equals(b), f).toBe(true);
    expect(readdirSync(join(d, 'inputs')).sort()).toEqual(['1.json', '2.json', '3.json', '4.json']);
    expect(verifyStore(d, short).ok).toBe(true);
  });

  test('store.open.stale: files two or more epochs beyond the anchor → AnchorFault stale (E_ANCHOR), nothing moved', () => {
    const d = copy('stale');
    const short: Anchor = { genesis: ANCHOR.genesis, records: ANCHOR.records.slice(0, 3) };
    const listing = () => ['inputs', 'record', 'checkpoint'].flatMap((k) => readdirSync(join(d, k)).map((n) => `${k}/${n}`)).sort();
    const before = listing();
    for (const f of [() => openStore(d, short), () => verifyStore(d, short)]) {
      let e: unknown;
      try {
        f();
      } catch (x) {
        e = x;
      }
      expect(e).toBeInstanceOf(AnchorFault);
      expect([(e as AnchorFault).code, (e as AnchorFault).reason]).toEqual(['E_ANCHOR', 'stale']);
    }
    expect(listing()).toEqual(before);
    expect(existsSync(join(d, 'evidence'))).toBe(false);
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
  test('store.anchor: canonical { anchor: { format, genesis, records, signer }, signature }, signed by the operator key; every other file is an E_ANCHOR fault with its reason', () => {
    const path = join(tmp, 'store.anchor.json');
    const text = readFileSync(path, 'utf8');
    const op = devOperatorKey();
    expect(signedAnchorText(ANCHOR, op)).toBe(text);
    expect(text.startsWith(`{"anchor":{"format":"qfs-ledger-anchor/1","genesis":"${ANCHOR.genesis}","records":[{"epoch":"1","hash":"${ANCHOR.records[0]}"}`)).toBe(true);
    expect(parseSignedAnchor(text, path, op.publicKey).signer).toMatchObject({ label: 'operator', development: true });
    const reason = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(AnchorFault);
        expect([(e as AnchorFault).code, (e as AnchorFault).field]).toEqual(['E_ANCHOR', path]);
        return (e as AnchorFault).reason;
      }
      return 'accepted';
    };
    expect(reason(() => parseSignedAnchor(`${text}\n`, path, op.publicKey))).toBe('not_canonical');
    expect(reason(() => parseSignedAnchor(text.slice(0, text.length >> 1), path, op.publicKey))).toBe('not_canonical');
    expect(reason(() => parseSignedAnchor(text.replace('"epoch":"2"', '"epoch":"3"'), path, op.publicKey))).toBe('malformed');
    expect(reason(() => parseSignedAnchor(`{"genesis":"${ANCHOR.genesis}","records":[]}`, path, op.publicKey))).toBe('malformed');
    // One flipped hex digit of a record hash: the signature fails.
    const i = text.indexOf(ANCHOR.records[2]!) + 10;
    const flipped = `${text.slice(0, i)}${text[i] === '0' ? '1' : '0'}${text.slice(i + 1)}`;
    expect(reason(() => parseSignedAnchor(flipped, path, op.publicKey))).toBe('signature');
    // A shorter anchor re-signed by someone else's key: the signer is not the operator's.
    const other = { label: 'operator', development: false, ...devKey('someone-else') };
    expect(reason(() => parseSignedAnchor(signedAnchorText({ genesis: ANCHOR.genesis, records: ANCHOR.records.slice(0, 2) }, other), path, op.publicKey))).toBe('signer');
    // The development key calling itself real.
    expect(reason(() => parseSignedAnchor(signedAnchorText(ANCHOR, { ...op, development: false }), path, op.publicKey))).toBe('malformed');
  });

  test('store.resume: simulate continues a store to --epochs; the result is the fresh run\'s, byte for byte', () => {
    const d = copy('resume');
    const r = qfs('simulate', '--epochs', '6', '--store', d, '--checkpoint-every', '2', '--seed', '7');
    expect(r.code, r.err).toBe(0);
    const fresh = join(tmp, 'fresh', 'store');
    const f = qfs('simulate', '--epochs', '6', '--store', fresh, '--checkpoint-every', '2', '--seed', '7');
    expect(f.code, f.err).toBe(0);
    expect(readFileSync(join(tmp, 'resume', 'store.anchor.json'), 'utf8')).toBe(readFileSync(join(tmp, 'fresh', 'store.anchor.json'), 'utf8'));
    for (const x of ['inputs/6.json', 'record/6.json', 'checkpoint/6.json']) expect(readFileSync(join(d, x))).toEqual(readFileSync(join(fresh, x)));
  });
});
