/**
 * A stored adversary counterexample's commands, validated as data before anything runs
 * (docs/spec.md P13.6): every fault is E_COUNTEREXAMPLE naming the field (`commands[0].shards`,
 * `commands[2].attacks[0].shard`, …). What this accepts, the run readers of models/adversary.ts
 * and models/storage-attack.ts read without throwing, and the run is small enough to replay in
 * seconds: 4 … 8 shards, at most f = floor((n − 1) / 3) distinct existing Byzantine shards, at most
 * 64 epochs of at most 16 attacks each, attacks by Byzantine shards only, values in the ranges the
 * generators draw from (with room to spare).
 */
import type { Json } from '../src/math/canonical.ts';
import { QfsError } from '../src/core/errors.ts';
import { Reader, type JsonObject } from '../src/math/schema.ts';
import type { Counterexample } from '../src/io/counterexamples.ts';
import { adversaryChain, EAS, MUTANTS, readRunCommands, VOTE_MOVES, type AdversaryRun } from './adversary.ts';
import { readStorageCommands, TARGETS, type StorageRun } from './storage-attack.ts';

export const ADVERSARY_LIMITS = { minShards: 4n, maxShards: 8n, epochs: 64, attacks: 16, loads: 16, founders: 3n } as const;

const U64 = 2n ** 64n;
const DELTA_LIMIT = 2n ** 127n;

const r = new Reader('E_COUNTEREXAMPLE');

const int = (v: Json | undefined, path: string, lo: bigint, hiExclusive: bigint): bigint => {
  if (typeof v === 'string' && v.length > 40) r.fail(path, `${v.length} characters: not an integer in range`);
  return r.bounded(v, path, lo, hiExclusive);
};

function oneOf<T extends string>(v: Json | undefined, path: string, options: readonly T[]): T {
  if (typeof v !== 'string' || !options.includes(v as T)) r.fail(path, `expected one of ${options.join(', ')}`);
  return v as T;
}

function keys(o: JsonObject, path: string, required: readonly string[], optional: readonly string[] = []): void {
  for (const k of required) if (!(k in o)) r.fail(path, `key set: missing ${k}`);
  for (const k of Object.keys(o)) if (!required.includes(k) && !optional.includes(k)) r.fail(path, `key set: unexpected ${k}`);
}

function obj(v: Json | undefined, path: string): JsonObject {
  if (v === null || v === undefined || typeof v !== 'object' || Array.isArray(v)) r.fail(path, 'expected an object');
  return v as JsonObject;
}

function list(v: Json | undefined, path: string, max: number): readonly Json[] {
  const a = r.array(v, path);
  if (a.length > max) r.fail(path, `${a.length} entries, more than the limit of ${max} (P13.6)`);
  return a;
}

function distinct(xs: readonly bigint[], path: string): void {
  const seen = new Set<bigint>();
  xs.forEach((x, i) => {
    if (seen.has(x)) r.fail(`${path}[${i}]`, `${x} appears twice`);
    seen.add(x);
  });
}

const ATTACK_KEYS: Readonly<Record<string, readonly string[]>> = {
  'EA-1': ['shard', 'pick', 'delta'],
  'EA-2': ['shard', 'below', 'delta'],
  'EA-3': ['shard', 'field', 'pick', 'delta'],
  'EA-4': ['shard', 'pick', 'delta'],
  'EA-5': ['shard', 'pick', 'delta'],
  'EA-6': ['shard', 'flaw', 'pick'],
  'EA-7': ['shard', 'pick', 'delta'],
  'EA-8': ['shard', 'delta'],
  'EA-9': ['shard'],
  'EA-10': ['shard', 'side', 'delta'],
  'EA-11': ['kind', 'delta'],
  'EA-12': ['pick', 'delta'],
  'EA-13': ['shard', 'field', 'pick', 'delta'],
};

/** Keys an attack may carry beyond its required ones (the strategies of models/adversary/strategies.ts). */
const OPTIONAL_ATTACK_KEYS: Readonly<Record<string, readonly string[]>> = { 'EA-1': ['report'], 'EA-2': ['inside'], 'EA-9': ['side'], 'EA-13': ['starve'] };

const FIELD_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  'EA-3': ['payouts', 'flx_delta'],
  'EA-13': ['multipliers', 'rewards', 'psy_minted'],
};

