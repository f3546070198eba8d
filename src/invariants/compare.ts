/** How a check reports: a recomputed value against the record's or the state's, as canonical text. */
import { canonicalString, type Encodable } from '../math/canonical.ts';
import type { EpochRecord } from '../epoch/epoch-record.ts';
import type { Move, MoveKind } from '../economics/state.ts';
import type { StepArgs, Violation } from './step-check.ts';

/** Canonical text of a value (`(none)` for a missing one). */
export const enc = (v: unknown): string => (v === undefined ? '(none)' : canonicalString(v as Encodable));

export function same(what: string, expected: unknown, actual: unknown): Violation | null {
  const e = enc(expected);
  const a = enc(actual);
  return e === a ? null : { message: `${what} differs from its recomputation`, expected: e, actual: a };
}

/** The first differing element of two lists (by canonical bytes), or a length difference. */
export function sameList(what: string, expected: readonly unknown[] | undefined, actual: readonly unknown[] | undefined): Violation | null {
  if (!Array.isArray(actual)) return { message: `${what} is not a list`, expected: 'a list', actual: enc(actual) };
  const ex = expected ?? [];
  const n = ex.length > actual.length ? ex.length : actual.length;
  for (let i = 0; i < n; i++) {
    const e = enc(ex[i]);
    const a = enc(actual[i]);
    if (e !== a) return { message: `${what}[${i}] differs from its recomputation`, expected: e, actual: a };
  }
  return null;
}

export const fail = (message: string, expected: unknown, actual: unknown): Violation => ({
  message,
  expected: typeof expected === 'string' ? expected : enc(expected),
  actual: typeof actual === 'string' ? actual : enc(actual),
});

/** The first non-null of lazily evaluated checks. */
export function first(...checks: (() => Violation | null)[]): Violation | null {
  for (const c of checks) {
    const v = c();
    if (v !== null) return v;
  }
  return null;
}

export const total = (xs: readonly bigint[]): bigint => xs.reduce((s, x) => s + x, 0n);
export const isCommit = (x: StepArgs): boolean => x.record.outcome === 'commit';
export const movesOf = (r: EpochRecord, kinds: readonly MoveKind[]): Move[] => r.moves.filter((mv) => kinds.includes(mv.kind));
