/**
 * Tagged hashing (SPEC §2): `H(tag, value) = SHA-256(utf8(tag) || 0x00 || canonical(value))`.
 * The canonical text is streamed into the hash in 64 KiB chunks, so a 100k-node state root never
 * builds one big string (PERFORMANCE.md). node:crypto's SHA-256 is used for speed; it is the same
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

const CHUNK = 1 << 16;

class HashSink {
  private buf = '';
  constructor(private readonly h: Hash) {}
  write(chunk: string): void {
    this.buf += chunk;
    if (this.buf.length >= CHUNK) this.flush();
  }
  flush(): void {
    if (this.buf.length > 0) this.h.update(this.buf, 'utf8');
    this.buf = '';
  }
}

export function sha256(data: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

/** `H(tag, value)` as 32 bytes. */
export function taggedHash(tag: Tag, value: Encodable): Uint8Array {
  const h = createHash('sha256');
  h.update(tag, 'utf8');
  h.update(new Uint8Array([0]));
  const sink = new HashSink(h);
  encodeTo(value, sink);
  sink.flush();
  return new Uint8Array(h.digest());
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
