import { sha256 as nobleSha } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/math/hashing.ts';
import { merkleRootHex } from '../../src/math/merkle.ts';

// An independent RFC 9162 MTH written from the RFC's recursive definition with @noble/hashes.
const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
function mth(d: Uint8Array[]): Uint8Array {
  if (d.length === 0) return nobleSha(new Uint8Array());
  if (d.length === 1) return nobleSha(cat(new Uint8Array([0]), d[0]!));
  let k = 1;
  while (k << 1 < d.length) k <<= 1;
  return nobleSha(cat(new Uint8Array([1]), mth(d.slice(0, k)), mth(d.slice(k))));
}

describe('merkle (RFC 9162)', () => {
  const enc = new TextEncoder();
  it('empty list is SHA-256 of nothing', () => {
    expect(merkleRootHex([])).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
  it('one leaf is SHA-256(0x00 || bytes)', () => {
    expect(merkleRootHex([enc.encode('abc')])).toBe(toHex(nobleSha(cat(new Uint8Array([0]), enc.encode('abc')))));
  });
  it('matches the recursive definition for 1..17 leaves', () => {
    for (let n = 1; n <= 17; n++) {
      const d = Array.from({ length: n }, (_, i) => enc.encode(`file-${i}`));
      expect(merkleRootHex(d), `n=${n}`).toBe(toHex(mth(d)));
    }
  });
  it('a changed leaf, order or count changes the root', () => {
    const d = ['a', 'b', 'c'].map((s) => enc.encode(s));
    const r = merkleRootHex(d);
    expect(merkleRootHex([d[0]!, d[2]!, d[1]!])).not.toBe(r);
    expect(merkleRootHex(d.slice(0, 2))).not.toBe(r);
    expect(merkleRootHex([d[0]!, d[1]!, enc.encode('C')])).not.toBe(r);
  });
});
