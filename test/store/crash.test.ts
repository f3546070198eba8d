/**
 * Crash safety (SPEC §7: "a crash at any moment of an append, an opening or a recovery leaves a
 * store that opens at the anchor's last epoch"; docs/spec.md P10.9). A child process
 * (crash-child.ts, bundled once with esbuild so that it starts in ~0.1 s) opens a store the way
 * `qfs ledger recover` does — setting residue aside, repairing caches, performing EA-14's recovery
 * when an epoch's inputs were altered or lost — and then appends honest epochs (a small genesis:
 * 2 shards; real ML-DSA-87 signatures; safe mode exited by M founders after a recovery). Before
 * each run the parent may damage the store: a cache (a record or checkpoint flipped or deleted:
 * the child's opening repairs it) or the inputs of a committed epoch k (a byte flipped, the file
 * deleted, or the tail cut from k with the anchor kept: the child's opening recovers). The child
 * is killed with SIGKILL, by the store's hook after its i-th write, new directory or rename aside
 * (QFS_CRASH_AFTER_WRITES=i, i random; with QFS_CRASH_TORN=1 an i-th write is cut in the middle,
 * leaving half of it in a temporary file) or by the parent after a random delay, at random points
 * of its appends, openings and recoveries.
 *
 * After every run the parent checks that the anchor reads; that no committed epoch was lost (the
 * anchor before the run is kept, except from the damaged epoch k on, which only EA-14 replaces);
 * that reopening (with recovery) lands on the anchor's last epoch, recovers iff the child's
 * recovery was cut short (and then at exactly k), never recovers after a crash alone, and
 * rewrites the anchor file to what it returns; that a recovery record is EA-14's with the
 * anchor's hashes of k … head as evidence; and that a second opening is clean (no fault, no
 * event), and that no temporary file is left. Each lane's store is verified (verifyStore) at
 * the end. The anchor is the signed file (docs/spec.md P10.11, the development operator key).
 * SIGKILL never loses what the kernel has accepted, so this test cannot see a missing fsync:
 * properties/store-power-loss.test.ts simulates power loss for that.
 *
 * QFS_CRASH_KILLS (default 200) kills in all, over QFS_CRASH_LANES (default 2) stores run in
 * parallel; the random choices come from QFS_CRASH_SEED (default 1).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { parseCanonical } from '../../src/math/canonical.ts';
import { epochContext } from '../../src/epoch/epoch.ts';
import { taggedHashHex } from '../../src/math/hashing.ts';
import { epochFile, EVIDENCE_DIR, openStore, readAnchorFile, verifyStore, type Anchor } from '../../src/io/ledger-store.ts';
import { recoverStore } from '../../src/io/store-recovery.ts';
import { initialState } from '../../src/economics/state.ts';
import { appendHonest, createAnchoredStore, smallGenesis } from './fixtures.ts';

const CHILD_TS = join(import.meta.dirname, 'crash-child.ts');
const KILLS = Number(process.env.QFS_CRASH_KILLS ?? '200');
const LANES = Number(process.env.QFS_CRASH_LANES ?? '2');
const SEED = BigInt(process.env.QFS_CRASH_SEED ?? '1');
const CHECKPOINT_EVERY = 2n;
const LOAD_SEED = 5n;

/** A small deterministic generator (xorshift on 64 bits), one per lane. */
function generator(seed: bigint): (bound: number) => number {
  let s = seed === 0n ? 88172645463325252n : seed;
  return (bound) => {
    s ^= (s << 13n) & 0xffffffffffffffffn;
    s ^= s >> 7n;
    s ^= (s << 17n) & 0xffffffffffffffffn;
    return Number(s % BigInt(bound));
  };
}

/** The child's command: the bundle (esbuild, a dependency of tsx), else the TypeScript file through tsx. */
async function childCommand(dir: string): Promise<string[]> {
  try {
    const esbuild = await import('esbuild');
    const out = join(dir, 'crash-child.mjs');
    esbuild.buildSync({ entryPoints: [CHILD_TS], bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'silent' });
    return [out];
  } catch {
    return ['--import', 'tsx', CHILD_TS];
  }
}

