/**
 * Tagged hashing (SPEC §2): `H(tag, value) = SHA-256(utf8(tag) || 0x00 || canonical(value))`.
 * The canonical text is streamed into the hash in chunks of about 64 KiB, so a 100k-node state root
 * never builds one big string (PERFORMANCE.md). node:crypto's SHA-256 is used for speed; it is the same
 * function as @noble/hashes' sha256 (a test checks that).
 */
import { createHash, type Hash } from 'node:crypto';
import { encodeTo, type Encodable } from './canonical.ts';

export const TAGS = [
  'qfs/v13/genesis',
  'qfs/v13/state',
  'qfs/v13/action',
  'qfs/v13/proposal',
  'qfs/v13/vote',
  'qfs/v13/epoch',
  'qfs/v13/governance',
  'qfs/v13/oracle',
  'qfs/v13/validator',
  'qfs/v13/manifest',
  'qfs/v13/counterexample',
] as const;
export type Tag = (typeof TAGS)[number];

export function sha256(data: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

const ZERO = new Uint8Array([0]);

/** The canonical text of `value` streamed into `h` (the encoder hands it on in chunks of about 64 KiB). */
function updateCanonical(h: Hash, value: Encodable): void {
  encodeTo(value, { write: (chunk) => h.update(chunk, 'utf8') });
}

/** `H(tag, value)` as 32 bytes. */
export function taggedHash(tag: Tag, value: Encodable): Uint8Array {
  const h = createHash('sha256');
  h.update(tag, 'utf8');
  h.update(ZERO);
  updateCanonical(h, value);
  return new Uint8Array(h.digest());
}

/**
 * Plain SHA-256 (no tag) of the canonical bytes of `value`, streamed: the same bytes as
 * `sha256(canonicalBytes(value))` without building the text whole.
 */
export function canonicalSha256(value: Encodable): Uint8Array {
  const h = createHash('sha256');
  updateCanonical(h, value);
  return new Uint8Array(h.digest());
}

/**
 * `H(tag, ·)` of a canonical text written piece by piece, for a writer that knows a value's layout
 * (the state root's): the concatenation of the pieces must be the canonical text of the value.
 */
export type TaggedHasher = { write(text: string): void; hex(): string };

export function taggedHasher(tag: Tag): TaggedHasher {
  const h = createHash('sha256');
  h.update(tag, 'utf8');
  h.update(ZERO);
  return {
    write: (text) => {
      h.update(text, 'utf8');
    },
    hex: () => h.digest('hex'),
  };
}

/** `H(tag, value)` as lowercase hex. */
export const taggedHashHex = (tag: Tag, value: Encodable): string => toHex(taggedHash(tag, value));

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

const HEX = /^(?:[0-9a-f]{2})*$/;
/** Lowercase hex to bytes; undefined if `s` is not lowercase hex of whole bytes. */
export function fromHex(s: string): Uint8Array | undefined {
  if (!HEX.test(s)) return undefined;
  return new Uint8Array(Buffer.from(s, 'hex'));
}
