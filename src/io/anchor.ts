/**
 * The signed anchor of a ledger store (SPEC §7; docs/spec.md P10.11): the genesis hash and the hash
 * of every committed record, signed by the operator with ML-DSA-87, so that neither a storage
 * attacker nor a slip of the hand can shorten, extend or alter it unseen. The file is canonical JSON
 *
 *   { anchor: { format: "qfs-ledger-anchor/1", genesis, records: [{ epoch, hash }, …],
 *               signer: { label, development, public_key } },
 *     signature }
 *
 * with `signature` the hex of the ML-DSA-87 signature of `utf8("qfs/v13/anchor") || 0x00 ||
 * SHA-256(utf8("qfs/v13/anchor") || 0x00 || canonical(anchor))` (SPEC §2's signed message). Every
 * way the file can fail — missing, not canonical (a truncated file), not this layout, a signature
 * that does not verify, a signer that is not the expected operator key, an anchor older than the
 * store (`stale`) — is an `AnchorFault` (code E_ANCHOR, field the anchor's path): the anchor's
 * fault, never an input's.
 */
import { createHash } from 'node:crypto';
import { canonicalString, parseCanonical, type Json } from '../math/canonical.ts';
import { QfsError } from '../core/errors.ts';
import { fromHex, toHex, type Tag } from '../math/hashing.ts';
import { devLabel } from '../genesis/default-genesis.ts';
import { devKey, PUBLIC_KEY_BYTES, signDigest, SIGNATURE_BYTES, verifyDigest } from '../math/signatures.ts';
import { writeAtomic, NODE_IO, type StoreIo } from './storage.ts';

/** The anchor's content: G and `records[e − 1]` = H(record/e) for every committed epoch e. */
export type Anchor = { readonly genesis: string; readonly records: readonly string[] };

export const ANCHOR_FORMAT = 'qfs-ledger-anchor/1';
/**
 * The anchor's signature tag. Not one of hashing.ts's TAGS on purpose: those are the tags the
 * conformance ports hash; the anchor is the store's, which the ports do not read.
 */
export const ANCHOR_TAG = 'qfs/v13/anchor';
/** The published development label of the operator key (README "Development keys"). */
export const OPERATOR_DEV_LABEL = devLabel.operator;

/** A key that signs or checks anchors; `secretKey` only where the anchor is (re)written. */
export type AnchorKey = { readonly label: string; readonly development: boolean; readonly publicKey: Uint8Array; readonly secretKey?: Uint8Array };

/** The development operator key (seed SHA-256("qfs/v13/dev-key/operator")): anyone can sign with it. */
export const devOperatorKey = (): AnchorKey & { readonly secretKey: Uint8Array } => ({ label: OPERATOR_DEV_LABEL, development: true, ...devKey(OPERATOR_DEV_LABEL) });

export type AnchorFaultReason =
  | 'missing' // no anchor file: unanchored
  | 'not_canonical' // its bytes are not canonical JSON (a truncated or edited file)
  | 'malformed' // not P10.11's layout (an unsigned anchor of an older version too)
  | 'signature' // the signature does not verify: the anchor was altered
  | 'signer' // signed by another key than the expected operator key
  | 'stale' // the store holds epochs that only a newer anchor can have committed
  | 'genesis'; // the anchor is for another genesis than the store's

/** A fault of the anchor itself (E_ANCHOR, field the anchor's path). */
export class AnchorFault extends QfsError {
  constructor(
    readonly reason: AnchorFaultReason,
    where: string,
    message: string,
  ) {
    super('E_ANCHOR', where, `${reason}: ${message}`);
  }
}

const HEX32 = /^[0-9a-f]{64}$/;
const ZERO = new Uint8Array([0]);

const body = (a: Anchor, k: AnchorKey): Json => ({
  format: ANCHOR_FORMAT,
  genesis: a.genesis,
  records: a.records.map((hash, i) => ({ epoch: String(i + 1), hash })),
  signer: { label: k.label, development: k.development, public_key: toHex(k.publicKey) },
});

const digest = (b: Json): Uint8Array =>
  new Uint8Array(createHash('sha256').update(ANCHOR_TAG, 'utf8').update(ZERO).update(canonicalString(b), 'utf8').digest());

/** The signed anchor file's text. */
export function signedAnchorText(a: Anchor, key: AnchorKey): string {
  if (key.secretKey === undefined) throw new QfsError('E_KEY', '--key', `signing the anchor needs a secret key file (${key.label} is a public key)`);
  const b = body(a, key);
  return canonicalString({ anchor: b, signature: toHex(signDigest(ANCHOR_TAG as Tag, digest(b), key.secretKey)) });
}

