/**
 * Development keys (P4, README "Development keys"): `seed = SHA-256("qfs/v13/dev-key/" + label)`
 * for the published labels `shard-<id>`, `founder-<id>`, `oracle`, `evidence-signer`. Anyone can
 * derive their secret keys, so such a key never counts as a trust root, whatever label or
 * `development` flag accompanies it.
 *
 * Ids are unbounded in a genesis, so the set cannot be enumerated: a key is a development key when
 * (a) it is the development key of the label it claims (any id), or (b) its fingerprint is in the
 * generated table of every published label with id < DEV_ID_BOUND (a development key relabelled).
 * 256 covers the built-in genesis (8 shards, 3 founders), every test chain and any genesis a demo
 * would build; a relabelled development key of id >= 256 is the one case not caught, and it still
 * names its id nowhere an auditor would trust.
 */
import { sha256, toHex } from '../math/hashing.ts';
import { devKey } from '../math/signatures.ts';
import { DEV_KEY_TABLE } from './dev-key-table.ts';

export const DEV_ID_BOUND = 256n;

const PUBLISHED = /^(shard|founder)-(0|[1-9][0-9]*)$/;

/** Every label the generated table covers, in a fixed order. */
export function devLabelsToTable(): string[] {
  const ids = Array.from({ length: Number(DEV_ID_BOUND) }, (_, i) => i);
  return [...ids.map((i) => `shard-${i}`), ...ids.map((i) => `founder-${i}`), 'oracle', 'evidence-signer'];
}

/** Whether `label` is a published development label (any id). */
export const isPublishedLabel = (label: string): boolean => label === 'oracle' || label === 'evidence-signer' || PUBLISHED.test(label);

const fingerprint128 = (publicKey: Uint8Array): string => toHex(sha256(publicKey)).slice(0, 32);
let index: Map<string, string> | undefined;

/**
 * The published label whose development key `publicKey` is, or null. `claimedLabel` (a key file's
 * or manifest's label) is tried first, so a development key of any id under its own label is found.
 */
export function developmentLabelOf(publicKey: Uint8Array, claimedLabel?: string): string | null {
  const hex = toHex(publicKey);
  if (claimedLabel !== undefined && isPublishedLabel(claimedLabel) && toHex(devKey(claimedLabel).publicKey) === hex) return claimedLabel;
  index ??= new Map(DEV_KEY_TABLE.map(([f, l]) => [f, l]));
  const label = index.get(fingerprint128(publicKey));
  // The table holds 128-bit fingerprints: confirm with the full key (one derivation).
  return label !== undefined && toHex(devKey(label).publicKey) === hex ? label : null;
}
