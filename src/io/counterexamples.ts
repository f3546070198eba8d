/**
 * Counterexamples (SPEC §12): `counterexamples/<invariant id>/<first 12 hex of its hash>.json`,
 * canonical JSON written atomically, one file per distinct case (the name is its content hash, so a
 * case found twice, or on two machines of a split campaign, is one file).
 *
 * The hash is the tagged hash `H("qfs/v13/counterexample", document)`. The document:
 *   { format: "qfs-counterexample/1", property, invariant, seed, path, genesis_hash, commands,
 *     failure: { epoch, message, expected, actual }, roots }
 * `seed` is a canonical integer string, `path` fast-check's replay path ("" when there is none),
 * `commands` the commands as data (Byzantine strategies included), `roots` the state roots the run
 * reached, epoch by epoch, up to the failing epoch.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalString, type Encodable, type Json } from '../math/canonical.ts';
import { QfsError } from '../core/errors.ts';
import { taggedHashHex } from '../math/hashing.ts';
import { Reader } from '../math/schema.ts';
import { readCanonicalFile, writeFileAtomic } from './files.ts';

export const COUNTEREXAMPLE_FORMAT = 'qfs-counterexample/1';

export type Failure = { readonly epoch: bigint; readonly message: string; readonly expected: Json; readonly actual: Json };

export type Counterexample = {
  readonly format: typeof COUNTEREXAMPLE_FORMAT;
  readonly property: string;
  readonly invariant: string;
  readonly seed: bigint;
  readonly path: string;
  readonly genesis_hash: string;
  readonly commands: readonly Json[];
  readonly failure: Failure;
  readonly roots: readonly string[];
};

/**
 * Limits of a counterexample document (docs/spec.md P13.6), checked before anything runs: a shrunk
 * case is a handful of commands, so these are generous; each suite checks its own commands
 * further (models/counterexample-check.ts for the adversary suite).
 */
export const COUNTEREXAMPLE_LIMITS = { bytes: 16 * 1024 * 1024, commands: 256, roots: 256, id: 128, message: 65_536, path: 4096 } as const;

const KEYS = ['format', 'property', 'invariant', 'seed', 'path', 'genesis_hash', 'commands', 'failure', 'roots'] as const;
const ID = /^[A-Za-z0-9][A-Za-z0-9.\-]*$/;
const HEX32 = /^[0-9a-f]{64}$/;

export const counterexampleHash = (c: Counterexample): string => taggedHashHex('qfs/v13/counterexample', c as unknown as Encodable);

/** `<invariant>/<hash12>.json`, relative to the counterexamples directory. */
export const counterexampleName = (c: Counterexample): string => `${c.invariant}/${counterexampleHash(c).slice(0, 12)}.json`;

/** Checks a parsed document's layout; every fault is E_COUNTEREXAMPLE naming its field. */
export function readCounterexample(doc: Json): Counterexample {
  const r = new Reader('E_COUNTEREXAMPLE');
  const o = r.object(doc, '', KEYS);
  if (o.format !== COUNTEREXAMPLE_FORMAT) r.fail('format', `expected "${COUNTEREXAMPLE_FORMAT}"`);
  const short = (v: Json | undefined, field: string, max: number): string => {
    const x = r.string(v, field);
    if (x.length > max) r.fail(field, `${x.length} characters, more than the limit of ${max} (P13.6)`);
    return x;
  };
  const property = short(o.property, 'property', COUNTEREXAMPLE_LIMITS.id);
  const invariant = short(o.invariant, 'invariant', COUNTEREXAMPLE_LIMITS.id);
  if (!ID.test(property)) r.fail('property', `${JSON.stringify(property)} is not a property id`);
  if (!ID.test(invariant)) r.fail('invariant', `${JSON.stringify(invariant)} is not an invariant id`);
  // fast-check seeds are 32-bit integers; anything far outside is not one of its seeds.
  const seed = r.bounded(short(o.seed, 'seed', 24), 'seed', -(2n ** 53n), 2n ** 53n);
  const path = short(o.path, 'path', COUNTEREXAMPLE_LIMITS.path);
  if (!/^(?:\d+(?::\d+)*)?$/.test(path)) r.fail('path', `${JSON.stringify(path)} is not a fast-check path`);
  const genesisHash = r.string(o.genesis_hash, 'genesis_hash');
  if (!HEX32.test(genesisHash)) r.fail('genesis_hash', 'expected 32 bytes of lowercase hex');
  const commands = r.array(o.commands, 'commands');
  if (commands.length > COUNTEREXAMPLE_LIMITS.commands) r.fail('commands', `${commands.length} commands, more than the limit of ${COUNTEREXAMPLE_LIMITS.commands} (P13.6)`);
  const f = r.object(o.failure, 'failure', ['epoch', 'message', 'expected', 'actual']);
  const failure: Failure = {
    epoch: r.id(short(f.epoch, 'failure.epoch', 24), 'failure.epoch'),
    message: short(f.message, 'failure.message', COUNTEREXAMPLE_LIMITS.message),
    expected: f.expected as Json,
    actual: f.actual as Json,
  };
  const rootList = r.array(o.roots, 'roots');
  if (rootList.length > COUNTEREXAMPLE_LIMITS.roots) r.fail('roots', `${rootList.length} roots, more than the limit of ${COUNTEREXAMPLE_LIMITS.roots} (P13.6)`);
  const roots = rootList.map((x, i) => {
    const s = r.string(x, `roots[${i}]`);
    if (!HEX32.test(s)) r.fail(`roots[${i}]`, 'expected 32 bytes of lowercase hex');
    return s;
  });
  return { format: COUNTEREXAMPLE_FORMAT, property, invariant, seed, path, genesis_hash: genesisHash, commands, failure, roots };
}

/** Reads and checks a stored counterexample file (canonical bytes required). */
export function loadCounterexample(file: string): Counterexample {
  const doc = readCanonicalFile(file, COUNTEREXAMPLE_LIMITS.bytes);
  try {
    return readCounterexample(doc);
  } catch (e) {
    if (e instanceof QfsError) throw new QfsError(e.code, e.field, `${file}: ${e.message}`);
    throw e;
  }
}

/** Writes `c` under `root` atomically unless the same case is already there; returns its path. */
export function saveCounterexample(root: string, c: Counterexample): { readonly file: string; readonly created: boolean } {
  const file = join(root, counterexampleName(c));
  if (existsSync(file)) return { file, created: false };
  writeFileAtomic(file, canonicalString(c as unknown as Encodable));
  return { file, created: true };
}

/** Every stored counterexample file under `root`, sorted by path. */
export function listCounterexamples(root: string): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  for (const d of readdirSync(root, { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    for (const f of readdirSync(join(root, d.name))) if (f.endsWith('.json') && !f.startsWith('.')) out.push(join(root, d.name, f));
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
