/**
 * CertifiedMath (SPEC §1): bigint fixed point. Every division is `mulDiv` or `floorDiv` with
 * non-negative operands and a positive divisor; anything else, and any result outside the §1 range,
 * raises a MathViolation instead of guessing a rounding or wrapping around.
 */
import { QfsError } from '../core/errors.ts';
import { compareBigint } from '../core/vocabulary.ts';

/** One unit (1) in fixed point, and one token in base units. */
export const SCALE = 10n ** 18n;
/** Exclusive upper bound of every value (and `-LIMIT` the inclusive lower bound of signed ones). */
export const LIMIT = 2n ** 127n;
/** Exclusive upper bound of ids and epochs. */
export const ID_LIMIT = 2n ** 63n;

export type MathViolationReason = 'negative_operand' | 'zero_divisor' | 'out_of_range' | 'empty_median';

export class MathViolation extends QfsError {
  constructor(
    readonly reason: MathViolationReason,
    op: string,
    detail: string,
  ) {
    super('E_MATH', op, `MathViolation (${reason}) in ${op}: ${detail}`);
  }
}

/** `x` as an unsigned value: `0 <= x < 2^127`, else a MathViolation. */
export function checkUnsigned(x: bigint, op = 'value'): bigint {
  if (x < 0n || x >= LIMIT) throw new MathViolation('out_of_range', op, `${x} is outside [0, 2^127)`);
  return x;
}

/** `x` as a signed value: `-2^127 <= x < 2^127`, else a MathViolation. */
export function checkSigned(x: bigint, op = 'value'): bigint {
  if (x < -LIMIT || x >= LIMIT) throw new MathViolation('out_of_range', op, `${x} is outside [-2^127, 2^127)`);
  return x;
}

function operand(x: bigint, op: string, name: string): void {
  if (x < 0n) throw new MathViolation('negative_operand', op, `${name} = ${x} is negative`);
  if (x >= LIMIT) throw new MathViolation('out_of_range', op, `${name} = ${x} is outside [0, 2^127)`);
}

function divisor(c: bigint, op: string): void {
  if (c === 0n) throw new MathViolation('zero_divisor', op, 'divisor is zero');
  operand(c, op, 'divisor');
}

/** `floor(a * b / c)` for `a, b >= 0, c > 0`; the product is exact, the result must be in range. */
export function mulDiv(a: bigint, b: bigint, c: bigint): bigint {
  operand(a, 'mulDiv', 'a');
  operand(b, 'mulDiv', 'b');
  divisor(c, 'mulDiv');
  return checkUnsigned((a * b) / c, 'mulDiv');
}

/** `floor(a / c)` for `a >= 0, c > 0`. */
export function floorDiv(a: bigint, c: bigint): bigint {
  operand(a, 'floorDiv', 'a');
  divisor(c, 'floorDiv');
  return a / c;
}

/** Unsigned sum, range-checked. */
export function add(a: bigint, b: bigint): bigint {
  return checkUnsigned(a + b, 'add');
}

/** Unsigned difference, range-checked (a negative result is a violation, never a wrap). */
export function sub(a: bigint, b: bigint): bigint {
  return checkUnsigned(a - b, 'sub');
}

/** Unsigned product, range-checked. */
export function mul(a: bigint, b: bigint): bigint {
  return checkUnsigned(a * b, 'mul');
}

/** Signed difference (gradients, deltas), range-checked. */
export function subSigned(a: bigint, b: bigint): bigint {
  return checkSigned(a - b, 'subSigned');
}

/** Unsigned Σ, every partial sum range-checked. */
export function sum(xs: Iterable<bigint>): bigint {
  let s = 0n;
  for (const x of xs) {
    s += x;
    if (s >= LIMIT || s < 0n) throw new MathViolation('out_of_range', 'sum', `partial sum ${s} is outside [0, 2^127)`);
  }
  return s;
}

export const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
export const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
export const abs = (a: bigint): bigint => (a < 0n ? -a : a);

/** Ascending bigint comparator (for `Array.prototype.sort`, which would otherwise compare strings). */

/** Lower median: sort ascending, take index `floorDiv(n - 1, 2)`. Undefined (a violation) for `[]`. */
export function median(xs: readonly bigint[]): bigint {
  if (xs.length === 0) throw new MathViolation('empty_median', 'median', 'median of an empty list');
  const sorted = [...xs].sort(compareBigint);
  return sorted[Number(floorDiv(BigInt(sorted.length - 1), 2n))] as bigint;
}