type Kill = { readonly writes: number; readonly torn: boolean } | { readonly delayMs: number };

function runChild(cmd: readonly string[], args: readonly string[], kill: Kill): Promise<{ code: number | null; signal: string | null; err: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, QFS_CRASH_AFTER_WRITES: 'writes' in kill ? String(kill.writes) : '', QFS_CRASH_TORN: 'writes' in kill && kill.torn ? '1' : '' };
    const child = spawn(process.execPath, [...cmd, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = 'delayMs' in kill ? setTimeout(() => child.kill('SIGKILL'), kill.delayMs) : undefined;
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, err });
    });
  });
}

type Damage = { readonly kind: 'none' } | { readonly kind: 'cache'; readonly file: string; readonly how: 'flip' | 'delete' } | { readonly kind: 'inputs'; readonly k: bigint; readonly how: 'flip' | 'delete' | 'cut' };

/** SHA-256 of every file under the store (recursive) → one of its paths. */
function contents(store: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, rel: string): void => {
    for (const n of readdirSync(d, { withFileTypes: true })) {
      if (n.isDirectory()) walk(join(d, n.name), `${rel}${n.name}/`);
      else out.set(createHash('sha256').update(readFileSync(join(d, n.name))).digest('hex'), `${rel}${n.name}`);
    }
  };
  walk(store, '');
  return out;
}

const temporaryFiles = (store: string): string[] =>
  ['', 'inputs', 'record', 'checkpoint'].flatMap((sub) => (existsSync(join(store, sub)) ? readdirSync(join(store, sub)).filter((n) => n.endsWith('.tmp')) : []));

function flip(path: string, at: number): void {
  const b = readFileSync(path);
  b[at % b.length] = b[at % b.length]! ^ 0x01;
  writeFileSync(path, b);
}

const KINDS = ['inputs', 'record', 'checkpoint'] as const;
const epochFilesFrom = (store: string, k: bigint, head: bigint): string[] => {
  const out: string[] = [];
  for (let e = k; e <= head; e++) for (const kind of KINDS) if (existsSync(join(store, epochFile(kind, e)))) out.push(epochFile(kind, e));
  return out;
};

function damage(store: string, head: bigint, rnd: (n: number) => number): Damage {
  const roll = rnd(10);
  if (head < 2n || roll < 4 || (roll >= 6 && head < 6n)) return { kind: 'none' };
  if (roll < 6) {
    // A record near the head, or any checkpoint.
    const e = head - BigInt(rnd(Math.min(Number(head), 4)));
    const checkpoints = readdirSync(join(store, 'checkpoint')).filter((n) => /^[0-9]+\.json$/.test(n));
    const cp = checkpoints.length > 0 && rnd(2) === 0;
    const file = cp ? `checkpoint/${checkpoints[rnd(checkpoints.length)]!}` : epochFile('record', e);
    const how = cp || rnd(2) === 0 ? 'flip' : 'delete';
    if (how === 'flip') flip(join(store, file), 20 + rnd(2000));
    else rmSync(join(store, file));
    return { kind: 'cache', file, how };
  }
  // Mostly at the head or just before (so that the head keeps growing), sometimes in its second half.
  const half = (head + 1n) / 2n;
  const k = rnd(6) === 0 ? half + BigInt(rnd(Number(head - half + 1n))) : head - BigInt(rnd(2));
  const how = (['flip', 'delete', 'cut'] as const)[rnd(3)]!;
  if (how === 'flip') flip(join(store, epochFile('inputs', k)), 20 + rnd(4000));
  else if (how === 'delete') rmSync(join(store, epochFile('inputs', k)));
  else for (const f of epochFilesFrom(store, k, head)) rmSync(join(store, f));
  return { kind: 'inputs', k, how };
}

