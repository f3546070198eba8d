/** Key files: permissions like ssh, coded errors for malformed files, development keys labelled. */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { QfsError } from '../src/core/errors.ts';
import { toHex } from '../src/math/hashing.ts';
import { readPublicKeyFile, readSecretKeyFile, writePublicKeyFile, writeSecretKeyFile } from '../src/io/key-files.ts';
import { devKey, devSeed } from '../src/math/signatures.ts';

const tmp = mkdtempSync(join(tmpdir(), 'qfs-keys-'));
const codeOf = (f: () => unknown) => {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (e instanceof QfsError) return `${e.code} ${e.field}`;
    throw e;
  }
};

describe('key files', () => {
  test('keys.roundtrip: a secret key file is written with mode 600 and reads back to the same key pair', () => {
    const p = join(tmp, 'a.key');
    writeSecretKeyFile(p, 'founder-0', devSeed('founder-0'), true);
    const k = readSecretKeyFile(p);
    expect(toHex(k.publicKey)).toBe(toHex(devKey('founder-0').publicKey));
    expect(k.development).toBe(true);
    const pub = join(tmp, 'a.pub');
    writePublicKeyFile(pub, k.label, k.publicKey, k.development);
    expect(toHex(readPublicKeyFile(pub).publicKey)).toBe(toHex(k.publicKey));
  });

  test('keys.permissions: a secret key readable by group or others is refused, as ssh does', () => {
    const p = join(tmp, 'b.key');
    writeSecretKeyFile(p, 'x', devSeed('x'), true);
    for (const mode of [0o640, 0o604, 0o660, 0o644]) {
      chmodSync(p, mode);
      expect(codeOf(() => readSecretKeyFile(p))).toBe(`E_KEY_PERMISSIONS ${p}`);
    }
    chmodSync(p, 0o400);
    expect(codeOf(() => readSecretKeyFile(p))).toBe('ok');
  });

  test('keys.malformed: wrong format, a public key that does not match the seed, non-JSON and missing files are coded errors', () => {
    const p = join(tmp, 'c.key');
    writeSecretKeyFile(p, 'y', devSeed('y'), true);
    const doc = JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
    const write = (d: string) => {
      writeFileSync(p, d, { mode: 0o600 });
      chmodSync(p, 0o600);
    };
    write(JSON.stringify({ ...doc, public_key: toHex(devKey('z').publicKey) }).replace(/\s/g, ''));
    expect(codeOf(() => readSecretKeyFile(p))).toBe('E_KEY public_key');
    write(JSON.stringify({ ...doc, seed: 'abcd' }));
    expect(codeOf(() => readSecretKeyFile(p))).toBe('E_KEY seed');
    write('not json');
    expect(codeOf(() => readSecretKeyFile(p)).startsWith('E_KEY')).toBe(true);
    expect(codeOf(() => readSecretKeyFile(join(tmp, 'missing.key')))).toBe(`E_IO ${join(tmp, 'missing.key')}`);
  });
});
