/** merkle.json: §10 the RFC 9162 Merkle tree hash of the evidence package. */
import { sha256, toHex } from '../../src/math/hashing.ts';
import { merkleRootHex } from '../../src/math/merkle.ts';
import type { Vectors } from './common.ts';

/** `length` bytes of SHA-256 counter mode: block i is SHA-256(label || 0x00 || i as 4 bytes big-endian). */
function counterBytes(label: string, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const prefix = new TextEncoder().encode(label);
  for (let i = 0, o = 0; o < length; i++, o += 32) {
    const block = new Uint8Array(prefix.length + 5);
    block.set(prefix);
    new DataView(block.buffer).setUint32(prefix.length + 1, i);
    out.set(sha256(block).subarray(0, Math.min(32, length - o)), o);
  }
  return out;
}

export function merkleVectors(): Vectors {
  const utf8 = (x: string): Uint8Array => new TextEncoder().encode(x);
  const cases: { name: string; leaves: string[]; root: string }[] = [];
  const add = (name: string, leaves: Uint8Array[]) => cases.push({ name, leaves: leaves.map(toHex), root: merkleRootHex(leaves) });
  add('no leaves (SHA-256 of nothing)', []);
  // n = 1..17: every split shape up to two full levels past 8, leaves of 1..40 bytes (empty leaves: below).
  for (let n = 1; n <= 17; n++) add(`${n} leaves of different sizes`, Array.from({ length: n }, (_, i) => counterBytes(`qfs merkle leaf ${n}/${i}`, ((i + 1) * 7) % 41)));
  add('one empty leaf', [new Uint8Array()]);
  add('two empty leaves', [new Uint8Array(), new Uint8Array()]);
  add('three empty leaves', [new Uint8Array(), new Uint8Array(), new Uint8Array()]);
  add('an empty leaf between two others', [utf8('a'), new Uint8Array(), utf8('b')]);
  add('a leaf of one 0x00 byte', [new Uint8Array([0])]);
  add('a leaf of one 0x01 byte and a leaf of one 0xff byte', [new Uint8Array([1]), new Uint8Array([255])]);
  const [a, b, c] = [utf8('a'), utf8('b'), utf8('c')];
  add('three leaves a, b, c', [a, b, c]);
  add('the same leaves in another order (a, c, b)', [a, c, b]);
  add('two equal leaves', [a, a]);
  // A single leaf holding 0x01 || leaf(a) || leaf(b): its root is not the two-leaf root (the 0x00 / 0x01 prefixes).
  const hashA = sha256(new Uint8Array([0, ...a]));
  const hashB = sha256(new Uint8Array([0, ...b]));
  add('one 65-byte leaf that spells the node of a and b', [new Uint8Array([1, ...hashA, ...hashB])]);
  add('two leaves a, b', [a, b]);
  add('the phase-3 evidence file names as leaves', ['phase3_adversary_results.json', 'phase3_harmonics.jsonl', 'phase3_holofield_rewards.json', 'phase3_ledger_consistency.json', 'phase3_psi_dynamics.json', 'phase3_psisync.json', 'phase3_treasury.jsonl'].map(utf8));
  // One large leaf (the evidence files are tens of kilobytes), hashed in place among small and empty ones.
  const big = counterBytes('qfs merkle big leaf', 100_000);
  add('a leaf of 100,000 bytes among four small ones', [a, b, big, c, new Uint8Array()]);
  add('32 leaves of 1,000 bytes', Array.from({ length: 32 }, (_, i) => counterBytes(`qfs merkle block ${i}`, 1000)));
  add('33 leaves (one past a power of two)', Array.from({ length: 33 }, (_, i) => utf8(`leaf-${i}`)));
  return {
    format: 'qfs-vectors/1',
    section: '§10 Merkle tree hash (RFC 9162) of the evidence package',
    conventions:
      'leaves are the entries in the order given, each as lowercase hex of its bytes (an empty leaf is ""); root is the lowercase hex MTH: ' +
      'no leaves → SHA-256 of nothing; one leaf → SHA-256(0x00 || bytes); n > 1 → SHA-256(0x01 || MTH(first k) || MTH(the rest)), k the largest power of two below n. ' +
      'Generated leaves are SHA-256 counter-mode bytes (block i = SHA-256(label || 0x00 || i as 4 bytes big-endian)); only their hex matters.',
    cases,
  };
}
