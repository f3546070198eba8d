/**
 * Key files. A secret key file holds the 32-byte ML-DSA-87 seed (the secret key is derived from it);
 * like ssh, a secret key file readable by group or others is refused. Public key files hold the
 * public key only. Both are canonical JSON:
 *   secret: { format: "qfs-secret-key/1", label, development, seed, public_key }
 *   public: { format: "qfs-public-key/1", label, development, public_key }
 * `development: true` marks keys derived from a published seed: never for real evidence.
 */
import { statSync } from 'node:fs';
import { canonicalString, type Json } from '../math/canonical.ts';
import { QfsError } from '../core/errors.ts';
import { fromHex, toHex } from '../math/hashing.ts';
import { at, Reader } from '../math/schema.ts';
import { devSeed, keygenFromSeed, PUBLIC_KEY_BYTES, SEED_BYTES, type KeyPair } from '../math/signatures.ts';
import { readBytes, writeFileAtomic } from './files.ts';
import { parseCanonical } from '../math/canonical.ts';

export interface SecretKeyFile extends KeyPair {
  readonly label: string;
  readonly development: boolean;
}

export function secretKeyDocument(label: string, seed: Uint8Array, development: boolean): Json {
  const pair = keygenFromSeed(seed);
  return { format: 'qfs-secret-key/1', label, development, seed: toHex(seed), public_key: toHex(pair.publicKey) };
}

export function writeSecretKeyFile(path: string, label: string, seed: Uint8Array, development: boolean): void {
  writeFileAtomic(path, canonicalString(secretKeyDocument(label, seed, development)), 0o600);
}

export function writePublicKeyFile(path: string, label: string, publicKey: Uint8Array, development: boolean): void {
  writeFileAtomic(path, canonicalString({ format: 'qfs-public-key/1', label, development, public_key: toHex(publicKey) }));
}

/** Development key file contents for a published label (the seed is public). */
export const devSecretKeyDocument = (label: string): Json => secretKeyDocument(label, devSeed(label), true);

function parseKeyFile(path: string): Json {
  try {
    return parseCanonical(readBytes(path));
  } catch (e) {
    if (e instanceof QfsError && e.code !== 'E_IO') throw new QfsError('E_KEY', e.field, `${path}: not a key file (${e.message})`);
    throw e;
  }
}

export function readSecretKeyFile(path: string): SecretKeyFile {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (e) {
    throw new QfsError('E_IO', path, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if ((mode & 0o077) !== 0) {
    throw new QfsError(
      'E_KEY_PERMISSIONS',
      path,
      `secret key file is accessible by group or others (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${path}`,
    );
  }
  const r = new Reader('E_KEY');
  const o = r.object(parseKeyFile(path), '', ['format', 'label', 'development', 'seed', 'public_key']);
  if (o.format !== 'qfs-secret-key/1') r.fail('format', `${path}: expected "qfs-secret-key/1"`);
  const label = r.string(o.label, 'label');
  if (typeof o.development !== 'boolean') r.fail('development', 'expected a boolean');
  const seed = fromHex(r.hex(o.seed, 'seed', SEED_BYTES))!;
  const pair = keygenFromSeed(seed);
  if (toHex(pair.publicKey) !== r.publicKey(o.public_key, 'public_key')) r.fail('public_key', `${path}: the public key does not match the seed`);
  return { ...pair, label, development: o.development as boolean };
}

export function readPublicKeyFile(path: string): { publicKey: Uint8Array; label: string; development: boolean } {
  const r = new Reader('E_KEY');
  const doc = parseKeyFile(path);
  const o = r.object(doc, '', ['format', 'label', 'development', 'public_key']);
  if (o.format !== 'qfs-public-key/1') r.fail('format', `${path}: expected "qfs-public-key/1"`);
  if (typeof o.development !== 'boolean') r.fail('development', 'expected a boolean');
  const pk = fromHex(r.hex(o.public_key, at('', 'public_key'), PUBLIC_KEY_BYTES))!;
  return { publicKey: pk, label: r.string(o.label, 'label'), development: o.development as boolean };
}
