/** SPEC §1 CertifiedMath: exact floors, the range, and every violation raises E_MATH with its reason. */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { checkSigned, checkUnsigned, floorDiv, LIMIT, MathViolation, median, mulDiv } from '../src/math/certified-math.ts';

const EDGE = [0n, 1n, 2n, LIMIT - 2n, LIMIT - 1n, 2n ** 64n - 1n, 2n ** 64n, 2n ** 126n, 10n ** 18n];
/** Unsigned in range, biased towards the 2^127 edges. */
const u127 = fc.oneof(fc.constantFrom(...EDGE), fc.bigInt({ min: 0n, max: LIMIT - 1n }), fc.bigInt({ min: LIMIT - 2n ** 20n, max: LIMIT - 1n }));
const positive = u127.filter((c) => c > 0n);

/** The exact rational floor, computed independently of mulDiv (by bisection on q·c <= a·b). */
function exactFloor(n: bigint, c: bigint): bigint {
  let lo = 0n;
  let hi = n + 1n;
  while (hi - lo > 1n) {
    const mid = (lo + hi) >> 1n;
    if (mid * c <= n) lo = mid;
    else hi = mid;
  }
  return lo;
}

function reasonOf(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(MathViolation);
    expect((e as MathViolation).code).toBe('E_MATH');
    return (e as MathViolation).reason;
  }
}

describe('math', () => {
  test.prop([u127, u127, positive])('math.mulDiv.exact: mulDiv(a, b, c) = floor(a·b / c), or out_of_range when that leaves [0, 2^127)', (a, b, c) => {
    const q = exactFloor(a * b, c);
    if (q < LIMIT) expect(mulDiv(a, b, c)).toBe(q);
    else expect(reasonOf(() => mulDiv(a, b, c))).toBe('out_of_range');
  });

  test.prop([u127, positive])('math.floorDiv.exact: floorDiv(a, c) = floor(a / c)', (a, c) => {
    expect(floorDiv(a, c)).toBe(exactFloor(a, c));
  });

  test.prop([fc.bigInt({ max: -1n }), u127, positive])('math.negative-operand: any negative operand of mulDiv/floorDiv raises negative_operand', (neg, x, c) => {
    expect(reasonOf(() => mulDiv(neg, x, c))).toBe('negative_operand');
    expect(reasonOf(() => mulDiv(x, neg, c))).toBe('negative_operand');
    expect(reasonOf(() => mulDiv(x, x, neg))).toBe('negative_operand');
    expect(reasonOf(() => floorDiv(neg, c))).toBe('negative_operand');
    expect(reasonOf(() => floorDiv(x, neg))).toBe('negative_operand');
  });

  test.prop([u127])('math.zero-divisor: a zero divisor raises zero_divisor', (a) => {
    expect(reasonOf(() => mulDiv(a, a, 0n))).toBe('zero_divisor');
    expect(reasonOf(() => floorDiv(a, 0n))).toBe('zero_divisor');
  });

  test.prop([fc.bigInt({ min: LIMIT, max: LIMIT * 4n })])('math.range: values at or above 2^127 are out_of_range, never wrapped', (big) => {
    expect(reasonOf(() => checkUnsigned(big))).toBe('out_of_range');
    expect(reasonOf(() => checkSigned(big))).toBe('out_of_range');
    expect(reasonOf(() => checkSigned(-big - 1n))).toBe('out_of_range');
    expect(checkSigned(-LIMIT)).toBe(-LIMIT);
    expect(reasonOf(() => mulDiv(big, 1n, 1n))).toBe('out_of_range');
    expect(reasonOf(() => floorDiv(1n, big))).toBe('out_of_range');
  });

  test.prop([fc.array(fc.bigInt({ min: -(2n ** 130n), max: 2n ** 130n }), { minLength: 1, maxLength: 40 })])(
    'math.median.lower: the median is the element of sorted index floor((n-1)/2) (fewer than k+1 below it, more than k at or below)',
    (xs) => {
      const m = median(xs);
      expect(xs).toContain(m);
      const below = xs.filter((x) => x < m).length;
      const atOrBelow = xs.filter((x) => x <= m).length;
      const k = Math.floor((xs.length - 1) / 2); // index of the lower median in sorted order
      expect(below).toBeLessThanOrEqual(k);
      expect(atOrBelow).toBeGreaterThan(k);
    },
  );

  test('math.median.empty: the median of [] raises empty_median', () => {
    expect(reasonOf(() => median([]))).toBe('empty_median');
  });
});
