/**
 * ML-DSA-87 (FIPS 204, Dilithium5) signatures as SPEC §2 pins them: keys from `KeyGen` on a
 * 32-byte seed, deterministic signing with an empty context, and the signed message
 * `utf8(tag) || 0x00 || H(tag, value)`. Signing and verifying go through ml-dsa.ts (liboqs when it
 * reproduces noble's bytes, else noble); both are cached by their inputs, since each is a pure
 * function of those bytes (PERFORMANCE.md).
 */
import { ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import type { Encodable } from './canonical.ts';
import { QfsError } from '../core/errors.ts';
import { mlDsa } from './ml-dsa.ts';
import { sha256, taggedHash, toHex, type Tag } from './hashing.ts';

export const PUBLIC_KEY_BYTES = 2592;
export const SECRET_KEY_BYTES = 4896;
export const SIGNATURE_BYTES = 4627;
export const SEED_BYTES = 32;

export interface KeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/** `ML-DSA.KeyGen` on a 32-byte seed. */
export function keygenFromSeed(seed: Uint8Array): KeyPair {
  if (seed.length !== SEED_BYTES) throw new QfsError('E_KEY', 'seed', `a key seed is ${SEED_BYTES} bytes, got ${seed.length}`);
  const { publicKey, secretKey } = ml_dsa87.keygen(seed);
  return { publicKey, secretKey };
}

/** The signed message of SPEC §2 for a digest computed with `tag`. */
export function signedMessage(tag: Tag, digest: Uint8Array): Uint8Array {
  const t = new TextEncoder().encode(tag);
  const m = new Uint8Array(t.length + 1 + digest.length);
  m.set(t, 0);
  m.set(digest, t.length + 1);
  return m;
}

const signCache = new Map<string, Uint8Array>();
const verifyCache = new Map<string, boolean>();
const CACHE_MAX = 1 << 14;

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(key, value);
  return value;
}

function cacheKey(...parts: Uint8Array[]): string {
  const h = new Uint8Array(parts.reduce((n, p) => n + p.length + 4, 0));
  let o = 0;
  for (const p of parts) {
    new DataView(h.buffer).setUint32(o, p.length);
    h.set(p, o + 4);
    o += p.length + 4;
  }
  return toHex(sha256(h));
}

/** Deterministic ML-DSA-87 signature of `digest` under `tag` (one message, one signature). */
export function signDigest(tag: Tag, digest: Uint8Array, secretKey: Uint8Array): Uint8Array {
  const msg = signedMessage(tag, digest);
  const key = cacheKey(secretKey, msg);
  const hit = signCache.get(key);
  if (hit) return hit;
  return remember(signCache, key, mlDsa.sign(msg, secretKey));
}

/** Signs the value: `sign(utf8(tag) || 0x00 || H(tag, value))`. */
export const signValue = (tag: Tag, value: Encodable, secretKey: Uint8Array): Uint8Array =>
  signDigest(tag, taggedHash(tag, value), secretKey);

/** True iff `signature` is a valid ML-DSA-87 signature of the digest under `publicKey`; never throws. */
export function verifyDigest(tag: Tag, digest: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (publicKey.length !== PUBLIC_KEY_BYTES || signature.length !== SIGNATURE_BYTES) return false;
  const msg = signedMessage(tag, digest);
  const key = cacheKey(publicKey, msg, signature);
  const hit = verifyCache.get(key);
  if (hit !== undefined) return hit;
  return remember(verifyCache, key, mlDsa.verify(signature, msg, publicKey));
}

/**
 * Development keys: derived from published seeds, `seed = SHA-256(utf8("qfs/v13/dev-key/" + label))`.
 * Anyone can recompute their secret keys: they are for demos and tests only, and everything that
 * prints one says so.
 */
export const DEV_KEY_PREFIX = 'qfs/v13/dev-key/';
export const devSeed = (label: string): Uint8Array => sha256(DEV_KEY_PREFIX + label);

const devKeys = new Map<string, KeyPair>();
export function devKey(label: string): KeyPair {
  const hit = devKeys.get(label);
  if (hit) return hit;
  const pair = keygenFromSeed(devSeed(label));
  devKeys.set(label, pair);
  return pair;
}