type RecordLike = { readonly epoch: string; readonly outcome: string; readonly incidents: readonly { readonly code: string; readonly ea: string; readonly evidence: unknown }[] };
const readRecord = (store: string, e: bigint): RecordLike => parseCanonical(readFileSync(join(store, epochFile('record', e)))) as unknown as RecordLike;

type Stats = { runs: number; kills: number; byHook: number; torn: number; byDelay: number; inRecovery: number; inOpening: number; recoveries: number; repairs: number; temps: number; head: number; evidence: number };

async function lane(cmd: readonly string[], dir: string, quota: number, rnd: (n: number) => number, name: string): Promise<Stats> {
  const store = join(dir, 'store');
  const anchorPath = join(dir, 'anchor.json');
  const g = smallGenesis(2);
  const anchor0 = createAnchoredStore(store, anchorPath, g);
  const ctx = epochContext(g);
  appendHonest(store, anchorPath, ctx, { state: initialState(g, anchor0.genesis), anchor: anchor0 }, 2, { seed: LOAD_SEED, checkpointEvery: CHECKPOINT_EVERY });
  const st: Stats = { runs: 0, kills: 0, byHook: 0, torn: 0, byDelay: 0, inRecovery: 0, inOpening: 0, recoveries: 0, repairs: 0, temps: 0, head: 0, evidence: 0 };
  const maxRuns = quota * 3 + 20;
  while (st.kills < quota && st.runs < maxRuns) {
    const run = st.runs++;
    const where = `${name} run ${run}`;
    const before = readAnchorFile(anchorPath);
    const head = BigInt(before.records.length);
    const d = damage(store, head, rnd);
    const appends = (d.kind === 'none' ? 2 : 1) + rnd(2);
    // The child's changes: its opening's (moves, the recovery epoch and the anchor; repairs) and its
    // appends' (inputs, record, every other epoch a checkpoint, the anchor).
    const opening = d.kind === 'inputs' ? epochFilesFrom(store, d.k, head).length + 4 : d.kind === 'cache' ? 2 : 0;
    // Kills inside the opening (its recovery, its repairs) are favoured when there is one.
    const kill: Kill = rnd(6) === 0 ? { delayMs: 30 + rnd(400) } : { writes: 1 + rnd(opening > 0 && rnd(3) > 0 ? opening : opening + appends * 3), torn: rnd(4) === 0 };
    const kept = contents(store);
    const r = await runChild(cmd, [store, anchorPath, String(appends), String(LOAD_SEED), String(CHECKPOINT_EVERY)], kill);
    if (r.signal === 'SIGKILL') {
      st.kills++;
      if (!('writes' in kill)) st.byDelay++;
      else if (kill.torn) st.torn++;
      else st.byHook++;
    } else expect(r.code, `${where}: ${r.err}`).toBe(0);
    st.temps += temporaryFiles(store).length;

    // The anchor reads, and nothing committed before the damaged epoch k is lost.
    const after = readAnchorFile(anchorPath);
    expect(after.genesis).toBe(before.genesis);
    const k = d.kind === 'inputs' ? d.k : null;
    const keep = k === null ? before.records.length : Number(k - 1n);
    expect(after.records.slice(0, keep), `${where}: a committed epoch was lost`).toEqual(before.records.slice(0, keep));
    const childRecovered = k !== null && after.records.length >= Number(k) && after.records[Number(k - 1n)] !== before.records[Number(k - 1n)];
    if (k !== null && !childRecovered) expect(after.records, `${where}: the anchor changed without a recovery`).toEqual(before.records);

    // Reopening (with recovery) lands on the anchor's last epoch.
    const reopened = recoverStore(store, anchorPath);
    if (k !== null && !childRecovered) {
      expect(reopened.recovery?.epoch, `${where}: the recovery cut short is finished at k`).toBe(k);
      st.inRecovery++;
    } else expect(reopened.recovery, `${where}: a crash alone never causes a recovery (${reopened.recovery?.fault.error.describe()})`).toBeNull();
    if (d.kind === 'cache' && reopened.events.some((e) => e.kind === 'store_repaired')) st.inOpening++;
    expect(reopened.fault).toBeNull();
    expect(temporaryFiles(store), `${where}: residue left`).toEqual([]);
    expect(reopened.head).toBe(BigInt(reopened.anchor.records.length));
    expect(reopened.hashes).toEqual(reopened.anchor.records);
    expect(readAnchorFile(anchorPath), `${where}: the anchor file is the reopened store's`).toEqual(reopened.anchor);
    expect(reopened.anchor.records.slice(0, keep)).toEqual(before.records.slice(0, keep));
    if (k !== null) {
      // EA-14's record at k: one CIR-511, the anchor's hashes of k … head before the damage as evidence.
      st.recoveries++;
      const rec = readRecord(store, k);
      expect(taggedHashHex('qfs/v13/epoch', parseCanonical(readFileSync(join(store, epochFile('record', k)))))).toBe(reopened.anchor.records[Number(k - 1n)]);
      expect(rec.outcome).toBe('abort');
      expect(rec.incidents.map((i) => [i.code, i.ea])).toEqual([['CIR-511', 'EA-14']]);
      expect(rec.incidents[0]!.evidence).toEqual({ from: String(k), to: String(head), evidence: before.records.slice(Number(k - 1n)) });
    }
    if (d.kind === 'cache') st.repairs++;
    // Nothing lost: every file content of the store before the run is still somewhere under it.
    const now = contents(store);
    for (const [h, f] of kept) expect(now.has(h), `${where}: ${f} is gone from the store`).toBe(true);
    const again = openStore(store, reopened.anchor);
    expect(again.fault, `${where}: second opening`).toBeNull();
    expect(again.events, `${where}: second opening`).toEqual([]);
    expect(again.head).toBe(reopened.head);
  }
  const last: Anchor = readAnchorFile(anchorPath);
  const v = verifyStore(store, last);
  expect(v.ok, v.ok ? '' : `${name}: ${v.fault.error.describe()}`).toBe(true);
  st.head = last.records.length;
  st.evidence = existsSync(join(store, EVIDENCE_DIR)) ? readdirSync(join(store, EVIDENCE_DIR)).length : 0;
  return st;
}

