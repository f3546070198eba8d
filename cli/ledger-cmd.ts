/**
 * `qfs simulate` (ledger epochs with real ML-DSA-87 signatures, written to a ledger store and its
 * anchor) and `qfs ledger verify|recover|show` (SPEC §7 and EA-14, docs/spec.md P10.9; layout and
 * anchor format in src/io/ledger-store.ts).
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseCanonical, type Json } from '../src/math/canonical.ts';
import { devLabel } from '../src/genesis/default-genesis.ts';
import { QfsError } from '../src/core/errors.ts';
import { genesisHash, type Genesis } from '../src/genesis/genesis.ts';
import { toHex } from '../src/math/hashing.ts';
import { checkOutputFile, checkWritableDir, readBytes } from '../src/io/files.ts';
import { SIGNATURES_FILE, readGenesisDir } from '../src/io/genesis-dir.ts';
import { AnchorFault, devOperatorKey, readAnchorAt, writeAnchorAt, type AnchorKey, type SignedAnchor } from '../src/io/anchor.ts';
import { readPublicKeyFile, readSecretKeyFile } from '../src/io/key-files.ts';
import { appendEpoch, createStore, epochFile, openStore, verifyStore, type Anchor, type StoreEvent } from '../src/io/ledger-store.ts';
import { recoverStore } from '../src/io/store-recovery.ts';
import { nodeStorage, overlayStorage } from '../src/io/storage.ts';
import { honestLedgerEpoch } from '../src/runs/ledger-run.ts';
import { devKey } from '../src/math/signatures.ts';
import { stateRoot } from '../src/economics/state.ts';
import { certifiedGenesis, integer } from './args.ts';
import { DEV_NOTE, EXIT, run } from './output.ts';

/**
 * The default anchor: `<store>.anchor.json` beside the store directory, named after the store so
 * that two stores in one folder never share one (docs/spec.md P10.11).
 */
export const defaultAnchorPath = (store: string): string => {
  const abs = resolve(store);
  return join(dirname(abs), `${basename(abs)}.anchor.json`);
};

const describeEvent = (e: StoreEvent): string => {
  switch (e.kind) {
    case 'store_repaired':
      return `store_repaired epoch ${e.epoch} ${e.file}${e.aside === null ? '' : ` (the old file set aside: ${e.aside})`}`;
    case 'residue_set_aside':
      return `residue_set_aside ${e.file} -> ${e.to}`;
    case 'evidence_moved':
      return `evidence_moved ${e.file} -> ${e.to}`;
    case 'ea14_recovered':
      return `ea14_recovered epoch ${e.epoch} evidence ${e.evidence} record ${e.hash}`;
    default:
      return `${e.kind} ${e.file}`;
  }
};

/**
 * The operator key of `--key FILE` (a secret key file; a public key file where only verifying is
 * needed), or the development operator key, announced as such on stderr.
 */
function anchorKey(file: string | undefined, needSecret: boolean): AnchorKey {
  if (file === undefined) {
    process.stderr.write(`anchor key: the development operator key "${devLabel.operator}": ${DEV_NOTE}\n`);
    return devOperatorKey();
  }
  let format: Json | undefined;
  try {
    format = (parseCanonical(readBytes(file)) as { readonly format?: Json }).format;
  } catch (e) {
    if (e instanceof QfsError && e.code === 'E_IO') throw e;
    throw new QfsError('E_KEY', '--key', `${file}: not a key file`);
  }
  if (format === 'qfs-public-key/1') {
    if (needSecret) throw new QfsError('E_KEY', '--key', `${file} is a public key file: signing the anchor needs the operator's secret key file`);
    return readPublicKeyFile(file);
  }
  const k = readSecretKeyFile(file);
  if (k.development) process.stderr.write(`anchor key: ${file} (${k.label}) is a ${DEV_NOTE}\n`);
  return k;
}

