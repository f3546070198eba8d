/**
 * RFC 9162 Merkle tree hash (SPEC §10): leaf `SHA-256(0x00 || bytes)`, node
 * `SHA-256(0x01 || left || right)`, a list of n > 1 leaves split at k = the largest power of two
 * strictly below n. The empty list hashes to SHA-256 of nothing (RFC 9162 §2.1.1).
 */
import { createHash } from 'node:crypto';
import { toHex } from './hashing.ts';

const LEAF = new Uint8Array([0]);
const NODE = new Uint8Array([1]);

export function merkleLeafHash(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(LEAF).update(bytes).digest());
}

function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(NODE).update(left).update(right).digest());
}

/** The largest power of two strictly below n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function rootOfLeaves(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 1) return leaves[0]!;
  const k = splitPoint(leaves.length);
  return nodeHash(rootOfLeaves(leaves.slice(0, k)), rootOfLeaves(leaves.slice(k)));
}

/** MTH(D[n]) of the given entries, in the order given, as 32 bytes. */
export function merkleRoot(entries: readonly Uint8Array[]): Uint8Array {
  if (entries.length === 0) return new Uint8Array(createHash('sha256').digest());
  return rootOfLeaves(entries.map(merkleLeafHash));
}

export const merkleRootHex = (entries: readonly Uint8Array[]): string => toHex(merkleRoot(entries));
