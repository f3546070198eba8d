/**
 * Numbers for people: base units (18 implied decimals, SPEC §1's SCALE) as token units, exact
 * fractions as percentages, and the same values as plain numbers for charts (a chart only needs
 * the shape; tables keep the exact digits).
 */

export const DECIMALS = 18;
const SCALE = 10n ** BigInt(DECIMALS);

const INTEGER = /^-?[0-9]+$/;

/** A canonical integer string (or bigint) as a bigint; null for anything else. */
export function big(x: unknown): bigint | null {
  if (typeof x === 'bigint') return x;
  if (typeof x === 'string' && INTEGER.test(x)) return BigInt(x);
  return null;
}

/** Groups of three digits separated by a thin space would not copy well; a plain comma it is. */
const group = (digits: string): string => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/**
 * Base units as token units, exact: `783374700000000000000000` → `783,374.7`. Trailing zeros of
 * the 18 decimals are dropped (nothing is rounded); `decimals` keeps at most that many, rounding
 * toward zero, and says so with a leading `≈`.
 */
export function tokenUnits(x: unknown, decimals = DECIMALS): string {
  const v = big(x);
  if (v === null) return String(x);
  const neg = v < 0n;
  const a = neg ? -v : v;
  const whole = a / SCALE;
  const frac = (a % SCALE).toString().padStart(DECIMALS, '0');
  const kept = frac.slice(0, decimals).replace(/0+$/, '');
  const cut = frac.slice(decimals).replace(/0+$/, '') !== '';
  return `${cut ? '≈' : ''}${neg ? '-' : ''}${group(whole.toString())}${kept === '' ? '' : `.${kept}`}`;
}

/** A fixed-point value (SCALE = 1.0) as a number, for charts. */
export function fixedToNumber(x: unknown): number | null {
  const v = big(x);
  if (v === null) return null;
  const neg = v < 0n;
  const a = neg ? -v : v;
  // Whole part exactly, then 18 decimals: a double keeps about 16 significant digits anyway.
  const n = Number(a / SCALE) + Number(a % SCALE) / 1e18;
  return neg ? -n : n;
}

/** `"<num>/<den>"` (P11.8) as [num, den]; null for `n/a` or anything malformed. */
export function parseFraction(s: unknown): [bigint, bigint] | null {
  if (typeof s !== 'string') return null;
  const m = /^(-?[0-9]+)\/([0-9]+)$/.exec(s);
  if (m === null || BigInt(m[2]!) === 0n) return null;
  return [BigInt(m[1]!), BigInt(m[2]!)];
}

/** An exact fraction as a percentage with `digits` decimals (rounded toward zero): `0/7833` → `0%`. */
export function percent(f: [bigint, bigint] | null, digits = 4): string {
  if (f === null) return 'n/a';
  const [n, d] = f;
  if (n === 0n) return '0%';
  const neg = n < 0n !== d < 0n;
  const an = n < 0n ? -n : n;
  const ad = d < 0n ? -d : d;
  const scaled = (an * 100n * 10n ** BigInt(digits)) / ad;
  const s = scaled.toString().padStart(digits + 1, '0');
  const text = `${s.slice(0, s.length - digits)}.${s.slice(s.length - digits)}`.replace(/\.?0+$/, '');
  const tiny = scaled === 0n ? '<' : '';
  return `${neg ? '-' : ''}${tiny}${tiny ? `0.${'0'.repeat(digits - 1)}1` : text}%`;
}

/** A fraction as a percentage number, for charts. */
export function percentNumber(f: [bigint, bigint] | null): number | null {
  if (f === null) return null;
  const [n, d] = f;
  // 1e6 of a percent keeps the shape of tiny shifts without overflowing a double.
  return Number((n * 100_000_000n) / d) / 1_000_000;
}

/** A percentage of a fixed-point ratio (SCALE = 100%). */
export function fixedPercent(x: unknown): string {
  const v = big(x);
  return v === null ? String(x) : percent([v, SCALE]);
}

/** Short form of a 64-hex root or hash. */
export const short = (h: unknown): string => (typeof h === 'string' && h.length > 16 ? `${h.slice(0, 12)}…` : String(h));
