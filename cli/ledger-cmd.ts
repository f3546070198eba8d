/**
 * `qfs simulate` (ledger epochs with real ML-DSA-87 signatures, written to a ledger store and its
 * anchor) and `qfs ledger verify|recover|show` (SPEC §7 and EA-14, docs/spec.md P10.9; layout and
 * anchor format in src/io/ledger-store.ts).
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseCanonical, type Json } from '../src/math/canonical.ts';
import { devLabel } from '../src/genesis/default-genesis.ts';
import { QfsError } from '../src/core/errors.ts';
import { genesisHash, type Genesis } from '../src/genesis/genesis.ts';
import { toHex } from '../src/math/hashing.ts';
import { readBytes } from '../src/io/files.ts';
import { SIGNATURES_FILE, readGenesisDir } from '../src/io/genesis-dir.ts';
import {
  appendEpoch,
  createStore,
  epochFile,
  openStore,
  readAnchorFile,
  recoverStore,
  verifyStore,
  writeAnchorFile,
  type Anchor,
  type StoreEvent,
} from '../src/io/ledger-store.ts';
import { honestLedgerEpoch } from '../src/runs/ledger-run.ts';
import { devKey } from '../src/math/signatures.ts';
import { stateRoot } from '../src/economics/state.ts';
import { certifiedGenesis, integer } from './args.ts';
import { EXIT, run } from './output.ts';


/** The default anchor: `anchor.json` beside the store directory. */
export const defaultAnchorPath = (store: string): string => join(dirname(resolve(store)), 'anchor.json');

const describeEvent = (e: StoreEvent): string => {
  switch (e.kind) {
    case 'store_repaired':
      return `store_repaired epoch ${e.epoch} ${e.file}`;
    case 'evidence_moved':
      return `evidence_moved ${e.file} -> ${e.to}`;
    case 'ea14_recovered':
      return `ea14_recovered epoch ${e.epoch} evidence ${e.evidence} record ${e.hash}`;
    default:
      return `${e.kind} ${e.file}`;
  }
};

function shardKeys(g: Genesis): (shard: bigint) => Uint8Array {
  const keys = new Map<bigint, Uint8Array>();
  for (const s of g.shards) {
    const pair = devKey(devLabel.shard(s.id));
    if (toHex(pair.publicKey) !== s.key) throw new QfsError('E_KEY', `shards[${s.id}].key`, `shard ${s.id}'s key is not its development key: simulate signs with development keys only`);
    keys.set(s.id, pair.secretKey);
  }
  return (shard) => keys.get(shard)!;
}


