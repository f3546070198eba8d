/**
 * Bad inputs of `qfs verify` (evidence directories) and the store commands' path handling as it
 * is today (the store's own faults — anchors, cut tails, recovery — are the store suite's).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, test } from 'vitest';
import { makeFixture, runCase, type Case } from './harness.ts';

let fixture: string;
beforeAll(() => {
  fixture = makeFixture();
});

const MANIFEST = 'phase3_manifest.json';
const pkg = (d: string) => join(d, 'pkg');
/** An evidence directory holding only `files` (name → contents). */
const withFiles = (files: Record<string, string | Buffer>) => (d: string) => {
  mkdirSync(pkg(d));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(pkg(d), name), text);
};
// --reexecute is a trust root, so the directory's own faults are reached (plain `verify DIR` is a usage error: no trust root).
const evidence = (name: string, setup: (d: string) => void, names: string): Case => ({ name, setup, args: (d) => ['verify', pkg(d), '--reexecute'], code: 1, error: 'E_EVIDENCE', names });
const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

const cases: Case[] = [
  { name: 'verify a missing directory', args: (d) => ['verify', join(d, 'nope'), '--reexecute'], code: 3, error: 'E_IO', names: (d) => join(d, 'nope') },
  { name: 'verify a file', args: (d) => ['verify', join(d, 'file.txt'), '--reexecute'], code: 3, error: 'E_IO', names: (d) => join(d, 'file.txt') },
  { name: 'verify /proc/self (would block or never end)', args: () => ['verify', '/proc/self', '--reexecute'], code: 3, error: 'E_IO' },
  { name: 'verify /dev', args: () => ['verify', '/dev', '--reexecute'], code: 3, error: 'E_IO' },
  evidence('verify an empty directory', withFiles({}), MANIFEST),
  evidence('verify a directory with a stray file only', withFiles({ 'notes.txt': 'x' }), MANIFEST),
  evidence('a manifest that is not JSON', withFiles({ [MANIFEST]: 'not json' }), MANIFEST),
  evidence('a manifest nested 50,000 deep', withFiles({ [MANIFEST]: nested(50_000) }), MANIFEST),
  evidence('a manifest with a 2 MiB string', withFiles({ [MANIFEST]: `"${'x'.repeat(2 * 1024 * 1024)}"` }), MANIFEST),
  evidence('a manifest that is an empty object', withFiles({ [MANIFEST]: '{}' }), MANIFEST),
  evidence('a manifest with invalid UTF-8', withFiles({ [MANIFEST]: Buffer.from([0x7b, 0xff, 0x7d]) }), MANIFEST),
  evidence('a manifest that is a directory', (d) => mkdirSync(join(pkg(d), MANIFEST), { recursive: true }), MANIFEST),
  evidence('a manifest that is a FIFO', (d) => {
    mkdirSync(pkg(d));
    if (spawnSync('mkfifo', [join(pkg(d), MANIFEST)]).status !== 0) throw new Error('mkfifo failed');
  }, MANIFEST),
  evidence('a manifest that links to /dev/zero', (d) => {
    mkdirSync(pkg(d));
    symlinkSync('/dev/zero', join(pkg(d), MANIFEST));
  }, MANIFEST),
  { name: 'verify --key under /proc', setup: withFiles({}), args: (d) => ['verify', pkg(d), '--key', '/proc/self/environ'], code: 3, error: 'E_IO', names: '/proc/self/environ' },
  { name: 'verify --key a directory', setup: withFiles({}), args: (d) => ['verify', pkg(d), '--key', join(d, 'full')], code: 3, error: 'E_IO', names: (d) => join(d, 'full') },
];

/** The store commands' path handling today (exit code and coded line); the store's own faults are tested by the store suite. */
const store: Case[] = [
  { name: 'ledger recover of a missing store (no anchor either)', args: (d) => ['ledger', 'recover', join(d, 'nope')], code: 3, error: 'E_IO', names: (d) => join(d, 'nope') },
  { name: 'ledger recover a missing store (with an anchor file)', args: (d) => ['ledger', 'recover', join(d, 'nope'), '--anchor', join(d, 'file.txt')], code: 3, error: 'E_IO', names: (d) => join(d, 'nope') },
  { name: 'ledger verify of a missing store with --anchor /dev/zero (the store is the first fault)', args: (d) => ['ledger', 'verify', join(d, 'nope'), '--anchor', '/dev/zero'], code: 3, error: 'E_IO', names: (d) => join(d, 'nope') },
  { name: 'ledger verify of a missing store with --anchor a directory', args: (d) => ['ledger', 'verify', join(d, 'nope'), '--anchor', join(d, 'full')], code: 3, error: 'E_IO', names: (d) => join(d, 'nope') },
  { name: 'ledger show --epoch 1 of a missing store', args: (d) => ['ledger', 'show', join(d, 'nope'), '--epoch', '1'], code: 3, error: 'E_IO', names: (d) => join(d, 'nope', 'record', '1.json') },
  { name: 'simulate --anchor under /sys', args: (d) => ['simulate', '--store', join(d, 's'), '--anchor', '/sys/a.json', '--epochs', '1'], code: 3, error: 'E_IO', names: '/sys/a.json' },
  { name: 'simulate --store under /proc', args: () => ['simulate', '--store', '/proc/self/s', '--epochs', '1'], code: 3, error: 'E_IO' },
  { name: 'simulate --genesis a missing directory', args: (d) => ['simulate', '--store', join(d, 's'), '--genesis', join(d, 'nope'), '--epochs', '1'], code: 3, error: 'E_IO', names: (d) => join(d, 'nope') },
  { name: 'simulate --genesis a file', args: (d) => ['simulate', '--store', join(d, 's'), '--genesis', join(d, 'file.txt'), '--epochs', '1'], code: 3, error: 'E_IO', names: (d) => join(d, 'file.txt') },
];

describe('bad input: evidence packages', () => {
  for (const c of cases) test(c.name, () => runCase(c, fixture), 60_000);
});

describe('bad input: store paths (current behaviour)', () => {
  for (const c of store) test(c.name, () => runCase(c, fixture), 60_000);
});
