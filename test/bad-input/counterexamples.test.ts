/**
 * Bad inputs of `qfs replay`: stored counterexamples that are malformed, impossible (100000
 * shards, a Byzantine shard that does not exist, 4 Byzantine of 4) or too large (100k epochs), all
 * refused as data before anything runs (E_COUNTEREXAMPLE naming the field), and output paths of
 * `--export-test`. The EA-14 kind reads back.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { canonicalString, parseCanonical, type Encodable, type Json } from '../../src/math/canonical.ts';
import { readCounterexample, type Counterexample } from '../../src/io/counterexamples.ts';
import { adversaryChain } from '../../models/adversary.ts';
import { storageCommands } from '../../models/storage-attack.ts';
import { checkAdversaryCounterexample } from '../../models/counterexample-check.ts';
import { makeFixture, qfs, runCase, type Case } from './harness.ts';

let fixture: string;
beforeAll(() => {
  fixture = makeFixture();
});

type Doc = { [k: string]: Json } & { commands: Record<string, Json>[]; failure: Record<string, Json>; roots: string[] };
type Attack = Record<string, Json>;
const setup = (d: Doc) => d.commands[0]!;
const epoch1 = (d: Doc) => d.commands[1]!;
const attack0 = (d: Doc) => (epoch1(d).attacks as Attack[])[0]!;

/** A valid EA-14 counterexample document (a storage run on the 4-shard chain). */
function ea14Doc(): Doc {
  return {
    format: 'qfs-counterexample/1',
    property: 'adversary.EA-14',
    invariant: 'adversary.EA-14',
    seed: '1',
    path: '',
    genesis_hash: adversaryChain(4n).ctx.genesisHash,
    commands: storageCommands({ shards: 4n, loads: [1n, 2n], target: 'inputs', epoch: 1n, offset: 0n, xor: 1n }) as Record<string, Json>[],
    failure: { epoch: '1', message: 'stored for the suite', expected: null, actual: null },
    roots: [],
  };
}