export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('run ledger epochs (honest shard agents, real ML-DSA-87 signatures, the scenario load) into a ledger store')
    .requiredOption('--store <dir>', 'the ledger store directory (created, or continued up to --epochs)')
    .option('--epochs <n>', 'the store head to reach (epochs already in the store are kept)', '10')
    .option('--genesis <dir>', 'a certified genesis directory for a new store (default: the built-in genesis)')
    .option('--seed <n>', 'seed of the load', '1')
    .option('--anchor <file>', 'the anchor file (default: anchor.json beside the store)')
    .option('--checkpoint-every <k>', 'write a checkpoint (full state) every k epochs; 0 for none', '10')
    .addHelpText(
      'after',
      '\nThe store holds the genesis files, inputs/<e>.json, record/<e>.json and checkpoint/<e>.json.\n' +
        'The anchor (genesis hash and every committed record hash) is rewritten atomically after each\n' +
        'append: keep a copy out of the store\'s reach. Prints the head record hash.',
    )
    .action(
      run((opts: { store: string; epochs: string; genesis?: string; seed: string; anchor?: string; checkpointEvery: string }) => {
        const target = integer('--epochs', 0n)(opts.epochs);
        const seed = integer('--seed', 0n)(opts.seed);
        const every = integer('--checkpoint-every', 0n)(opts.checkpointEvery);
        const anchorPath = opts.anchor ?? defaultAnchorPath(opts.store);
        let anchor: Anchor;
        if (!existsSync(anchorPath)) {
          if (existsSync(join(opts.store, 'record')) && existsSync(join(opts.store, epochFile('record', 1n)))) {
            throw new QfsError('E_USAGE', '--anchor', `the store ${opts.store} has epochs but there is no anchor at ${anchorPath}`);
          }
          const g = certifiedGenesis(opts.genesis);
          anchor = { genesis: genesisHash(g.genesis), records: [] };
          writeAnchorFile(anchorPath, anchor); // the anchor first: a crash before the genesis is written leaves a store to recreate
          createStore(opts.store, g.genesis, g.signatures);
        } else {
          anchor = readAnchorFile(anchorPath);
          if (opts.genesis !== undefined && readGenesisDir(opts.genesis).hash !== anchor.genesis) {
            throw new QfsError('E_USAGE', '--genesis', `the anchor ${anchorPath} is for genesis ${anchor.genesis}, not ${opts.genesis}'s`);
          }
          if (anchor.records.length === 0 && !existsSync(join(opts.store, SIGNATURES_FILE))) {
            const g = certifiedGenesis(opts.genesis);
            if (genesisHash(g.genesis) !== anchor.genesis) throw new QfsError('E_USAGE', '--genesis', `the store has no genesis yet; give the genesis of ${anchor.genesis} with --genesis`);
            createStore(opts.store, g.genesis, g.signatures);
          }
        }
        const opened = openStore(opts.store, anchor);
        for (const e of opened.events) process.stderr.write(`${describeEvent(e)}\n`);
        if (opened.fault !== null) {
          const f = opened.fault;
          throw new QfsError(f.error.code, f.file, `epoch ${f.epoch} fails (${f.reason}): ${f.error.message}; nothing appended (EA-14: qfs ledger recover ${opts.store} --anchor ${anchorPath})`);
        }
        const ctx = opened.ctx;
        const key = shardKeys(ctx.genesis);
        let S = opened.state;
        let head = opened.record;
        const tty = process.stderr.isTTY;
        const started = Date.now();
        const from = S.epoch;
        for (let e = S.epoch + 1n; e <= target; e++) {
          const out = honestLedgerEpoch(ctx, S, seed, key);
          const h = appendEpoch(opts.store, out, every > 0n && e % every === 0n);
          anchor = { genesis: anchor.genesis, records: [...anchor.records, h] };
          writeAnchorFile(anchorPath, anchor);
          S = out.state;
          head = out.record;
          const line = `epoch ${e}/${target} ${out.record.outcome} incidents ${out.record.incidents.length} root ${out.record.root.slice(0, 16)}…`;
          process.stderr.write(tty ? `\r${line}` : `${line}\n`);
        }
        if (tty) process.stderr.write('\n');
        const ran = Number(S.epoch - from);
        const secs = (Date.now() - started) / 1000;
        if (ran > 0) process.stderr.write(`${ran} epochs in ${secs.toFixed(1)} s (${(ran / secs).toFixed(2)} epochs/s)\n`);
        console.log(`store   ${opts.store} (head epoch ${S.epoch})`);
        console.log(`anchor  ${anchorPath}`);
        console.log(`root    ${head === null ? '(genesis state)' : head.root}`);
        console.log(`head    ${anchor.records.at(-1) ?? '(no epoch)'}`);
      }),
    );
}

function readAnchorOption(store: string, given: string | undefined): Anchor | undefined {
  if (given !== undefined) return readAnchorFile(given);
  const p = defaultAnchorPath(store);
  if (existsSync(p)) return readAnchorFile(p);
  process.stderr.write(`note: no anchor (${p} not found): a cut tail looks like a crash\n`);
  return undefined;
}

type RecordLike = { readonly [k: string]: Json };

