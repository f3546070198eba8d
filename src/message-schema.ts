/**
 * Schema readers for the epoch's messages (SPEC §6: actions, oracle snapshots, the validator's
 * answer; later proposals and votes). A message that breaks its schema is *malformed*: that is a
 * value of the pipeline (a refusal, an EA-11 reason, an event), never an error of the program, so
 * these readers report the first fault as `{ field, message }` instead of a QfsError code.
 *
 * Ranges (§1): ids and epochs in `[0, 2^63)`; amounts, nonces, ψ and sync in `[0, 2^127)`;
 * gradients and deltas in `[-2^127, 2^127)`. Integers are canonical decimal strings (§2).
 */
import { ID_LIMIT, LIMIT } from './certified-math.ts';
import { INTEGER, type Json } from './canonical.ts';
import { err, ok, type Result } from './errors.ts';

export type JsonObject = { readonly [key: string]: Json };

/** The first schema fault of a message: the JSON path of the offending value and why. */
export type SchemaFault = { readonly field: string; readonly message: string };

class Malformed extends Error {
  constructor(readonly fault: SchemaFault) {
    super(fault.message);
  }
}

export const path = (p: string, key: string | number): string => (typeof key === 'number' ? `${p}[${key}]` : p === '' ? key : `${p}.${key}`);

/** Throwing readers, used inside `readMessage`, which turns the first fault into a value. */
export const m = {
  fail(field: string, message: string): never {
    throw new Malformed({ field, message });
  },
  object(v: Json | undefined, p: string, keys: readonly string[]): JsonObject {
    if (v === null || v === undefined || typeof v !== 'object' || Array.isArray(v)) m.fail(p, 'expected an object');
    const o = v as JsonObject;
    const have = Object.keys(o);
    if (have.length !== keys.length || !keys.every((k) => Object.prototype.hasOwnProperty.call(o, k))) {
      m.fail(p, `expected exactly the keys ${keys.join(', ')}`);
    }
    return o;
  },
  array(v: Json | undefined, p: string): readonly Json[] {
    if (!Array.isArray(v)) m.fail(p, 'expected an array');
    return v as readonly Json[];
  },
  string(v: Json | undefined, p: string): string {
    if (typeof v !== 'string') m.fail(p, 'expected a string');
    return v as string;
  },
  integer(v: Json | undefined, p: string, lo: bigint, hiExclusive: bigint): bigint {
    if (typeof v !== 'string' || !INTEGER.test(v)) m.fail(p, 'expected a canonical integer string');
    const x = BigInt(v as string);
    if (x < lo || x >= hiExclusive) m.fail(p, `${x} is outside [${lo}, ${hiExclusive})`);
    return x;
  },
  /** An id or an epoch: `[0, 2^63)`. */
  id: (v: Json | undefined, p: string): bigint => m.integer(v, p, 0n, ID_LIMIT),
  /** An amount, nonce, ψ or sync value: `[0, 2^127)`. */
  unsigned: (v: Json | undefined, p: string): bigint => m.integer(v, p, 0n, LIMIT),
  /** A gradient or delta: `[-2^127, 2^127)`. */
  signed: (v: Json | undefined, p: string): bigint => m.integer(v, p, -LIMIT, LIMIT),
} as const;

/** Runs a throwing reader; its first fault becomes an error value. */
export function readMessage<T>(read: () => T): Result<T, SchemaFault> {
  try {
    return ok(read());
  } catch (e) {
    if (e instanceof Malformed) return err(e.fault);
    throw e;
  }
}
