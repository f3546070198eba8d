/**
 * Output paths of every writing command, checked before any work (docs/spec.md P13.4): under
 * /proc, /sys or /dev, a special file, a link into /proc, under an existing file, the wrong kind,
 * or an existing output without --force. Nothing under the case directory may change.
 */
import { spawnSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, test } from 'vitest';
import { makeFixture, runCase, type Case } from './harness.ts';

let fixture: string;
beforeAll(() => {
  fixture = makeFixture();
});

type Kind = { readonly name: string; readonly setup?: (d: string) => void; readonly path: (d: string) => string; readonly code: number; readonly error: string };
const mkfifo = (p: string) => {
  const r = spawnSync('mkfifo', [p]);
  if (r.status !== 0) throw new Error('mkfifo failed');
};

const common: Kind[] = [
  { name: 'under /proc', path: () => '/proc/self/qfs-out', code: 3, error: 'E_IO' },
  { name: 'under /sys', path: () => '/sys/qfs-out', code: 3, error: 'E_IO' },
  { name: 'under /dev', path: () => '/dev/qfs-out', code: 3, error: 'E_IO' },
  { name: 'under an existing file', path: (d) => join(d, 'file.txt', 'out'), code: 3, error: 'E_IO' },
  { name: 'a FIFO', setup: (d) => mkfifo(join(d, 'fifo')), path: (d) => join(d, 'fifo'), code: 3, error: 'E_IO' },
  { name: 'a link into /proc', setup: (d) => symlinkSync('/proc/self/environ', join(d, 'lnk')), path: (d) => join(d, 'lnk'), code: 3, error: 'E_IO' },
];
const fileKinds: Kind[] = [
  ...common,
  { name: '/dev/null', path: () => '/dev/null', code: 3, error: 'E_IO' },
  { name: 'an existing directory', path: (d) => join(d, 'full'), code: 3, error: 'E_IO' },
  { name: 'an existing file without --force', path: (d) => join(d, 'file.txt'), code: 2, error: 'E_USAGE' },
];
const dirKinds: Kind[] = [
  ...common,
  { name: 'an existing file', path: (d) => join(d, 'file.txt'), code: 3, error: 'E_IO' },
  { name: 'a non-empty directory without --force', path: (d) => join(d, 'full'), code: 2, error: 'E_USAGE' },
];

const fileCommands: { readonly name: string; readonly args: (d: string, out: string) => string[] }[] = [
  { name: 'keys new --out', args: (_d, o) => ['keys', 'new', '--out', o] },
  { name: 'keys new --public', args: (d, o) => ['keys', 'new', '--out', join(d, 'n.key'), '--public', o] },
  { name: 'keys dev --out', args: (_d, o) => ['keys', 'dev', 'founder-1', '--out', o] },
  { name: 'keys public --out', args: (d, o) => ['keys', 'public', join(d, 'k.key'), '--out', o] },
  { name: 'replay --export-test', args: (d, o) => ['replay', join(d, 'cx.json'), '--export-test', o] },
];
const dirCommands: { readonly name: string; readonly args: (d: string, out: string) => string[] }[] = [
  { name: 'genesis new --out', args: (_d, o) => ['genesis', 'new', '--out', o] },
  { name: 'economy --out', args: (_d, o) => ['economy', '--epochs', '2', '--out', o] },
  { name: 'run --out (before any work)', args: (_d, o) => ['run', '--out', o] },
];

const cases: Case[] = [
  ...fileCommands.flatMap((c) => fileKinds.map((k): Case => ({ name: `${c.name} ${k.name}`, ...(k.setup ? { setup: k.setup } : {}), args: (d) => c.args(d, k.path(d)), code: k.code, error: k.error, names: k.path }))),
  ...dirCommands.flatMap((c) => dirKinds.map((k): Case => ({ name: `${c.name} ${k.name}`, ...(k.setup ? { setup: k.setup } : {}), args: (d) => c.args(d, k.path(d)), code: k.code, error: k.error, names: k.path }))),
  { name: 'check --counterexamples under /proc', args: () => ['check', '--property', 'adversary.EA-1', '--runs', '1', '--counterexamples', '/proc/self/cx'], code: 3, error: 'E_IO', names: '/proc/self/cx' },
  { name: 'check --counterexamples under a file', args: (d) => ['check', '--property', 'adversary.EA-1', '--runs', '1', '--counterexamples', join(d, 'file.txt', 'cx')], code: 3, error: 'E_IO', names: (d) => join(d, 'file.txt', 'cx') },
  { name: 'run --counterexamples a file (before any work)', args: (d) => ['run', '--out', join(d, 'ev'), '--counterexamples', join(d, 'file.txt')], code: 3, error: 'E_IO', names: (d) => join(d, 'file.txt') },
];

describe('bad input: output paths', () => {
  for (const c of cases) test(c.name, () => runCase(c, fixture), 30_000);
});
