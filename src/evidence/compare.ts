/**
 * Byte-for-byte comparison of a package's files with the files a re-execution produced, naming
 * the first differing file and, for JSON and JSONL files, the first differing JSON field.
 */
import { canonicalString, parseCanonical, type Json } from '../math/canonical.ts';
import { at } from '../math/schema.ts';

export type Difference = { readonly file: string; readonly field: string; readonly package: string; readonly reexecuted: string };

const show = (v: Json | undefined): string => {
  if (v === undefined) return '(absent)';
  const s = canonicalString(v);
  return s.length > 120 ? `${s.slice(0, 120)}…` : s;
};

/** The first path (depth first, keys in canonical order) where two JSON values differ, or null. */
export function firstJsonDifference(a: Json | undefined, b: Json | undefined, path = ''): { path: string; a: Json | undefined; b: Json | undefined } | null {
  if (a === b) return null;
  const isObj = (v: Json | undefined): v is { readonly [k: string]: Json } => v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = a.length > b.length ? a.length : b.length;
    for (let i = 0; i < n; i++) {
      const d = firstJsonDifference(a[i], b[i], `${path}[${i}]`);
      if (d !== null) return d;
    }
    return null;
  }
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    for (const k of keys) {
      const d = firstJsonDifference(a[k], b[k], at(path, k));
      if (d !== null) return d;
    }
    return null;
  }
  if (a !== undefined && b !== undefined && canonicalString(a) === canonicalString(b)) return null;
  return { path, a, b };
}

function parseOr(bytes: Uint8Array): Json | undefined {
  try {
    return parseCanonical(bytes);
  } catch {
    return undefined;
  }
}

const decoder = new TextDecoder();

/** The first difference between one file's bytes in the package and in the re-execution, or null. */
export function fileDifference(file: string, pkg: Uint8Array, mine: Uint8Array): Difference | null {
  if (pkg.length === mine.length && pkg.every((x, i) => x === mine[i])) return null;
  if (file.endsWith('.jsonl')) {
    const la = decoder.decode(pkg).split('\n');
    const lb = decoder.decode(mine).split('\n');
    const n = la.length > lb.length ? la.length : lb.length;
    for (let i = 0; i < n; i++) {
      if (la[i] === lb[i]) continue;
      const ja = la[i] === undefined ? undefined : parseOr(new TextEncoder().encode(la[i]));
      const jb = lb[i] === undefined ? undefined : parseOr(new TextEncoder().encode(lb[i]));
      const d = ja !== undefined && jb !== undefined ? firstJsonDifference(ja, jb, `[${i}]`) : null;
      return { file, field: d?.path ?? `[${i}]`, package: d === null ? (la[i] ?? '(no line)') : show(d.a), reexecuted: d === null ? (lb[i] ?? '(no line)') : show(d.b) };
    }
  }
  const ja = parseOr(pkg);
  const jb = parseOr(mine);
  if (ja !== undefined && jb !== undefined) {
    const d = firstJsonDifference(ja, jb);
    if (d !== null) return { file, field: d.path, package: show(d.a), reexecuted: show(d.b) };
  }
  return { file, field: '', package: `${pkg.length} bytes`, reexecuted: `${mine.length} bytes` };
}
