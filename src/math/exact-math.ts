/**
 * Exact (unbounded) integer helpers for the comparisons that judge a message (SPEC §1: "the
 * comparisons that check a message … are computed exactly, like the product inside mulDiv, so a lie
 * is attributed and never becomes a MathViolation"). Inside the §1 range they are CertifiedMath's
 * floorDiv and mulDiv; beyond it they still give the exact floor instead of raising.
 * They are for checks only: a value that enters the state is always formed by CertifiedMath.
 */
import { floorDiv, LIMIT } from './certified-math.ts';

/** `floor(a / c)` for `a >= 0, c > 0`, exact for any size. A negative operand or zero divisor is a program error. */
export function exactFloorDiv(a: bigint, c: bigint): bigint {
  if (a < 0n || c <= 0n) throw new RangeError(`exactFloorDiv: needs a >= 0 and c > 0 (a = ${a}, c = ${c})`);
  if (a < LIMIT && c < LIMIT) return floorDiv(a, c);
  // Binary long division: no `/` outside CertifiedMath.
  let q = 0n;
  let r = 0n;
  for (let i = BigInt(a.toString(2).length) - 1n; i >= 0n; i--) {
    r = (r << 1n) | ((a >> i) & 1n);
    if (r >= c) {
      r -= c;
      q |= 1n << i;
    }
  }
  return q;
}

/** `floor(a * b / c)` for `a, b >= 0, c > 0`, exact for any size. */
export const exactMulDiv = (a: bigint, b: bigint, c: bigint): bigint => {
  if (b < 0n) throw new RangeError(`exactMulDiv: b = ${b} is negative`);
  return exactFloorDiv(a * b, c);
};

/** Exact Σ (no range check). */
export const exactSum = (xs: Iterable<bigint>): bigint => {
  let s = 0n;
  for (const x of xs) s += x;
  return s;
};

export const exactAbs = (x: bigint): bigint => (x < 0n ? -x : x);