const signerLine = (s: SignedAnchor['signer']): string => `${s.label} ${toHex(s.publicKey).slice(0, 16)}…${s.development ? ` (${DEV_NOTE})` : ''}`;

/** Runs `f`; an anchor fault the store reports about "the anchor" names the anchor file instead. */
function naming<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof AnchorFault && e.field === 'anchor') throw new AnchorFault(e.reason, path, e.message.slice(e.reason.length + 2));
    throw e;
  }
}

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
    .option('--anchor <file>', 'the signed anchor file (default: <store>.anchor.json beside the store)')
    .option('--key <file>', 'the operator\'s secret key file that signs the anchor (default: the DEVELOPMENT operator key)')
    .option('--checkpoint-every <k>', 'write a checkpoint (full state) every k epochs; 0 for none', '10')
    .addHelpText(
      'after',
      '\nThe store holds the genesis files, inputs/<e>.json, record/<e>.json and checkpoint/<e>.json.\n' +
        'The anchor (genesis hash and every committed record hash, signed with ML-DSA-87 by the operator\n' +
        'key) is rewritten atomically after each append: keep a copy out of the store\'s reach. Prints the\n' +
        'head record hash.',
    )
    .action(
      run((opts: { store: string; epochs: string; genesis?: string; seed: string; anchor?: string; key?: string; checkpointEvery: string }) => {
        const target = integer('--epochs', 0n)(opts.epochs);
        const seed = integer('--seed', 0n)(opts.seed);
        const every = integer('--checkpoint-every', 0n)(opts.checkpointEvery);
        const anchorPath = opts.anchor ?? defaultAnchorPath(opts.store);
        // Both outputs are checked before any work (P13.4); the anchor is rewritten in place, as it must be.
        checkWritableDir(opts.store);
        checkOutputFile(anchorPath, true);
        const key = anchorKey(opts.key, true);
        let anchor: Anchor;
        if (!existsSync(anchorPath)) {
          if (existsSync(join(opts.store, 'record')) && existsSync(join(opts.store, epochFile('record', 1n)))) {
            throw new AnchorFault('missing', anchorPath, `the store ${opts.store} has epochs but there is no anchor at ${anchorPath}: give its anchor with --anchor`);
          }
          const g = certifiedGenesis(opts.genesis);
          anchor = { genesis: genesisHash(g.genesis), records: [] };
          writeAnchorAt(anchorPath, anchor, key); // the anchor first: a crash before the genesis is written leaves a store to recreate
          createStore(opts.store, g.genesis, g.signatures);
        } else {
          anchor = readAnchorAt(anchorPath, key.publicKey).anchor;
          if (opts.genesis !== undefined && readGenesisDir(opts.genesis).hash !== anchor.genesis) {
            throw new QfsError('E_USAGE', '--genesis', `the anchor ${anchorPath} is for genesis ${anchor.genesis}, not ${opts.genesis}'s`);
          }
          if (anchor.records.length === 0 && !existsSync(join(opts.store, SIGNATURES_FILE))) {
            const g = certifiedGenesis(opts.genesis);
            if (genesisHash(g.genesis) !== anchor.genesis) throw new QfsError('E_USAGE', '--genesis', `the store has no genesis yet; give the genesis of ${anchor.genesis} with --genesis`);
            createStore(opts.store, g.genesis, g.signatures);
          }
        }
        const opened = naming(anchorPath, () => openStore(opts.store, anchor));
        for (const e of opened.events) process.stderr.write(`${describeEvent(e)}\n`);
        if (opened.fault !== null) {
          const f = opened.fault;
          throw new QfsError(f.error.code, f.file, `epoch ${f.epoch} fails (${f.reason}): ${f.error.message}; nothing appended (EA-14: qfs ledger recover ${opts.store} --anchor ${anchorPath})`);
        }
        const ctx = opened.ctx;
        const shardKey = shardKeys(ctx.genesis);
        let S = opened.state;
        let head = opened.record;
        const tty = process.stderr.isTTY;
        const started = Date.now();
        const from = S.epoch;
        for (let e = S.epoch + 1n; e <= target; e++) {
          const out = honestLedgerEpoch(ctx, S, seed, shardKey);
          const h = appendEpoch(opts.store, out, every > 0n && e % every === 0n);
          anchor = { genesis: anchor.genesis, records: [...anchor.records, h] };
          writeAnchorAt(anchorPath, anchor, key);
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
        console.log(`anchor  ${anchorPath} signed by ${signerLine(key)}`);
        console.log(`root    ${head === null ? '(genesis state)' : head.root}`);
        console.log(`head    ${anchor.records.at(-1) ?? '(no epoch)'}`);
      }),
    );
}

