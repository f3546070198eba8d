/** What every vector family shares: the file shape and how integers and values are written. */
import { canonicalString, type Encodable, type Json } from '../../src/math/canonical.ts';
import { MathViolation, SCALE } from '../../src/math/certified-math.ts';

export type Vectors = Record<string, unknown>;
/** An integer as the vectors write it: a decimal string. */
export const s = (x: bigint) => x.toString();
export const S = SCALE;
/** A value as the vectors write it: canonical JSON (integers as decimal strings, keys sorted). */
export const j = (v: unknown): Json => JSON.parse(canonicalString(v as Encodable)) as Json;
export const strs = (xs: readonly bigint[]): string[] => xs.map(s);

/** An error case: the { code, reason } of the MathViolation (anything else is a bug in the generator). */
export function mathError(e: unknown): { code: string; reason: string } {
  if (!(e instanceof MathViolation)) throw e;
  return { code: e.code, reason: e.reason };
}