function checkAttack(v: Json, path: string, byzantine: ReadonlySet<bigint>): void {
  const o = obj(v, path);
  const ea = oneOf(o.ea, `${path}.ea`, EAS.filter((x) => x !== 'EA-14'));
  keys(o, path, ['ea', ...ATTACK_KEYS[ea]!], OPTIONAL_ATTACK_KEYS[ea] ?? []);
  if ('shard' in o) {
    const shard = int(o.shard, `${path}.shard`, 0n, ADVERSARY_LIMITS.maxShards);
    if (!byzantine.has(shard)) r.fail(`${path}.shard`, `shard ${shard} attacks but is not one of the Byzantine shards`);
  }
  if ('pick' in o) int(o.pick, `${path}.pick`, 0n, U64);
  if ('delta' in o) int(o.delta, `${path}.delta`, 1n, DELTA_LIMIT);
  if ('below' in o && typeof o.below !== 'boolean') r.fail(`${path}.below`, 'expected a boolean');
  if ('field' in o) oneOf(o.field, `${path}.field`, FIELD_OPTIONS[ea]!);
  if ('flaw' in o) oneOf(o.flaw, `${path}.flaw`, ['zero', 'overdraft', 'foreign', 'nonce']);
  if ('side' in o) oneOf(o.side, `${path}.side`, ea === 'EA-9' ? ['over', 'under'] : ['in', 'out']);
  if ('report' in o) oneOf(o.report, `${path}.report`, ['psi', 'gradient']);
  for (const flag of ['inside', 'starve'] as const) if (flag in o && typeof o[flag] !== 'boolean') r.fail(`${path}.${flag}`, 'expected a boolean');
  if ('kind' in o) oneOf(o.kind, `${path}.kind`, ['stale', 'future', 'replayed', 'superseded']);
}

const MOVE_KEYS: Readonly<Record<(typeof VOTE_MOVES)[number], readonly string[]>> = {
  'vote-anyway': ['shard', 'root'],
  withhold: ['shard'],
  duplicate: ['shard'],
  equivocate: ['shard', 'delta'],
  'root-only': ['shard'],
  forge: ['shard', 'pick'],
};

/** A Byzantine vote move (models/adversary/strategies.ts `VoteMove`): only a Byzantine shard makes one. */
function checkMove(v: Json, path: string, byzantine: ReadonlySet<bigint>): void {
  const o = obj(v, path);
  const move = oneOf(o.move, `${path}.move`, VOTE_MOVES);
  keys(o, path, ['move', ...MOVE_KEYS[move]]);
  const shard = int(o.shard, `${path}.shard`, 0n, ADVERSARY_LIMITS.maxShards);
  if (!byzantine.has(shard)) r.fail(`${path}.shard`, `shard ${shard} moves but is not one of the Byzantine shards`);
  if ('root' in o) oneOf(o.root, `${path}.root`, ['candidate', 'other']);
  if ('delta' in o) int(o.delta, `${path}.delta`, 1n, DELTA_LIMIT);
  if ('pick' in o) int(o.pick, `${path}.pick`, 0n, U64);
}