type M = { readonly name: string; readonly edit: (d: Doc) => void; readonly names: string; readonly ea14?: boolean; readonly error?: string };
const mutations: M[] = [
  { name: '100000 shards', edit: (d) => (setup(d).shards = '100000'), names: 'commands[0].shards' },
  { name: '3 shards', edit: (d) => (setup(d).shards = '3'), names: 'commands[0].shards' },
  { name: 'shards not an integer', edit: (d) => (setup(d).shards = 'four'), names: 'commands[0].shards' },
  { name: 'a Byzantine shard that does not exist', edit: (d) => (setup(d).byzantine = ['9']), names: 'commands[0].byzantine[0]' },
  { name: '4 Byzantine of 4', edit: (d) => (setup(d).byzantine = ['0', '1', '2', '3']), names: 'commands[0].byzantine' },
  { name: '2 Byzantine of 4 (f = 1)', edit: (d) => (setup(d).byzantine = ['0', '1']), names: 'commands[0].byzantine' },
  { name: 'a Byzantine shard twice', edit: (d) => ((setup(d).shards = '7'), (setup(d).byzantine = ['1', '1'])), names: 'commands[0].byzantine[1]' },
  { name: 'a negative Byzantine shard', edit: (d) => (setup(d).byzantine = ['-1']), names: 'commands[0].byzantine[0]' },
  { name: 'byzantine not an array', edit: (d) => (setup(d).byzantine = '1'), names: 'commands[0].byzantine' },
  { name: 'an unknown planted bug', edit: (d) => (setup(d).mutant = 'nope'), names: 'commands[0].mutant' },
  { name: 'no setup command', edit: (d) => (setup(d).kind = 'epoch'), names: 'commands[0].kind' },
  { name: 'an unknown setup key', edit: (d) => (setup(d).extra = '1'), names: 'commands[0]' },
  { name: 'no commands', edit: (d) => (d.commands = []), names: 'commands' },
  { name: '100,000 epochs', edit: (d) => (d.commands = [setup(d), ...new Array(100_000).fill(epoch1(d))]), names: 'commands' },
  { name: '65 epochs (limit 64)', edit: (d) => (d.commands = [setup(d), ...new Array(65).fill(epoch1(d))]), names: 'commands' },
  { name: 'an epoch command of another kind', edit: (d) => (epoch1(d).kind = 'setup'), names: 'commands[1].kind' },
  { name: 'a negative load', edit: (d) => (epoch1(d).load = '-1'), names: 'commands[1].load' },
  { name: 'a load of 2^64', edit: (d) => (epoch1(d).load = (2n ** 64n).toString()), names: 'commands[1].load' },
  { name: 'a load of 10,000 digits', edit: (d) => (epoch1(d).load = '9'.repeat(10_000)), names: 'commands[1].load' },
  { name: 'exit not a boolean', edit: (d) => (epoch1(d).exit = 'yes'), names: 'commands[1].exit' },
  { name: 'an exit founder that does not exist', edit: (d) => (epoch1(d).exit_founders = ['5']), names: 'commands[1].exit_founders[0]' },
  { name: 'attacks not an array', edit: (d) => (epoch1(d).attacks = {}), names: 'commands[1].attacks' },
  { name: '17 attacks in one epoch (limit 16)', edit: (d) => (epoch1(d).attacks = new Array(17).fill(attack0(d))), names: 'commands[1].attacks' },
  { name: 'an attack by an honest shard', edit: (d) => (attack0(d).shard = '2'), names: 'commands[1].attacks[0].shard' },
  { name: 'an attack by shard 100000', edit: (d) => (attack0(d).shard = '100000'), names: 'commands[1].attacks[0].shard' },
  { name: 'an unknown attack', edit: (d) => (attack0(d).ea = 'EA-99'), names: 'commands[1].attacks[0].ea' },
  { name: 'EA-14 as an epoch attack', edit: (d) => (attack0(d).ea = 'EA-14'), names: 'commands[1].attacks[0].ea' },
  { name: 'a delta of 0', edit: (d) => (attack0(d).delta = '0'), names: 'commands[1].attacks[0].delta' },
  { name: 'an attack without its delta', edit: (d) => delete attack0(d).delta, names: 'commands[1].attacks[0]' },
  { name: 'an attack with an unknown key', edit: (d) => (attack0(d).zz = '1'), names: 'commands[1].attacks[0]' },
  { name: 'an attack that is not an object', edit: (d) => ((epoch1(d).attacks as Json[])[0] = 'EA-8'), names: 'commands[1].attacks[0]' },
  { name: 'EA-3 with an unknown field', edit: (d) => (epoch1(d).attacks = [{ ea: 'EA-3', shard: '1', field: 'x', pick: '0', delta: '1' }]), names: 'commands[1].attacks[0].field' },
  { name: 'a genesis hash of another chain', edit: (d) => (d.genesis_hash = '0'.repeat(64)), names: 'genesis_hash' },
  { name: 'a wrong format', edit: (d) => (d.format = 'qfs-counterexample/2'), names: 'format' },
  { name: 'a property of another suite', edit: (d) => (d.property = 'conformance.differential'), names: 'property' },
  { name: 'a property id of 200 characters', edit: (d) => (d.property = `adversary.${'x'.repeat(190)}`), names: 'property' },
  { name: 'a seed of 2^60', edit: (d) => (d.seed = (2n ** 60n).toString()), names: 'seed' },
  { name: 'a seed that is not an integer', edit: (d) => (d.seed = 'seven'), names: 'seed' },
  { name: 'a path that is not fast-check', edit: (d) => (d.path = 'a:b'), names: 'path' },
  { name: 'a root that is not hex', edit: (d) => (d.roots = ['xyz']), names: 'roots[0]' },
  { name: '257 roots (limit 256)', edit: (d) => (d.roots = new Array(257).fill(d.roots[0])), names: 'roots' },
  { name: 'a negative failure epoch', edit: (d) => (d.failure.epoch = '-1'), names: 'failure.epoch' },
  { name: 'a failure message of 70,000 characters', edit: (d) => (d.failure.message = 'm'.repeat(70_000)), names: 'failure.message' },
  { name: 'an unknown top-level key', edit: (d) => (d.extra = '1'), names: '(document)' },
  // EA-14 (storage) runs
  { name: 'EA-14: an unknown target', ea14: true, edit: (d) => (epoch1(d).target = 'anchor'), names: 'commands[1].target' },
  { name: 'EA-14: epoch 0', ea14: true, edit: (d) => (epoch1(d).epoch = '0'), names: 'commands[1].epoch' },
  { name: 'EA-14: an epoch beyond the loads', ea14: true, edit: (d) => (epoch1(d).epoch = '3'), names: 'commands[1].epoch' },
  { name: 'EA-14: xor 0', ea14: true, edit: (d) => (epoch1(d).xor = '0'), names: 'commands[1].xor' },
  { name: 'EA-14: xor 256', ea14: true, edit: (d) => (epoch1(d).xor = '256'), names: 'commands[1].xor' },
  { name: 'EA-14: three commands', ea14: true, edit: (d) => d.commands.push(epoch1(d)), names: 'commands' },
  { name: 'EA-14: no loads', ea14: true, edit: (d) => (setup(d).loads = []), names: 'commands[0].loads' },
  { name: 'EA-14: 17 loads (limit 16)', ea14: true, edit: (d) => (setup(d).loads = new Array(17).fill('1')), names: 'commands[0].loads' },
  { name: 'EA-14: 100000 shards', ea14: true, edit: (d) => (setup(d).shards = '100000'), names: 'commands[0].shards' },
  { name: 'EA-14: a tamper command of another kind', ea14: true, edit: (d) => (epoch1(d).kind = 'epoch'), names: 'commands[1].kind' },
  { name: 'EA-14: an unknown tamper key', ea14: true, edit: (d) => (epoch1(d).zz = '1'), names: 'commands[1]' },
  { name: 'EA-14: an epoch-attack setup', ea14: true, edit: (d) => (d.commands = (JSON.parse(readFileSync(join(fixture, 'cx.json'), 'utf8')) as Doc).commands), names: 'commands[0]' },
];

