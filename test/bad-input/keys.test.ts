/** Bad inputs of `qfs keys` and of every command that reads a key file. */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { makeFixture, qfs, runCase, type Case } from './harness.ts';
import { devSeed, keygenFromSeed } from '../../src/math/signatures.ts';
import { toHex } from '../../src/math/hashing.ts';
import { readSecretKeyFile } from '../../src/io/key-files.ts';
import { canonicalString, type Encodable } from '../../src/math/canonical.ts';

let fixture: string;
beforeAll(() => {
  fixture = makeFixture();
});

/** Rewrites k.key's document (mode 600 kept) with `f` applied. */
const editKey = (f: (d: Record<string, unknown>) => void) => (dir: string) => {
  const p = join(dir, 'k.key');
  const d = JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
  f(d);
  writeFileSync(p, canonicalString(d as Encodable));
  chmodSync(p, 0o600);
};
const rawKey = (text: string) => (dir: string) => {
  writeFileSync(join(dir, 'k.key'), text);
  chmodSync(join(dir, 'k.key'), 0o600);
};
const k = (d: string) => join(d, 'k.key');
const BAD_LABELS = ['bogus', 'founder-', 'founder-01', 'Founder-0', 'oracle ', 'founder-1234567', 'shard--1', 'evidence', 'operator2', 'shard-0/../x'];

const cases: Case[] = [
  { name: 'keys new --out an existing secret key', args: (d) => ['keys', 'new', '--out', k(d)], code: 2, error: 'E_USAGE', names: k },
  { name: 'keys new --public an existing file (no secret written either)', args: (d) => ['keys', 'new', '--out', join(d, 'n.key'), '--public', join(d, 'k.pub')], code: 2, error: 'E_USAGE', names: (d) => join(d, 'k.pub') },
  { name: 'keys new --out and --public the same file', args: (d) => ['keys', 'new', '--out', join(d, 'n.key'), '--public', join(d, 'n.key')], code: 2, error: 'E_USAGE', names: '--public' },
  { name: 'keys new --label of 129 characters', args: (d) => ['keys', 'new', '--out', join(d, 'n.key'), '--label', 'l'.repeat(129)], code: 2, error: 'E_USAGE', names: '--label' },
  { name: 'keys new --label with a newline', args: (d) => ['keys', 'new', '--out', join(d, 'n.key'), '--label', 'a\nb'], code: 2, error: 'E_USAGE', names: '--label' },
  { name: 'keys new --out a directory', args: (d) => ['keys', 'new', '--out', join(d, 'full')], code: 3, error: 'E_IO', names: (d) => join(d, 'full') },
  ...BAD_LABELS.map((label): Case => ({ name: `keys dev ${JSON.stringify(label)}: not a published label`, args: (d) => ['keys', 'dev', label, '--out', join(d, 'n.key')], code: 2, error: 'E_USAGE', names: 'label' })),
  { name: 'keys dev over an existing secret key', args: (d) => ['keys', 'dev', 'founder-1', '--out', k(d)], code: 2, error: 'E_USAGE', names: k },
  { name: 'keys dev --public over an existing file', args: (d) => ['keys', 'dev', 'founder-1', '--out', join(d, 'n.key'), '--public', join(d, 'k.pub')], code: 2, error: 'E_USAGE', names: (d) => join(d, 'k.pub') },
  { name: 'keys public of a missing file', args: (d) => ['keys', 'public', join(d, 'missing.key'), '--out', join(d, 'n.pub')], code: 3, error: 'E_IO', names: (d) => join(d, 'missing.key') },
  { name: 'keys public of a directory', args: (d) => ['keys', 'public', join(d, 'full'), '--out', join(d, 'n.pub')], code: 3, error: 'E_IO', names: (d) => join(d, 'full') },
  { name: 'keys public of /dev/zero', args: (d) => ['keys', 'public', '/dev/zero', '--out', join(d, 'n.pub')], code: 3, error: 'E_IO', names: '/dev/zero' },
  { name: 'keys public of /proc/self/environ', args: (d) => ['keys', 'public', '/proc/self/environ', '--out', join(d, 'n.pub')], code: 3, error: 'E_IO', names: '/proc/self/environ' },
  { name: 'keys public of a key readable by others', setup: (d) => chmodSync(k(d), 0o644), args: (d) => ['keys', 'public', k(d), '--out', join(d, 'n.pub')], code: 1, error: 'E_KEY_PERMISSIONS', names: k },
  { name: 'keys public of a key readable by the group', setup: (d) => chmodSync(k(d), 0o640), args: (d) => ['keys', 'public', k(d), '--out', join(d, 'n.pub')], code: 1, error: 'E_KEY_PERMISSIONS', names: k },
  { name: 'keys public of a file that is not JSON', setup: rawKey('not json'), args: (d) => ['keys', 'public', k(d), '--out', join(d, 'n.pub')], code: 1, error: 'E_KEY', names: k },
  { name: 'keys public of a key nested 30,000 deep', setup: rawKey(`${'['.repeat(30_000)}${']'.repeat(30_000)}`), args: (d) => ['keys', 'public', k(d), '--out', join(d, 'n.pub')], code: 1, error: 'E_KEY', names: k },
  { name: 'keys public of a key file of 100 KiB (limit 64 KiB)', setup: rawKey(' '.repeat(100 * 1024)), args: (d) => ['keys', 'public', k(d), '--out', join(d, 'n.pub')], code: 3, error: 'E_IO', names: k },
  { name: 'keys public of a key with the wrong format', setup: editKey((x) => (x.format = 'qfs-public-key/1')), args: (d) => ['keys', 'public', k(d), '--out', join(d, 'n.pub')], code: 1, error: 'E_KEY', names: 'format' },
  { name: 'keys public of a key with a short seed', setup: editKey((x) => (x.seed = 'abcd')), args: (d) => ['keys', 'public', k(d), '--out', join(d, 'n.pub')], code: 1, error: 'E_KEY', names: 'seed' },
  { name: 'keys public of a key whose public key is not its seed', setup: editKey((x) => (x.public_key = toHex(keygenFromSeed(devSeed('oracle')).publicKey))), args: (d) => ['keys', 'public', k(d), '--out', join(d, 'n.pub')], code: 1, error: 'E_KEY', names: 'public_key' },
  { name: 'keys public of a key with development "yes"', setup: editKey((x) => (x.development = 'yes')), args: (d) => ['keys', 'public', k(d), '--out', join(d, 'n.pub')], code: 1, error: 'E_KEY', names: 'development' },
  { name: 'keys public of a key with an extra key', setup: editKey((x) => (x.zz = '1')), args: (d) => ['keys', 'public', k(d), '--out', join(d, 'n.pub')], code: 1, error: 'E_KEY', names: '(document)' },
  { name: 'keys public of a key without a label', setup: editKey((x) => delete x.label), args: (d) => ['keys', 'public', k(d), '--out', join(d, 'n.pub')], code: 1, error: 'E_KEY', names: '(document)' },
  { name: 'keys public of a key with a 129-character label', setup: editKey((x) => (x.label = 'l'.repeat(129))), args: (d) => ['keys', 'public', k(d), '--out', join(d, 'n.pub')], code: 1, error: 'E_KEY', names: 'label' },
  { name: 'keys public over an existing file', args: (d) => ['keys', 'public', k(d), '--out', join(d, 'k.pub')], code: 2, error: 'E_USAGE', names: (d) => join(d, 'k.pub') },
  { name: 'keys public --out the secret key itself', args: (d) => ['keys', 'public', k(d), '--out', k(d)], code: 2, error: 'E_USAGE', names: '--out' },
  { name: 'keys public --out under a file', args: (d) => ['keys', 'public', k(d), '--out', join(d, 'file.txt', 'n.pub')], code: 3, error: 'E_IO', names: (d) => join(d, 'file.txt', 'n.pub') },
  { name: 'a public key file given as a secret key (mode 644)', args: (d) => ['keys', 'public', join(d, 'k.pub'), '--out', join(d, 'n.pub')], code: 1, error: 'E_KEY_PERMISSIONS', names: (d) => join(d, 'k.pub') },
  { name: 'a public key file given as a secret key (mode 600)', setup: (d) => chmodSync(join(d, 'k.pub'), 0o600), args: (d) => ['keys', 'public', join(d, 'k.pub'), '--out', join(d, 'n.pub')], code: 1, error: 'E_KEY', names: '(document)' },
  { name: 'verify --key a missing public key', setup: (d) => mkdirSync(join(d, 'pkg')), args: (d) => ['verify', join(d, 'pkg'), '--key', join(d, 'missing.pub')], code: 3, error: 'E_IO', names: (d) => join(d, 'missing.pub') },
  { name: 'verify --key a secret key file', setup: (d) => mkdirSync(join(d, 'pkg')), args: (d) => ['verify', join(d, 'pkg'), '--key', k(d)], code: 1, error: 'E_KEY', names: '(document)' },
  { name: 'verify --key a file that is not JSON', setup: (d) => mkdirSync(join(d, 'pkg')), args: (d) => ['verify', join(d, 'pkg'), '--key', join(d, 'file.txt')], code: 1, error: 'E_KEY', names: (d) => join(d, 'file.txt') },
  { name: 'run --key a key readable by others (refused before any work)', setup: (d) => chmodSync(k(d), 0o644), args: (d) => ['run', '--key', k(d), '--out', join(d, 'ev')], code: 1, error: 'E_KEY_PERMISSIONS', names: k },
];