/** An epoch-attack run's commands (P12.2), checked; then read by readRunCommands. */
export function checkRunCommands(commands: readonly Json[]): AdversaryRun {
  if (commands.length === 0) r.fail('commands', 'expected the setup command first');
  if (commands.length - 1 > ADVERSARY_LIMITS.epochs) r.fail('commands', `${commands.length - 1} epochs, more than the limit of ${ADVERSARY_LIMITS.epochs} (P13.6)`);
  const setup = obj(commands[0], 'commands[0]');
  if (setup.kind !== 'setup') r.fail('commands[0].kind', 'expected "setup"');
  keys(setup, 'commands[0]', ['kind', 'shards', 'byzantine'], ['mutant']);
  const n = int(setup.shards, 'commands[0].shards', ADVERSARY_LIMITS.minShards, ADVERSARY_LIMITS.maxShards + 1n);
  const f = (n - 1n) / 3n;
  const byz = list(setup.byzantine, 'commands[0].byzantine', Number(ADVERSARY_LIMITS.maxShards)).map((x, i) => int(x, `commands[0].byzantine[${i}]`, 0n, n));
  distinct(byz, 'commands[0].byzantine');
  if (BigInt(byz.length) > f) r.fail('commands[0].byzantine', `${byz.length} Byzantine shards among ${n}: at most f = ${f}`);
  if (setup.mutant !== undefined && setup.mutant !== null) oneOf(setup.mutant, 'commands[0].mutant', MUTANTS);
  const byzantine = new Set(byz);
  commands.slice(1).forEach((c, i) => {
    const path = `commands[${i + 1}]`;
    const e = obj(c, path);
    if (e.kind !== 'epoch') r.fail(`${path}.kind`, 'expected "epoch"');
    keys(e, path, ['kind', 'load', 'attacks', 'exit'], ['exit_founders', 'silent_oracle', 'moves']);
    if (e.silent_oracle !== undefined && typeof e.silent_oracle !== 'boolean') r.fail(`${path}.silent_oracle`, 'expected a boolean');
    if (e.moves !== undefined) list(e.moves, `${path}.moves`, ADVERSARY_LIMITS.attacks).forEach((m, k) => checkMove(m, `${path}.moves[${k}]`, byzantine));
    int(e.load, `${path}.load`, 0n, U64);
    if (typeof e.exit !== 'boolean') r.fail(`${path}.exit`, 'expected a boolean');
    if (e.exit_founders !== undefined) {
      const fs = list(e.exit_founders, `${path}.exit_founders`, Number(ADVERSARY_LIMITS.founders)).map((x, k) => int(x, `${path}.exit_founders[${k}]`, 0n, ADVERSARY_LIMITS.founders));
      distinct(fs, `${path}.exit_founders`);
    }
    list(e.attacks, `${path}.attacks`, ADVERSARY_LIMITS.attacks).forEach((a, k) => checkAttack(a, `${path}.attacks[${k}]`, byzantine));
  });
  return readRunCommands(commands);
}

/** An EA-14 storage run's commands (P12.2), checked; then read by readStorageCommands. */
export function checkStorageCommands(commands: readonly Json[]): StorageRun {
  if (commands.length !== 2) r.fail('commands', `expected [setup, tamper], got ${commands.length} commands`);
  const s = obj(commands[0], 'commands[0]');
  if (s.kind !== 'setup') r.fail('commands[0].kind', 'expected "setup"');
  keys(s, 'commands[0]', ['kind', 'shards', 'loads']);
  int(s.shards, 'commands[0].shards', ADVERSARY_LIMITS.minShards, ADVERSARY_LIMITS.maxShards + 1n);
  const loads = list(s.loads, 'commands[0].loads', ADVERSARY_LIMITS.loads);
  if (loads.length === 0) r.fail('commands[0].loads', 'expected at least one epoch');
  loads.forEach((x, i) => int(x, `commands[0].loads[${i}]`, 0n, U64));
  const t = obj(commands[1], 'commands[1]');
  if (t.kind !== 'tamper') r.fail('commands[1].kind', 'expected "tamper"');
  keys(t, 'commands[1]', ['kind', 'target', 'epoch', 'offset', 'xor']);
  oneOf(t.target, 'commands[1].target', TARGETS);
  int(t.epoch, 'commands[1].epoch', 1n, BigInt(loads.length) + 1n);
  int(t.offset, 'commands[1].offset', 0n, U64);
  int(t.xor, 'commands[1].xor', 1n, 256n);
  return readStorageCommands(commands);
}

/**
 * The run of an adversary counterexample, validated (E_COUNTEREXAMPLE naming the field; the
 * message names the file when given). A reader that still throws after this is a bug of the
 * validator, reported as E_COUNTEREXAMPLE `commands` rather than a stack trace.
 */
export function checkAdversaryCounterexample(c: Counterexample, file?: string): { readonly storage: true; readonly run: StorageRun } | { readonly storage: false; readonly run: AdversaryRun } {
  const where = file === undefined ? '' : `${file}: `;
  try {
    if (!c.property.startsWith('adversary.')) r.fail('property', `${c.property} is not an adversary property`);
    const checked = c.property === 'adversary.EA-14' ? { storage: true as const, run: checkStorageCommands(c.commands) } : { storage: false as const, run: checkRunCommands(c.commands) };
    const G = adversaryChain(checked.run.shards).ctx.genesisHash;
    if (c.genesis_hash !== G) r.fail('genesis_hash', `${c.genesis_hash} is not the hash of the ${checked.run.shards}-shard adversary chain (${G})`);
    return checked;
  } catch (e) {
    if (e instanceof QfsError) throw new QfsError(e.code, e.field, `${where}${e.message}`);
    throw new QfsError('E_COUNTEREXAMPLE', 'commands', `${where}${(e as Error).message}`);
  }
}