const stored = (): Doc => JSON.parse(readFileSync(join(fixture, 'cx.json'), 'utf8')) as Doc;
const write = (p: string, d: Doc) => writeFileSync(p, canonicalString(d as unknown as Encodable));

describe('bad input: qfs replay of impossible or malformed counterexamples', () => {
  for (const m of mutations) {
    const c: Case = {
      name: `replay: ${m.name}`,
      setup: (dir) => {
        const d = m.ea14 ? ea14Doc() : stored();
        m.edit(d);
        write(join(dir, 'bad.json'), d);
      },
      args: (dir) => ['replay', join(dir, 'bad.json')],
      code: 1,
      error: m.error ?? 'E_COUNTEREXAMPLE',
      names: m.names,
    };
    test(c.name, () => runCase(c, fixture), 30_000);
  }
});

const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const files: Case[] = [
  { name: 'replay a missing file', args: (d) => ['replay', join(d, 'missing.json')], code: 3, error: 'E_IO', names: (d) => join(d, 'missing.json') },
  { name: 'replay a directory', args: (d) => ['replay', join(d, 'full')], code: 3, error: 'E_IO', names: (d) => join(d, 'full') },
  { name: 'replay /dev/zero', args: () => ['replay', '/dev/zero'], code: 3, error: 'E_IO', names: '/dev/zero' },
  { name: 'replay a file of 17 MiB (limit 16 MiB)', setup: (d) => writeFileSync(join(d, 'big.json'), Buffer.alloc(17 * 1024 * 1024, 0x20)), args: (d) => ['replay', join(d, 'big.json')], code: 3, error: 'E_IO', names: (d) => join(d, 'big.json') },
  { name: 'replay JSON nested 50,000 deep', setup: (d) => writeFileSync(join(d, 'deep.json'), nested(50_000)), args: (d) => ['replay', join(d, 'deep.json')], code: 1, error: 'E_CANONICAL', names: '(document)' },
  { name: 'replay a counterexample with whitespace', setup: (d) => writeFileSync(join(d, 'ws.json'), JSON.stringify(stored(), null, 1)), args: (d) => ['replay', join(d, 'ws.json')], code: 1, error: 'E_CANONICAL', names: '(document)' },
  { name: 'replay an empty file', setup: (d) => writeFileSync(join(d, 'empty.json'), ''), args: (d) => ['replay', join(d, 'empty.json')], code: 1, error: 'E_CANONICAL', names: '(document)' },
  { name: '--export-test over an existing file', args: (d) => ['replay', join(d, 'cx.json'), '--export-test', join(d, 'file.txt')], code: 2, error: 'E_USAGE', names: (d) => join(d, 'file.txt') },
  { name: '--export-test to a directory', args: (d) => ['replay', join(d, 'cx.json'), '--export-test', join(d, 'full')], code: 3, error: 'E_IO', names: (d) => join(d, 'full') },
  { name: '--export-test under a file', args: (d) => ['replay', join(d, 'cx.json'), '--export-test', join(d, 'file.txt', 't.test.ts')], code: 3, error: 'E_IO', names: (d) => join(d, 'file.txt', 't.test.ts') },
  { name: '--export-test under /sys', args: (d) => ['replay', join(d, 'cx.json'), '--export-test', '/sys/t.test.ts'], code: 3, error: 'E_IO', names: '/sys/t.test.ts' },
  { name: '--export-test to /dev/null', args: (d) => ['replay', join(d, 'cx.json'), '--export-test', '/dev/null'], code: 3, error: 'E_IO', names: '/dev/null' },
  { name: 'check --counterexamples a file', args: (d) => ['check', '--property', 'adversary.EA-1', '--runs', '1', '--counterexamples', join(d, 'file.txt')], code: 3, error: 'E_IO', names: (d) => join(d, 'file.txt') },
];

describe('bad input: counterexample files and outputs', () => {
  for (const c of files) test(c.name, () => runCase(c, fixture), 30_000);
});

describe('counterexamples that must read', () => {
  test('counterexample.ea14-reads-back: a stored EA-14 counterexample is validated as a storage run and exports', async () => {
    const d = ea14Doc();
    const c: Counterexample = readCounterexample(parseCanonical(canonicalString(d as unknown as Encodable)));
    const checked = checkAdversaryCounterexample(c);
    expect(checked.storage).toBe(true);
    const dir = makeFixture();
    write(join(dir, 'ea14.json'), d);
    mkdirSync(join(dir, 'out'));
    const r = await qfs(['replay', join(dir, 'ea14.json'), '--export-test', join(dir, 'out', 'ea14.test.ts')]);
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(join(dir, 'out', 'ea14.test.ts'), 'utf8')).toContain('adversary.EA-14');
  });

  test('counterexample.100k-fast: a 100,000-epoch counterexample is refused in well under a second', async () => {
    const dir = makeFixture();
    const d = stored();
    d.commands = [setup(d), ...new Array(100_000).fill(epoch1(d))];
    write(join(dir, 'long.json'), d);
    const t0 = performance.now();
    const r = await qfs(['replay', join(dir, 'long.json')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^qfs: E_COUNTEREXAMPLE commands/);
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});