test(`store.crash: ${KILLS} SIGKILLs at random points of appends, openings and recoveries; every reopening lands on the anchor's last epoch`, async () => {
  const started = performance.now();
  const tmp = mkdtempSync(join(tmpdir(), 'qfs-crash-'));
  const cmd = await childCommand(tmp);
  const lanes = Array.from({ length: LANES }, (_, i) => {
    const dir = join(tmp, `lane-${i}`);
    mkdirSync(dir);
    const quota = Math.ceil((KILLS - i) / LANES);
    return lane(cmd, dir, quota, generator(SEED * 1000003n + BigInt(i)), `lane ${i}`);
  });
  const stats = await Promise.all(lanes);
  const sum = (k: keyof Stats): number => stats.reduce((s, x) => s + x[k], 0);
  const secs = (performance.now() - started) / 1000;
  console.log(
    `store.crash: ${sum('kills')} kills (${sum('byHook')} by the hook after a change, ${sum('torn')} in the middle of a write, ${sum('byDelay')} after a delay) in ${sum('runs')} runs of ${LANES} lanes, ` +
      `${sum('inRecovery')} recoveries cut short and finished by the reopening, ${sum('inOpening')} openings cut short in their repairs, ` +
      `${sum('recoveries')} EA-14 recoveries, ${sum('repairs')} cache damages, ${sum('temps')} temporary files found, ` +
      `heads ${stats.map((s) => s.head).join('/')}, ${sum('evidence')} evidence directories; ${secs.toFixed(1)} s (${cmd[0]!.endsWith('.mjs') ? 'bundled child' : 'child through tsx'})`,
  );
  expect(sum('kills')).toBeGreaterThanOrEqual(KILLS);
  if (KILLS >= 50) expect(sum('inRecovery'), 'recoveries cut short by a kill').toBeGreaterThan(0);
  rmSync(tmp, { recursive: true, force: true });
}, 900_000);
