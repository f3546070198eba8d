/**
 * The store fails closed (issue 16; docs/spec.md P10.11): every store scenario of the issue gives
 * exit 1 with the right fault, through the CLI, and `qfs ledger recover` loses nothing (every
 * original file's bytes are still somewhere under the store: hashes compared before and after).
 * A small genesis (2 shards) keeps `qfs simulate` quick.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { replayLedgerEpoch } from '../../src/coherence/replay.ts';
import { epochContext } from '../../src/epoch/epoch.ts';
import { signedAnchorText } from '../../src/io/anchor.ts';
import { writeGenesisDir } from '../../src/io/genesis-dir.ts';
import { appendEpoch, epochFile, openStore, readAnchorFile } from '../../src/io/ledger-store.ts';
import { readStoredInputs } from '../../src/ledger/ledger-inputs.ts';
import { sha256, toHex } from '../../src/math/hashing.ts';
import { devKey } from '../../src/math/signatures.ts';
import { devSignatures, smallGenesis } from './fixtures.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'qfs.mjs');
const qfs = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

const GENESIS = smallGenesis(2);
const KINDS = ['inputs', 'record', 'checkpoint'] as const;
let tmp: string;
let GDIR: string;

/** A fresh simulated store `<folder>/<name>` (5 epochs, checkpoints at 2 and 4) with its anchor `<name>.anchor.json`. */
function simulated(folder: string, name = 'store', seed = '7'): { dir: string; anchor: string } {
  const dir = join(tmp, folder, name);
  mkdirSync(join(tmp, folder), { recursive: true });
  const r = qfs('simulate', '--store', dir, '--genesis', GDIR, '--epochs', '5', '--checkpoint-every', '2', '--seed', seed);
  expect(r.code, r.err).toBe(0);
  return { dir, anchor: join(tmp, folder, `${name}.anchor.json`) };
}

let BASE: { dir: string; anchor: string };
/** A copy of the base store and its anchor. */
function copy(folder: string): { dir: string; anchor: string } {
  const dir = join(tmp, folder, 'store');
  cpSync(BASE.dir, dir, { recursive: true });
  cpSync(BASE.anchor, join(tmp, folder, 'store.anchor.json'));
  return { dir, anchor: join(tmp, folder, 'store.anchor.json') };
}

/** Every file under `root` (recursive) → SHA-256 of its bytes. */
function hashes(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, rel: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p, `${rel}${n}/`);
      else out.set(`${rel}${n}`, toHex(sha256(readFileSync(p))));
    }
  };
  walk(root, '');
  return out;
}

/** Every original content still exists somewhere under the store. */
function nothingLost(before: Map<string, string>, dir: string): void {
  const after = new Set(hashes(dir).values());
  for (const [f, h] of before) expect(after.has(h), `${f} is gone`).toBe(true);
}