describe('bad input: keys', () => {
  for (const c of cases) test(c.name, () => runCase(c, fixture), 60_000);
});

describe('development keys are recognised whatever the file says', () => {
  test('keys.dev-relabelled: a development seed saved as development false, under another label, reads as a development key', async () => {
    const dir = makeFixture();
    const p = join(dir, 'relabelled.key');
    const pair = keygenFromSeed(devSeed('founder-1'));
    writeFileSync(p, JSON.stringify({ development: false, format: 'qfs-secret-key/1', label: 'mine', public_key: toHex(pair.publicKey), seed: toHex(devSeed('founder-1')) }), { mode: 0o600 });
    chmodSync(p, 0o600);
    expect(readSecretKeyFile(p).development).toBe(true);
    const r = await qfs(['keys', 'public', p, '--out', join(dir, 'relabelled.pub')]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('DEVELOPMENT key');
    expect(JSON.parse(readFileSync(join(dir, 'relabelled.pub'), 'utf8')).development).toBe(true);
    // A random key stays a real one.
    const q = join(dir, 'real.key');
    expect((await qfs(['keys', 'new', '--out', q])).code).toBe(0);
    expect(readSecretKeyFile(q).development).toBe(false);
  });

  test('keys.force: --force sets the old secret key aside (never deleted)', async () => {
    const dir = makeFixture();
    const before = readFileSync(join(dir, 'k.key'));
    const r = await qfs(['keys', 'new', '--out', join(dir, 'k.key'), '--force']);
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(join(dir, 'k.key.replaced-1'))).toEqual(before);
    expect(readFileSync(join(dir, 'k.key'))).not.toEqual(before);
  });
});
