/**
 * Crash safety (SPEC §7: "a crash at any moment of an append, an opening or a recovery leaves a
 * store that opens at the anchor's last epoch"). A child `qfs simulate` continues one store and is
 * killed with SIGKILL: either by itself after its i-th atomic write of a store or anchor file
 * (QFS_CRASH_AFTER_WRITES=i, i random), or by the parent after a random delay (which can land
 * inside a write, leaving a temporary file). After every kill the parent checks that the anchor
 * reads, that no committed epoch was lost (the anchor before the run is a prefix of the one after),
 * and that the store opens at the anchor's last epoch with no fault. Runs: QFS_CRASH_RUNS
 * (default 30); the random choices come from QFS_CRASH_SEED (default 1).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { openStore, readAnchorFile, verifyStore, type Anchor } from '../../src/io/ledger-store.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'qfs.mjs');
const RUNS = Number(process.env.QFS_CRASH_RUNS ?? '30');
let seed = BigInt(process.env.QFS_CRASH_SEED ?? '1');
/** A small deterministic generator (xorshift on 64 bits). */
function rnd(bound: number): number {
  seed ^= (seed << 13n) & 0xffffffffffffffffn;
  seed ^= seed >> 7n;
  seed ^= (seed << 17n) & 0xffffffffffffffffn;
  return Number(seed % BigInt(bound));
}

const simulateArgs = (store: string, epochs: bigint) => [BIN, 'simulate', '--epochs', String(epochs), '--store', store, '--checkpoint-every', '2', '--seed', '3'];

function runUntilKilled(store: string, epochs: bigint, mode: { writes: number } | { delayMs: number }): Promise<{ code: number | null; signal: string | null; err: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, QFS_CRASH_AFTER_WRITES: 'writes' in mode ? String(mode.writes) : '' };
    const child = spawn(process.execPath, simulateArgs(store, epochs), { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = 'delayMs' in mode ? setTimeout(() => child.kill('SIGKILL'), mode.delayMs) : undefined;
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, err });
    });
  });
}

test(`store.crash: ${RUNS} SIGKILLs at random points of appends; every reopening lands on the anchor's last epoch`, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'qfs-crash-'));
  const store = join(tmp, 'store');
  const anchorPath = join(tmp, 'anchor.json');
  const first = spawnSync(process.execPath, simulateArgs(store, 1n), { encoding: 'utf8' });
  expect(first.status, first.stderr).toBe(0);
  let before: Anchor = readAnchorFile(anchorPath);
  let kills = 0;
  let tempSeen = 0;
  for (let run = 0; run < RUNS; run++) {
    const target = BigInt(before.records.length + 3);
    const mode = run % 3 === 2 ? { delayMs: 600 + rnd(1500) } : { writes: 1 + rnd(12) };
    const r = await runUntilKilled(store, target, mode);
    if (r.signal === 'SIGKILL') kills++;
    else expect(r.code, `run ${run}: ${r.err}`).toBe(0);
    for (const d of ['', 'inputs', 'record', 'checkpoint']) if (existsSync(join(store, d))) tempSeen += readdirSync(join(store, d)).filter((n) => n.endsWith('.tmp')).length;
    const after = readAnchorFile(anchorPath);
    expect(after.genesis).toBe(before.genesis);
    expect(after.records.slice(0, before.records.length), `run ${run}: a committed epoch was lost`).toEqual(before.records);
    const o = openStore(store, after);
    expect(o.fault, `run ${run}: ${o.fault?.error.describe()}`).toBeNull();
    expect(o.head).toBe(BigInt(after.records.length));
    expect(o.hashes).toEqual(after.records);
    before = after;
  }
  const v = verifyStore(store, before);
  expect(v.ok).toBe(true);
  console.log(`store.crash: ${RUNS} runs, ${kills} killed, ${tempSeen} temporary files found, head epoch ${before.records.length}`);
  expect(kills).toBeGreaterThan(0);
}, 120_000 + RUNS * 15_000);
