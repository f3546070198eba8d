/**
 * How the ledger handles its signed messages (docs/spec.md P10.1, P10.3, P10.5): a message is
 * signed iff one copy's signature verifies against its shard's genesis key, several events of
 * step 3 or step 12 are sorted by (shard, digest), and values are compared by canonical bytes.
 */
import { canonicalString, type Encodable } from '../math/canonical.ts';
import { fromHex } from '../math/hashing.ts';
import { verifyDigest } from '../math/signatures.ts';
import { compareBigint, compareString } from '../core/vocabulary.ts';
import type { EpochContext } from '../epoch/epoch.ts';

/** True iff the two values have the same canonical bytes. */
export const sameBytes = (a: unknown, b: unknown): boolean => canonicalString(a as Encodable) === canonicalString(b as Encodable);

/** Step-3 and step-12 events in (shard, digest) order, a null shard first. */
export function byShardDigest<E extends { readonly shard: bigint | null }>(events: E[], digestOf: (e: E) => string): E[] {
  return events.sort((x, y) => {
    if (x.shard === null || y.shard === null) {
      if (x.shard !== y.shard) return x.shard === null ? -1 : 1;
    } else if (x.shard !== y.shard) return compareBigint(x.shard, y.shard);
    return compareString(digestOf(x), digestOf(y));
  });
}

/** True iff one of the signatures verifies for the digest under the key. */
export function signedBy(tag: 'qfs/v13/proposal' | 'qfs/v13/vote', digest: string, signatures: readonly string[], keyHex: string): boolean {
  const key = fromHex(keyHex);
  const d = fromHex(digest);
  if (key === undefined || d === undefined) return false;
  return signatures.some((s) => {
    const sig = fromHex(s);
    return sig !== undefined && verifyDigest(tag, d, sig, key);
  });
}

/** The genesis key of a shard (shard keys never rotate). */
export const shardKey = (ctx: EpochContext, shard: bigint): string => ctx.genesis.shards[ctx.topology.shardIndex.get(shard)!]!.key;
