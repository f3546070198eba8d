/** Bad flags and arguments: every one is E_USAGE (exit 2) naming the flag, before any work. */
import { join } from 'node:path';
import { beforeAll, describe, test } from 'vitest';
import { makeFixture, runCase, type Case } from './harness.ts';

let fixture: string;
beforeAll(() => {
  fixture = makeFixture();
});

const usage = (name: string, args: (d: string) => string[], names: string): Case => ({ name, args, code: 2, error: 'E_USAGE', names });

const cases: Case[] = [
  usage('an unknown command', () => ['nope'], 'nope'),
  usage('an unknown flag', (d) => ['genesis', 'verify', join(d, 'G'), '--bogus'], '--bogus'),
  usage('a missing argument', () => ['genesis', 'verify'], 'dir'),
  usage('a missing required flag', () => ['keys', 'new'], '--out'),
  usage('a flag without its value', () => ['keys', 'new', '--out'], '--out'),
  usage('economy --epochs x', (d) => ['economy', '--epochs', 'x', '--out', join(d, 'e')], '--epochs'),
  usage('economy --epochs 0', (d) => ['economy', '--epochs', '0', '--out', join(d, 'e')], '--epochs'),
  usage('economy --epochs -1', (d) => ['economy', '--epochs', '-1', '--out', join(d, 'e')], '--epochs'),
  usage('economy --epochs 1e3', (d) => ['economy', '--epochs', '1e3', '--out', join(d, 'e')], '--epochs'),
  usage('economy --epochs 2^53', (d) => ['economy', '--epochs', (2n ** 53n).toString(), '--out', join(d, 'e')], '--epochs'),
  usage('economy --epochs 100001 (limit 100000)', (d) => ['economy', '--epochs', '100001', '--out', join(d, 'e')], '--epochs'),
  usage('economy --epochs 007', (d) => ['economy', '--epochs', '007', '--out', join(d, 'e')], '--epochs'),
  usage('economy --seed abc', (d) => ['economy', '--seed', 'abc', '--out', join(d, 'e')], '--seed'),
  usage('check --shard 3/2', () => ['check', '--shard', '3/2'], '--shard'),
  usage('check --shard 0/1', () => ['check', '--shard', '0/1'], '--shard'),
  usage('check --shard x', () => ['check', '--shard', 'x'], '--shard'),
  usage('check --property unknown', () => ['check', '--property', 'adversary.EA-99'], '--property'),
  usage('check --runs 0', () => ['check', '--runs', '0'], '--runs'),
  usage('check --time 0', () => ['check', '--time', '0'], '--time'),
  usage('check --path without one property', () => ['check', '--path', '1:2'], '--path'),
  usage('check --path not a path', () => ['check', '--property', 'adversary.EA-1', '--path', 'x'], '--path'),
  usage('run --epochs 1 (at least 2)', (d) => ['run', '--epochs', '1', '--out', join(d, 'ev')], '--epochs'),
  usage('run --runs 0', (d) => ['run', '--runs', '0', '--out', join(d, 'ev')], '--runs'),
  usage('run --seed -1', (d) => ['run', '--seed', '-1', '--out', join(d, 'ev')], '--seed'),
  usage('run --scenario-runs x', (d) => ['run', '--scenario-runs', 'x', '--out', join(d, 'ev')], '--scenario-runs'),
  usage('simulate --epochs x', (d) => ['simulate', '--store', join(d, 's'), '--epochs', 'x'], '--epochs'),
  usage('simulate --checkpoint-every -1', (d) => ['simulate', '--store', join(d, 's'), '--checkpoint-every', '-1'], '--checkpoint-every'),
  usage('ledger show --epoch 0', (d) => ['ledger', 'show', join(d, 's'), '--epoch', '0'], '--epoch'),
  usage('verify without a directory', () => ['verify'], 'dir'),
  usage('replay without a file', () => ['replay'], 'file'),
  usage('keys dev without a label', (d) => ['keys', 'dev', '--out', join(d, 'n.key')], 'label'),
  usage('genesis with an unknown subcommand', () => ['genesis', 'burn'], 'burn'),
];

describe('bad input: flags', () => {
  for (const c of cases) test(c.name, () => runCase(c, fixture), 30_000);
});
