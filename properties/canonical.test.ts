/** SPEC §2: canonical bytes, refusals, and tagged hashes. */
import { fc, test } from '@fast-check/vitest';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { describe, expect } from 'vitest';
import { canonicalString, parseCanonical, type Encodable, type Json } from '../src/math/canonical.ts';
import { QfsError } from '../src/core/errors.ts';
import { sha256, taggedHash, TAGS, toHex } from '../src/math/hashing.ts';

const key = fc.stringMatching(/^[a-z0-9_]{1,6}$/);
const text = fc.string({ unit: 'grapheme', maxLength: 12 });
/** Values of the canonical subset, integers as bigints (the encoder's input). */
const value: fc.Arbitrary<Encodable> = fc.letrec<{ v: Encodable }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    text,
    fc.bigInt({ min: -(2n ** 130n), max: 2n ** 130n }),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(key, tie('v'), { maxKeys: 4 }),
  ),
})).v;

/** The same object with its keys inserted in another order. */
function shuffleKeys(v: Encodable, rnd: () => number): Encodable {
  if (Array.isArray(v)) return v.map((x) => shuffleKeys(x, rnd));
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v).sort(() => rnd() - 0.5);
    return Object.fromEntries(entries.map(([k, x]) => [k, shuffleKeys(x, rnd)]));
  }
  return v;
}

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    if (e instanceof QfsError) return e.code;
    throw e;
  }
};

describe('canonical', () => {
  test.prop([value, fc.integer()])('canonical.key-order: canonical bytes do not depend on key insertion order', (v, s) => {
    let x = s;
    const rnd = () => ((x = (x * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    expect(canonicalString(shuffleKeys(v, rnd))).toBe(canonicalString(v));
  });

  test.prop([value])('canonical.roundtrip: canonical text parses back and re-encodes to the same bytes', (v) => {
    const t = canonicalString(v);
    expect(canonicalString(parseCanonical(t) as Encodable)).toBe(t);
    expect(parseCanonical(new TextEncoder().encode(t))).toEqual(parseCanonical(t));
  });

  test.prop([fc.double().filter((d) => !Number.isSafeInteger(d))])('canonical.no-floats: floats, NaN and infinities are refused', (d) => {
    expect(codeOf(() => canonicalString({ a: d }))).toBe('E_CANONICAL');
  });

  test('canonical.refusals: undefined, non-ASCII keys, upper-case keys, lone surrogates, class instances', () => {
    for (const bad of [{ a: undefined }, { ψ: '1' }, { A: '1' }, { '': '1' }, { a: '\ud800' }, { a: new Map() }, { a: () => 1 }, { a: Symbol('x') }]) {
      expect(codeOf(() => canonicalString(bad as unknown as Encodable))).toBe('E_CANONICAL');
    }
  });

  test.prop([value])('canonical.integers: every integer is written as a decimal string', (v) => {
    const t = canonicalString(v);
    expect(() => JSON.parse(t, (_k, x) => {
      if (typeof x === 'number') throw new Error('a JSON number');
      return x as unknown;
    })).not.toThrow();
  });

  test.prop([value.filter((v) => v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 1)])(
    'canonical.reader-strict: whitespace, reordered keys or a JSON number make bytes non-canonical',
    (v) => {
      const t = canonicalString(v);
      expect(codeOf(() => parseCanonical(`${t} `))).toBe('E_CANONICAL');
      expect(codeOf(() => parseCanonical(t.replace(':', ': ')))).toBe('E_CANONICAL');
      const obj = parseCanonical(t) as { [k: string]: Json };
      const reversed = `{${Object.keys(obj).sort((a, b) => (a < b ? 1 : -1)).map((k) => `"${k}":${canonicalString(obj[k] as Encodable)}`).join(',')}}`;
      expect(codeOf(() => parseCanonical(reversed))).toBe('E_CANONICAL');
      expect(codeOf(() => parseCanonical(t.replace(/"(-?[0-9]+)"/, '$1')))).toBe(/"-?[0-9]+"/.test(t) ? 'E_CANONICAL' : undefined);
    },
  );

  test('canonical.reader-utf8: invalid UTF-8 is refused', () => {
    expect(codeOf(() => parseCanonical(new Uint8Array([0x22, 0xff, 0x22])))).toBe('E_CANONICAL');
  });

  test.prop([fc.constantFrom(...TAGS), value])('hash.tagged: H(tag, v) = SHA-256(tag || 0x00 || canonical(v)), checked with @noble/hashes', (tag, v) => {
    const bytes = new TextEncoder().encode(`${tag}\u0000${canonicalString(v)}`);
    expect(toHex(taggedHash(tag, v))).toBe(toHex(nobleSha256(bytes)));
    expect(toHex(sha256(bytes))).toBe(toHex(nobleSha256(bytes)));
  });

  test.prop([value, value])('hash.injective-in-practice: different canonical values have different tagged hashes', (a, b) => {
    fc.pre(canonicalString(a) !== canonicalString(b));
    expect(toHex(taggedHash('qfs/v13/state', a))).not.toBe(toHex(taggedHash('qfs/v13/state', b)));
  });

  test('hash.streaming: a value far larger than the 64 KiB chunk hashes like its whole text', () => {
    const big = { xs: Array.from({ length: 20000 }, (_, i) => ({ id: BigInt(i), s: 'ψ'.repeat(i % 7) })) };
    const whole = new TextEncoder().encode(`qfs/v13/state\u0000${canonicalString(big)}`);
    expect(toHex(taggedHash('qfs/v13/state', big))).toBe(toHex(nobleSha256(whole)));
  });
});