export function registerLedger(program: Command): void {
  const ledger = program.command('ledger').description('verify, recover and show a ledger store (SPEC §7, EA-14)');
  ledger
    .command('verify <dir>')
    .description('re-execute every epoch of the store from the genesis; exit 1 naming the first bad epoch and file')
    .option('--anchor <file>', 'the anchor (default: anchor.json beside the store if present)')
    .action(
      run((dir: string, opts: { anchor?: string }) => {
        const anchor = readAnchorOption(dir, opts.anchor);
        const v = verifyStore(dir, anchor);
        for (const e of v.events) process.stderr.write(`${describeEvent(e)}\n`);
        if (!v.ok) {
          const f = v.fault;
          process.stderr.write(`qfs: epoch ${f.epoch} ${f.file}: ${f.reason}: ${f.error.describe()}\n`);
          process.exitCode = EXIT.invalid;
          return;
        }
        console.log(`ok      ${v.head} epochs re-executed${anchor === undefined ? ' (no anchor)' : ', every record hash is the anchor\'s'}`);
        console.log(`root    ${stateRoot(v.state)}`);
        console.log(`head    ${v.hashes.at(-1) ?? '(no epoch)'}`);
      }),
    );
  ledger
    .command('recover <dir>')
    .description('open the store with its anchor: remove crash residue, repair caches, and perform EA-14 recovery if an epoch\'s inputs were altered or lost')
    .option('--anchor <file>', 'the anchor file, rewritten atomically by a recovery (default: anchor.json beside the store; required)')
    .addHelpText(
      'after',
      '\nOpening removes temporary files and files of epochs beyond the anchor (crash residue) and\n' +
        'rewrites record and checkpoint caches that differ from what the inputs determine. If epoch k\n' +
        'still fails (its inputs altered or lost, or the tail cut), EA-14: the files of epochs >= k are\n' +
        'moved to <dir>/evidence/ea14-<k>-<hash12>/, a recovery epoch k is appended (an abort with one\n' +
        'CIR-511 EA-14 incident: the ledger enters safe mode, which only an exit_safe_mode record signed\n' +
        'by M founders leaves), and the anchor is replaced by its entries before k and the recovery\n' +
        'record\'s hash. Epochs from k on are lost; their files are kept as evidence. Safe to re-run after\n' +
        'a crash. Without an anchor there is nothing to recover against: use `qfs ledger verify`.\n' +
        'Exit 0 when the store is open (recovered or not); 1 when it cannot be (a genesis that is not the\n' +
        'anchor\'s, a state before k that cannot be rebuilt); 2 bad usage (no anchor); 3 I/O.',
    )
    .action(
      run((dir: string, opts: { anchor?: string }) => {
        const anchorPath = opts.anchor ?? defaultAnchorPath(dir);
        if (!existsSync(anchorPath)) {
          throw new QfsError('E_USAGE', '--anchor', `no anchor at ${anchorPath}: recovery needs the anchor (give it with --anchor); without one, qfs ledger verify reports`);
        }
        if (!existsSync(dir)) throw new QfsError('E_IO', dir, 'no such store directory');
        const r = recoverStore(dir, anchorPath);
        for (const e of r.events) console.log(`event      ${describeEvent(e)}`);
        const rec = r.recovery;
        if (rec === null) {
          console.log(`ok         ${r.head} epochs, nothing to recover`);
        } else {
          console.log(`recovered  epoch ${rec.epoch}: ${rec.fault.file} ${rec.fault.reason}: ${rec.fault.error.message}`);
          console.log(`lost       epochs ${rec.epoch} … ${rec.to} (their files are evidence)`);
          console.log(`evidence   ${join(dir, rec.evidence)} (${rec.moved.length} files)`);
          console.log(`incident   CIR-511 EA-14, outcome abort; mode safe (an exit_safe_mode record signed by M founders leaves it)`);
          console.log(`anchor     ${anchorPath} rewritten: ${rec.epoch - 1n} entries kept, then the recovery record`);
        }
        console.log(`root       ${stateRoot(r.state)}`);
        console.log(`head       ${r.anchor.records.at(-1) ?? '(no epoch)'}`);
      }),
    );
  ledger
    .command('show <dir>')
    .description('a summary of the store (epochs, outcomes, incidents, head root), or one record; reads without verifying')
    .option('--epoch <n>', 'print this epoch\'s record (canonical JSON)')
    .action(
      run((dir: string, opts: { epoch?: string }) => {
        if (opts.epoch !== undefined) {
          const e = integer('--epoch', 1n)(opts.epoch);
          process.stdout.write(`${Buffer.from(readBytes(join(dir, epochFile('record', e)))).toString('utf8')}\n`);
          return;
        }
        const outcomes = new Map<string, number>();
        const incidents = new Map<string, number>();
        let head: RecordLike | null = null;
        let e = 1n;
        while (existsSync(join(dir, epochFile('record', e)))) {
          const r = parseCanonical(readBytes(join(dir, epochFile('record', e)))) as RecordLike;
          outcomes.set(String(r.outcome), (outcomes.get(String(r.outcome)) ?? 0) + 1);
          for (const i of (r.incidents ?? []) as readonly RecordLike[]) {
            const k = `${i.code ?? 'no code'} ${i.ea ?? ''}`.trim();
            incidents.set(k, (incidents.get(k) ?? 0) + 1);
          }
          head = r;
          e++;
        }
        const list = (m: Map<string, number>) => ([...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, n]) => `${k}: ${n}`).join(', ') || 'none');
        console.log(`store      ${dir}`);
        console.log(`epochs     ${e - 1n}`);
        console.log(`outcomes   ${list(outcomes)}`);
        console.log(`incidents  ${list(incidents)}`);
        console.log(`head root  ${head === null ? '(genesis state)' : String(head.root)}`);
      }),
    );
}
