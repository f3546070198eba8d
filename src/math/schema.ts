/**
 * Small readers for canonical documents: each checks one value's shape and throws a QfsError with
 * the caller's code and the value's JSON path. Used by every document schema (genesis, governance
 * records, key files, later messages), so that every refusal names its field the same way.
 */
import { ID_LIMIT, LIMIT } from './certified-math.ts';
import { INTEGER, type Json } from './canonical.ts';
import { QfsError, type QfsErrorCode } from '../core/errors.ts';
import { PUBLIC_KEY_BYTES } from './signatures.ts';

export type JsonObject = { readonly [key: string]: Json };

export const at = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;

export class Reader {
  constructor(readonly code: QfsErrorCode) {}

  fail(path: string, message: string): never {
    throw new QfsError(this.code, path, message);
  }

  /** An object with exactly `keys` (the object's own path is the field of a key-set fault). */
  object(v: Json | undefined, path: string, keys: readonly string[]): JsonObject {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(path, 'expected an object');
    const o = v as JsonObject;
    const have = Object.keys(o);
    const missing = keys.filter((k) => !(k in o));
    const extra = have.filter((k) => !keys.includes(k));
    if (missing.length > 0 || extra.length > 0) {
      const parts = [];
      if (missing.length > 0) parts.push(`missing ${missing.join(', ')}`);
      if (extra.length > 0) parts.push(`unexpected ${[...extra].sort((a, b) => (a < b ? -1 : 1)).join(', ')}`);
      this.fail(path, `key set: ${parts.join('; ')}`);
    }
    return o;
  }

  array(v: Json | undefined, path: string): readonly Json[] {
    if (!Array.isArray(v)) this.fail(path, 'expected an array');
    return v as readonly Json[];
  }

  string(v: Json | undefined, path: string): string {
    if (typeof v !== 'string') this.fail(path, 'expected a string');
    return v as string;
  }

  /** A canonical integer string (any sign, any size). */
  integer(v: Json | undefined, path: string): bigint {
    if (typeof v !== 'string') this.fail(path, 'expected an integer string');
    if (!INTEGER.test(v as string)) this.fail(path, `${JSON.stringify(v)} is not a canonical integer string`);
    return BigInt(v as string);
  }

  /** An integer in [lo, hiExclusive). */
  bounded(v: Json | undefined, path: string, lo: bigint, hiExclusive: bigint): bigint {
    const x = this.integer(v, path);
    if (x < lo || x >= hiExclusive) this.fail(path, `${x} is outside [${lo}, ${hiExclusive})`);
    return x;
  }

  /** An id or epoch: an integer in [0, 2^63). */
  id(v: Json | undefined, path: string): bigint {
    return this.bounded(v, path, 0n, ID_LIMIT);
  }

  /** An amount, nonce, ψ or sync value: an integer in [0, 2^127). */
  unsigned(v: Json | undefined, path: string): bigint {
    return this.bounded(v, path, 0n, LIMIT);
  }

  /** A gradient or delta: an integer in [-2^127, 2^127). */
  signed(v: Json | undefined, path: string): bigint {
    return this.bounded(v, path, -LIMIT, LIMIT);
  }

  /** Lowercase hex of exactly `bytes` bytes. */
  hex(v: Json | undefined, path: string, bytes: number): string {
    const s = this.string(v, path);
    if (s.length !== bytes * 2 || !/^[0-9a-f]*$/.test(s)) this.fail(path, `expected ${bytes} bytes of lowercase hex`);
    return s;
  }

  /** An ML-DSA-87 public key in hex. */
  publicKey(v: Json | undefined, path: string): string {
    return this.hex(v, path, PUBLIC_KEY_BYTES);
  }
}