const anchorFault = (err: string, path: string, reason: string): void => {
  expect(err).toContain(`qfs: E_ANCHOR ${path}: ${reason}:`);
};

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'qfs-fail-closed-'));
  GDIR = join(tmp, 'genesis');
  writeGenesisDir(GDIR, GENESIS, devSignatures(GENESIS));
  BASE = simulated('base');
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('store: fails closed (CLI)', () => {
  test('fail-closed.no-anchor: verify without an anchor exits 1 (E_ANCHOR missing, unanchored); --unanchored passes and says what it did not check', () => {
    const c = copy('no-anchor');
    rmSync(c.anchor);
    const r = qfs('ledger', 'verify', c.dir);
    expect(r.code).toBe(1);
    anchorFault(r.err, c.anchor, 'missing');
    expect(r.err).toContain('unanchored: truncation and replaced epochs cannot be detected');
    const u = qfs('ledger', 'verify', c.dir, '--unanchored');
    expect(u.code, u.err).toBe(0);
    expect(u.out).toMatch(/ok\s+5 epochs re-executed UNANCHORED/);
    expect(u.out).toMatch(/not checked: a cut tail/);
    const ok = qfs('ledger', 'verify', BASE.dir);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/signed by operator [0-9a-f]{16}… \(DEVELOPMENT key/);
    expect(qfs('ledger', 'verify', c.dir, '--unanchored', '--anchor', BASE.anchor).code).toBe(2);
  });

  test('fail-closed.deleted-anchor-cut-tail: deleting the anchor and cutting the tail → exit 1 (unanchored); with the anchor kept → exit 1 at the cut', () => {
    const c = copy('cut');
    for (const kind of KINDS) rmSync(join(c.dir, epochFile(kind, 5n)), { force: true });
    const kept = qfs('ledger', 'verify', c.dir);
    expect(kept.code).toBe(1);
    expect(kept.err).toContain('epoch 5 inputs/5.json: missing');
    rmSync(c.anchor);
    const r = qfs('ledger', 'verify', c.dir);
    expect(r.code).toBe(1);
    anchorFault(r.err, c.anchor, 'missing');
  });

  test('fail-closed.deleted-record: record/3.json deleted → exit 1 naming it, with the anchor and with --unanchored (not "ok 2 epochs")', () => {
    const c = copy('record3');
    rmSync(join(c.dir, 'record/3.json'));
    const r = qfs('ledger', 'verify', c.dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain('epoch 3 record/3.json: missing');
    const u = qfs('ledger', 'verify', c.dir, '--unanchored');
    expect(u.code).toBe(1);
    expect(u.err).toContain('epoch 3 record/3.json: missing');
  });

  test('fail-closed.truncated-anchor: a truncated anchor → exit 1, E_ANCHOR not_canonical; recover refuses and changes nothing', () => {
    const c = copy('truncated');
    const text = readFileSync(c.anchor);
    writeFileSync(c.anchor, text.subarray(0, text.length - 200));
    const before = hashes(join(tmp, 'truncated'));
    const r = qfs('ledger', 'verify', c.dir);
    expect(r.code).toBe(1);
    anchorFault(r.err, c.anchor, 'not_canonical');
    const rec = qfs('ledger', 'recover', c.dir);
    expect(rec.code).toBe(1);
    anchorFault(rec.err, c.anchor, 'not_canonical');
    expect(hashes(join(tmp, 'truncated'))).toEqual(before);
  });

  test('fail-closed.flipped-anchor: one flipped digit in the anchor → E_ANCHOR signature, never blamed on inputs/3.json; recover refuses and sets nothing aside', () => {
    const c = copy('flipped');
    const text = readFileSync(c.anchor, 'utf8');
    const hash3 = readAnchorFile(c.anchor).records[2]!;
    const i = text.indexOf(hash3) + 7;
    writeFileSync(c.anchor, `${text.slice(0, i)}${text[i] === 'a' ? 'b' : 'a'}${text.slice(i + 1)}`);
    const before = hashes(join(tmp, 'flipped'));
    const r = qfs('ledger', 'verify', c.dir);
    expect(r.code).toBe(1);
    anchorFault(r.err, c.anchor, 'signature');
    expect(r.err).not.toContain('inputs/3.json');
    for (const args of [[], ['--dry-run']]) {
      const rec = qfs('ledger', 'recover', c.dir, ...args);
      expect(rec.code).toBe(1);
      anchorFault(rec.err, c.anchor, 'signature');
    }
    expect(hashes(join(tmp, 'flipped'))).toEqual(before);
    expect(existsSync(join(c.dir, 'evidence'))).toBe(false);
  });

  test('fail-closed.replaced-epochs: epochs 3–5 replaced by empty inputs that abort (no key needed) → caught by the signed anchor; a re-signed anchor by another key → E_ANCHOR signer', () => {
    const c = copy('replaced');
    const anchor = readAnchorFile(c.anchor);
    // The attacker: the state after epoch 2 (re-executed), then epochs 3–5 with no message at all.
    const scratch = copy('replaced-scratch');
    for (let e = 3n; e <= 5n; e++) for (const kind of KINDS) rmSync(join(scratch.dir, epochFile(kind, e)), { force: true });
    let S = openStore(scratch.dir, { genesis: anchor.genesis, records: anchor.records.slice(0, 2) }).state;
    const ctx = epochContext(GENESIS);
    for (const kind of KINDS) for (let e = 3n; e <= 5n; e++) rmSync(join(c.dir, epochFile(kind, e)), { force: true });
    const forged: string[] = anchor.records.slice(0, 2);
    for (let e = 3n; e <= 5n; e++) {
      const read = readStoredInputs({ epoch: String(e), messages: [] });
      if (!read.ok || 'recovery' in read.value) throw new Error('empty inputs do not read');
      const out = replayLedgerEpoch(ctx, S, read.value);
      expect(out.record.outcome).toBe('abort');
      forged.push(appendEpoch(c.dir, out, e === 4n));
      S = out.state;
    }
    // Unanchored, the forgery re-executes: the weaker check passes — which is why it is not the default.
    expect(qfs('ledger', 'verify', c.dir, '--unanchored').code).toBe(0);
    const r = qfs('ledger', 'verify', c.dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain('epoch 3 inputs/3.json: anchor_mismatch');
    // The attacker re-signs an anchor for the forgery with a key of its own.
    const mine = { label: 'operator', development: false, ...devKey('attacker') };
    writeFileSync(c.anchor, signedAnchorText({ genesis: anchor.genesis, records: forged }, mine));
    const s = qfs('ledger', 'verify', c.dir);
    expect(s.code).toBe(1);
    anchorFault(s.err, c.anchor, 'signer');
    rmSync(c.anchor);
    anchorFault(qfs('ledger', 'verify', c.dir).err, c.anchor, 'missing');
  });

  test('fail-closed.stale-anchor: an older anchor → E_ANCHOR stale, recover refuses and changes nothing; one epoch behind (a crash) → that epoch set aside, never deleted', () => {
    const old = copy('stale');
    // The anchor as it was after epoch 2, re-signed by the operator (a genuine older anchor).
    const a = readAnchorFile(old.anchor);
    writeFileSync(old.anchor, signedAnchorText({ genesis: a.genesis, records: a.records.slice(0, 2) }, { label: 'operator', development: true, ...devKey('operator') }));
    const before = hashes(join(tmp, 'stale'));
    const v = qfs('ledger', 'verify', old.dir);
    expect(v.code).toBe(1);
    anchorFault(v.err, old.anchor, 'stale');
    const r = qfs('ledger', 'recover', old.dir);
    expect(r.code).toBe(1);
    anchorFault(r.err, old.anchor, 'stale');
    expect(hashes(join(tmp, 'stale'))).toEqual(before);

    const behind = copy('behind');
    writeFileSync(behind.anchor, signedAnchorText({ genesis: a.genesis, records: a.records.slice(0, 4) }, { label: 'operator', development: true, ...devKey('operator') }));
    const store0 = hashes(behind.dir);
    const dry = qfs('ledger', 'recover', behind.dir, '--dry-run');
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toMatch(/would\s+residue_set_aside inputs\/5\.json -> evidence\/residue\/inputs\/5\.json/);
    expect(dry.out).toMatch(/dry run\s+nothing was changed/);
    expect(hashes(behind.dir)).toEqual(store0);
    const rec = qfs('ledger', 'recover', behind.dir);
    expect(rec.code, rec.err).toBe(0);
    expect(rec.out).toMatch(/event\s+residue_set_aside record\/5\.json -> evidence\/residue\/record\/5\.json/);
    nothingLost(store0, behind.dir);
    expect(qfs('ledger', 'verify', behind.dir).code).toBe(0);
  });

  test('fail-closed.recover-loses-nothing: EA-14 recovery with --dry-run changes nothing; then recover keeps every original byte under the store', () => {
    const c = copy('ea14');
    const b = readFileSync(join(c.dir, 'inputs/3.json'));
    b[100] = b[100]! ^ 1;
    writeFileSync(join(c.dir, 'inputs/3.json'), b);
    const before = hashes(join(tmp, 'ea14'));
    const dry = qfs('ledger', 'recover', c.dir, '--dry-run');
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toMatch(/would\s+evidence_moved inputs\/3\.json -> evidence\/ea14-3-[0-9a-f]{12}\/inputs\/3\.json/);
    expect(dry.out).toMatch(/anchor .* would be rewritten/);
    expect(hashes(join(tmp, 'ea14'))).toEqual(before);
    const store0 = hashes(c.dir);
    const r = qfs('ledger', 'recover', c.dir);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/recovered\s+epoch 3/);
    nothingLost(store0, c.dir);
    expect(qfs('ledger', 'verify', c.dir).code).toBe(0);
  });

  test('fail-closed.two-stores: two stores in one folder get two anchors (<name>.anchor.json); neither verifies against the other\'s', () => {
    const a = simulated('two', 'alpha', '7');
    const b = simulated('two', 'beta', '8');
    expect(a.anchor).not.toBe(b.anchor);
    expect(readdirSync(join(tmp, 'two')).sort()).toEqual(['alpha', 'alpha.anchor.json', 'beta', 'beta.anchor.json']);
    expect(qfs('ledger', 'verify', a.dir).code).toBe(0);
    expect(qfs('ledger', 'verify', b.dir).code).toBe(0);
    const cross = qfs('ledger', 'verify', a.dir, '--anchor', b.anchor);
    expect(cross.code).toBe(1);
    expect(cross.err).toMatch(/epoch \d+ inputs\/\d+\.json: anchor_mismatch/);
  });

  test('fail-closed.keys: an anchor checked against another operator key → E_ANCHOR signer; simulate with --key signs with it and says whether it is a development key', () => {
    const c = copy('keys');
    const pub = join(tmp, 'keys', 'other.pub');
    expect(qfs('keys', 'new', '--out', join(tmp, 'keys', 'other.key'), '--public', pub).code).toBe(0);
    const r = qfs('ledger', 'verify', c.dir, '--key', pub);
    expect(r.code).toBe(1);
    anchorFault(r.err, c.anchor, 'signer');
    const d = join(tmp, 'keys', 'mine');
    const s = qfs('simulate', '--store', d, '--genesis', GDIR, '--epochs', '1', '--key', join(tmp, 'keys', 'other.key'));
    expect(s.code, s.err).toBe(0);
    expect(s.err).not.toContain('DEVELOPMENT');
    expect(qfs('ledger', 'verify', d, '--key', pub).code).toBe(0);
    anchorFault(qfs('ledger', 'verify', d).err, join(tmp, 'keys', 'mine.anchor.json'), 'signer');
  });
});
