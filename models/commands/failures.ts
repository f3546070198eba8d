/** Invariant failures of the model-based suites: the id, the epoch, and the first difference between expected and actual. */
import { canonicalString, type Encodable, type Json } from '../../src/math/canonical.ts';

const clip = (s: string, n = 600): string => (s.length <= n ? s : `${s.slice(0, n)}… (${s.length} chars)`);

/** A broken invariant: its id, the epoch, what was expected and what was found. */
export class InvariantFailure extends Error {
  constructor(
    readonly id: string,
    readonly epoch: bigint,
    readonly detail: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`${id} broken at epoch ${epoch}: ${detail}\n  expected: ${clip(expected)}\n  actual:   ${clip(actual)}`);
    this.name = 'InvariantFailure';
  }
}

const text = (v: unknown): string => (typeof v === 'string' ? v : canonicalString(v as Encodable));

/** The path of the first difference between two canonical values, with the two sub-values (for readable failures). */
function firstDifference(e: Json, a: Json, path = ''): { path: string; expected: Json; actual: Json } {
  const isObj = (x: Json): x is { readonly [k: string]: Json } => x !== null && typeof x === 'object' && !Array.isArray(x);
  if (Array.isArray(e) && Array.isArray(a)) {
    const n = Math.max(e.length, a.length);
    for (let i = 0; i < n; i++) {
      if (i >= e.length || i >= a.length) return { path: `${path}[${i}]`, expected: i < e.length ? e[i]! : '(none)', actual: i < a.length ? a[i]! : '(none)' };
      if (canonicalString(e[i] as Encodable) !== canonicalString(a[i] as Encodable)) return firstDifference(e[i]!, a[i]!, `${path}[${i}]`);
    }
  } else if (isObj(e) && isObj(a)) {
    const keys = [...new Set([...Object.keys(e), ...Object.keys(a)])].sort();
    for (const k of keys) {
      const p = path === '' ? k : `${path}.${k}`;
      if (!(k in e) || !(k in a)) return { path: p, expected: k in e ? e[k]! : '(none)', actual: k in a ? a[k]! : '(none)' };
      if (canonicalString(e[k] as Encodable) !== canonicalString(a[k] as Encodable)) return firstDifference(e[k]!, a[k]!, p);
    }
  }
  return { path: path === '' ? '(the value)' : path, expected: e, actual: a };
}

export function expectSame(id: string, epoch: bigint, what: string, expected: unknown, actual: unknown): void {
  const e = text(expected);
  const a = text(actual);
  if (e === a) return;
  if (e.length + a.length < 400 || typeof expected === 'string' || typeof actual === 'string') throw new InvariantFailure(id, epoch, what, e, a);
  const d = firstDifference(JSON.parse(e) as Json, JSON.parse(a) as Json);
  throw new InvariantFailure(id, epoch, `${what}: first difference at ${d.path}`, text(d.expected), text(d.actual));
}