type RecordLike = { readonly [k: string]: Json };

const UNCHECKED = 'not checked: a cut tail (it looks like a crash), epochs replaced by other inputs that re-execute (no record hash to compare with), and who wrote the store';

export function registerLedger(program: Command): void {
  const ledger = program.command('ledger').description('verify, recover and show a ledger store (SPEC §7, EA-14)');
  ledger
    .command('verify <dir>')
    .description('re-execute every epoch of the store from the genesis against its signed anchor; exit 1 naming the first fault')
    .option('--anchor <file>', 'the signed anchor (default: <dir>.anchor.json beside the store)')
    .option('--key <file>', 'the operator key the anchor must be signed with: a public or secret key file (default: the DEVELOPMENT operator key)')
    .option('--unanchored', 'check without an anchor (a weaker check: says what it cannot see)')
    .addHelpText(
      'after',
      '\nFails closed: without an anchor the command exits 1 ("unanchored: truncation and replaced\n' +
        'epochs cannot be detected") unless --unanchored is given. An anchor that is missing, not\n' +
        'canonical (truncated), altered (its signature fails), signed by another key, for another\n' +
        'genesis, or older than the store is an E_ANCHOR fault, never blamed on an epoch file.\n' +
        'Exit 0 verified; 1 a fault (E_ANCHOR, or the first bad epoch and file); 2 bad usage; 3 I/O.',
    )
    .action(
      run((dir: string, opts: { anchor?: string; key?: string; unanchored?: boolean }) => {
        if (opts.unanchored === true && opts.anchor !== undefined) throw new QfsError('E_USAGE', '--unanchored', 'give either --anchor or --unanchored');
        let anchor: Anchor | undefined;
        const anchorPath = opts.anchor ?? defaultAnchorPath(dir);
        if (opts.unanchored !== true) {
          if (!nodeStorage.isDir(dir)) throw new QfsError('E_IO', dir, 'no such store directory');
          if (!existsSync(anchorPath)) {
            throw new AnchorFault('missing', anchorPath, `unanchored: truncation and replaced epochs cannot be detected (no anchor at ${anchorPath}; give --anchor FILE, or --unanchored to check without one)`);
          }
          const signed = readAnchorAt(anchorPath, anchorKey(opts.key, false).publicKey);
          anchor = signed.anchor;
          console.log(`anchor  ${anchorPath}: ${anchor.records.length} epochs, signed by ${signerLine(signed.signer)}`);
        }
        const v = naming(anchorPath, () => verifyStore(dir, anchor));
        for (const e of v.events) process.stderr.write(`${describeEvent(e)}\n`);
        if (!v.ok) {
          const f = v.fault;
          process.stderr.write(`qfs: epoch ${f.epoch} ${f.file}: ${f.reason}: ${f.error.describe()}\n`);
          process.exitCode = EXIT.invalid;
          return;
        }
        console.log(`ok      ${v.head} epochs re-executed${anchor === undefined ? ' UNANCHORED' : ", every record hash is the anchor's"}`);
        if (anchor === undefined) console.log(`note    ${UNCHECKED}`);
        console.log(`root    ${stateRoot(v.state)}`);
        console.log(`head    ${v.hashes.at(-1) ?? '(no epoch)'}`);
      }),
    );
  ledger
    .command('recover <dir>')
    .description('open the store with its signed anchor: set crash residue aside, repair caches, and perform EA-14 recovery if an epoch\'s inputs were altered or lost')
    .option('--anchor <file>', 'the signed anchor file, rewritten atomically by a recovery (default: <dir>.anchor.json beside the store; required)')
    .option('--key <file>', 'the operator\'s secret key file: verifies the anchor and signs its replacement (default: the DEVELOPMENT operator key)')
    .option('--dry-run', 'print what recovery would do and change nothing')
    .addHelpText(
      'after',
      '\nNothing is ever deleted. Opening sets temporary files and files of the epoch beyond the anchor\n' +
        '(crash residue) aside under <dir>/evidence/residue/, and sets a record or checkpoint cache that\n' +
        'differs from what the inputs determine aside under <dir>/evidence/repaired/ before rewriting it.\n' +
        'If epoch k still fails (its inputs altered or lost, or the tail cut), EA-14: the files of epochs\n' +
        '>= k are moved to <dir>/evidence/ea14-<k>-<hash12>/, a recovery epoch k is appended (an abort with\n' +
        'one CIR-511 EA-14 incident: the ledger enters safe mode, which only an exit_safe_mode record signed\n' +
        'by M founders leaves), and the anchor is replaced by its entries before k and the recovery\n' +
        'record\'s hash, signed. Epochs from k on are lost; their files are kept as evidence. Safe to re-run\n' +
        'after a crash. An anchor that does not verify (missing, truncated, altered, another signer, another\n' +
        'genesis, older than the store) is refused before anything changes.\n' +
        'Exit 0 when the store is open (recovered or not); 1 an anchor fault or a store that cannot be\n' +
        'opened (a state before k that cannot be rebuilt); 2 bad usage; 3 I/O.',
    )
    .action(
      run((dir: string, opts: { anchor?: string; key?: string; dryRun?: boolean }) => {
        const anchorPath = opts.anchor ?? defaultAnchorPath(dir);
        if (!nodeStorage.isDir(dir)) throw new QfsError('E_IO', dir, 'no such store directory');
        if (!existsSync(anchorPath)) {
          throw new AnchorFault('missing', anchorPath, `no anchor at ${anchorPath}: recovery needs the signed anchor (give it with --anchor); without one, qfs ledger verify --unanchored reports`);
        }
        const key = anchorKey(opts.key, true);
        const dry = opts.dryRun === true;
        // A dry run is the real recovery on a copy-on-write overlay: the same plan, nothing written.
        const io = { storage: dry ? overlayStorage(nodeStorage) : nodeStorage };
        const r = naming(anchorPath, () => recoverStore(dir, { path: anchorPath, key }, io));
        const tag = dry ? 'would     ' : 'event      ';
        for (const e of r.events) console.log(`${tag}${describeEvent(e)}`);
        const rec = r.recovery;
        if (rec === null) {
          console.log(`ok         ${r.head} epochs, ${r.events.length === 0 ? 'nothing to recover' : 'no EA-14 recovery'}`);
        } else {
          console.log(`recovered  epoch ${rec.epoch}: ${rec.fault.file} ${rec.fault.reason}: ${rec.fault.error.message}`);
          console.log(`lost       epochs ${rec.epoch} … ${rec.to} (their files are evidence)`);
          console.log(`evidence   ${join(dir, rec.evidence)} (${rec.moved.length} files)`);
          console.log(`incident   CIR-511 EA-14, outcome abort; mode safe (an exit_safe_mode record signed by M founders leaves it)`);
          console.log(`anchor     ${anchorPath} ${dry ? 'would be ' : ''}rewritten: ${rec.epoch - 1n} entries kept, then the recovery record; signed by ${signerLine(key)}`);
        }
        console.log(`root       ${stateRoot(r.state)}`);
        console.log(`head       ${r.anchor.records.at(-1) ?? '(no epoch)'}`);
        if (dry) console.log('dry run    nothing was changed');
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