/** A verified anchor and who signed it. */
export type SignedAnchor = { readonly anchor: Anchor; readonly signer: { readonly label: string; readonly development: boolean; readonly publicKey: Uint8Array } };

/**
 * Reads and verifies a signed anchor: canonical, exactly P10.11's layout, the signature valid
 * under the signer's key, and that key the `expected` one. Throws AnchorFault.
 */
export function parseSignedAnchor(bytes: Uint8Array | string, where: string, expected: Uint8Array): SignedAnchor {
  let doc: Json;
  try {
    doc = parseCanonical(bytes);
  } catch (e) {
    throw new AnchorFault('not_canonical', where, `the anchor is not canonical JSON (truncated or edited?): ${(e as Error).message}`);
  }
  const bad = (field: string, message: string): never => {
    throw new AnchorFault('malformed', where, `${field === '' ? '' : `${field}: `}${message}`);
  };
  const obj = (v: Json | undefined, field: string, keys: readonly string[]): { readonly [k: string]: Json } => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad(field, 'not an object');
    const o = v as { readonly [k: string]: Json };
    if (Object.keys(o).join(',') !== keys.join(',')) bad(field, `keys must be exactly ${keys.join(', ')}`);
    return o;
  };
  const top = obj(doc, '', ['anchor', 'signature']);
  const a = obj(top.anchor, 'anchor', ['format', 'genesis', 'records', 'signer']);
  if (a.format !== ANCHOR_FORMAT) bad('anchor.format', `expected "${ANCHOR_FORMAT}"`);
  if (typeof a.genesis !== 'string' || !HEX32.test(a.genesis)) bad('anchor.genesis', 'not 32 bytes of lowercase hex');
  if (!Array.isArray(a.records)) return bad('anchor.records', 'not a list');
  const records = (a.records as readonly Json[]).map((r, i) => {
    const x = obj(r, `anchor.records[${i}]`, ['epoch', 'hash']);
    if (x.epoch !== String(i + 1)) bad(`anchor.records[${i}].epoch`, `expected epoch ${i + 1}`);
    if (typeof x.hash !== 'string' || !HEX32.test(x.hash)) bad(`anchor.records[${i}].hash`, 'not 32 bytes of lowercase hex');
    return x.hash as string;
  });
  const s = obj(a.signer, 'anchor.signer', ['development', 'label', 'public_key']);
  if (typeof s.label !== 'string') bad('anchor.signer.label', 'not a string');
  if (typeof s.development !== 'boolean') bad('anchor.signer.development', 'not a boolean');
  const pk = typeof s.public_key === 'string' && /^[0-9a-f]*$/.test(s.public_key) && s.public_key.length === 2 * PUBLIC_KEY_BYTES ? fromHex(s.public_key) : undefined;
  if (pk === undefined) return bad('anchor.signer.public_key', `not ${PUBLIC_KEY_BYTES} bytes of lowercase hex`);
  const sig = typeof top.signature === 'string' && /^[0-9a-f]*$/.test(top.signature) && top.signature.length === 2 * SIGNATURE_BYTES ? fromHex(top.signature) : undefined;
  if (sig === undefined) return bad('signature', `not ${SIGNATURE_BYTES} bytes of lowercase hex`);
  if (!verifyDigest(ANCHOR_TAG as Tag, digest(a), sig, pk)) throw new AnchorFault('signature', where, 'the signature does not verify: the anchor was altered after it was signed');
  if (toHex(pk) !== toHex(expected)) {
    throw new AnchorFault('signer', where, `signed by key ${toHex(pk).slice(0, 16)}… (${String(s.label)}), not the expected operator key ${toHex(expected).slice(0, 16)}…`);
  }
  const development = s.development as boolean;
  const devPk = toHex(devKey(String(s.label)).publicKey);
  // A development key that calls itself real is refused: anyone can sign with it.
  if (!development && devPk === toHex(pk)) throw new AnchorFault('malformed', where, `anchor.signer.development: the key is the published development key "${String(s.label)}"`);
  return { anchor: { genesis: a.genesis as string, records }, signer: { label: s.label as string, development, publicKey: pk } };
}

/** Reads the anchor file at `path` (AnchorFault `missing` if there is none) and verifies it against `expected`. */
export function readAnchorAt(path: string, expected: Uint8Array, io: StoreIo = NODE_IO): SignedAnchor {
  const b = io.storage.read(path);
  if (b === undefined) throw new AnchorFault('missing', path, 'unanchored: truncation and replaced epochs cannot be detected (no anchor file)');
  return parseSignedAnchor(b, path, expected);
}

/** Writes the signed anchor atomically and durably. */
export function writeAnchorAt(path: string, a: Anchor, key: AnchorKey, io: StoreIo = NODE_IO): void {
  writeAtomic(io, path, signedAnchorText(a, key));
}
