/**
 * Key files. A secret key file holds the 32-byte ML-DSA-87 seed (the secret key is derived from it);
 * like ssh, a secret key file readable by group or others is refused. Public key files hold the
 * public key only. Both are canonical JSON:
 *   secret: { format: "qfs-secret-key/1", label, development, seed, public_key }
 *   public: { format: "qfs-public-key/1", label, development, public_key }
 * `development: true` marks keys derived from a published seed: never for real evidence. A reader
 * does not trust that flag: a seed (or public key) that re-derives from a published label is a
 * development key whatever the file says (P4, P13.3).
 */
import { canonicalString, type Json } from '../math/canonical.ts';
import { QfsError } from '../core/errors.ts';
import { fromHex, toHex } from '../math/hashing.ts';
import { at, Reader } from '../math/schema.ts';
import { devKey, devSeed, keygenFromSeed, PUBLIC_KEY_BYTES, SEED_BYTES, type KeyPair } from '../math/signatures.ts';
import { readFileChecked, writeOutputFile } from './files.ts';
import { parseCanonical } from '../math/canonical.ts';

export interface SecretKeyFile extends KeyPair {
  readonly label: string;
  readonly development: boolean;
}

export function secretKeyDocument(label: string, seed: Uint8Array, development: boolean): Json {
  const pair = keygenFromSeed(seed);
  return { format: 'qfs-secret-key/1', label, development, seed: toHex(seed), public_key: toHex(pair.publicKey) };
}

/** Key files are small: anything larger is not one (P13.2). */
export const MAX_KEY_FILE_BYTES = 64 * 1024;

/** The published development labels (P4): `shard-<id>`, `founder-<id>`, `oracle`, `evidence-signer`, and `operator` (the store's anchor signer). */
const PUBLISHED_LABEL = /^(?:(?:shard|founder)-(?:0|[1-9][0-9]{0,5})|oracle|evidence-signer|operator)$/;
export const isPublishedLabel = (label: string): boolean => PUBLISHED_LABEL.test(label);

/** Ids re-derived when a key file does not name its label truthfully: every chain the project builds has fewer shards and founders. */
const DEV_ID_SCAN = 256;
let devSeeds: Map<string, string> | undefined;
/** Seed hex → published label, for the fixed labels and shard/founder ids below DEV_ID_SCAN. */
function publishedSeeds(): Map<string, string> {
  if (devSeeds === undefined) {
    devSeeds = new Map();
    const labels = ['oracle', 'evidence-signer', 'operator'];
    for (let i = 0; i < DEV_ID_SCAN; i++) labels.push(`shard-${i}`, `founder-${i}`);
    for (const l of labels) devSeeds.set(toHex(devSeed(l)), l);
  }
  return devSeeds;
}

/** The published label whose development seed `seed` is, or null (the file's own label is tried first, at any id). */
export function developmentLabelOfSeed(seed: Uint8Array, label: string): string | null {
  const hex = toHex(seed);
  if (isPublishedLabel(label) && toHex(devSeed(label)) === hex) return label;
  return publishedSeeds().get(hex) ?? null;
}

/** The published label whose development public key `publicKey` is, or null (the label the file names, and the fixed labels). */
export function developmentLabelOfPublicKey(publicKey: Uint8Array, label: string): string | null {
  const hex = toHex(publicKey);
  const tries = isPublishedLabel(label) ? [label, 'oracle', 'evidence-signer', 'operator'] : ['oracle', 'evidence-signer', 'operator'];
  return tries.find((l) => toHex(devKey(l).publicKey) === hex) ?? null;
}

export function writeSecretKeyFile(path: string, label: string, seed: Uint8Array, development: boolean, force = false): string | null {
  return writeOutputFile(path, canonicalString(secretKeyDocument(label, seed, development)), force, 0o600);
}

export function writePublicKeyFile(path: string, label: string, publicKey: Uint8Array, development: boolean, force = false): string | null {
  return writeOutputFile(path, canonicalString({ format: 'qfs-public-key/1', label, development, public_key: toHex(publicKey) }), force);
}

/** Development key file contents for a published label (the seed is public). */
export const devSecretKeyDocument = (label: string): Json => secretKeyDocument(label, devSeed(label), true);

function parseKeyBytes(path: string, bytes: Uint8Array): Json {
  try {
    return parseCanonical(bytes);
  } catch (e) {
    if (e instanceof QfsError && e.code !== 'E_IO') throw new QfsError('E_KEY', e.field === '' ? path : e.field, `${path}: not a key file (${e.message})`);
    throw e;
  }
}

export function readSecretKeyFile(path: string): SecretKeyFile {
  // One open: the mode is the descriptor's (fstat), the bytes are read from the same descriptor.
  const { bytes, mode } = readFileChecked(path, MAX_KEY_FILE_BYTES);
  if ((mode & 0o077) !== 0) {
    throw new QfsError(
      'E_KEY_PERMISSIONS',
      path,
      `secret key file is accessible by group or others (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${path}`,
    );
  }
  const r = new Reader('E_KEY');
  const o = r.object(parseKeyBytes(path, bytes), '', ['format', 'label', 'development', 'seed', 'public_key']);
  if (o.format !== 'qfs-secret-key/1') r.fail('format', `${path}: expected "qfs-secret-key/1"`);
  const label = r.string(o.label, 'label');
  if (label.length > MAX_LABEL) r.fail('label', `${path}: longer than ${MAX_LABEL} characters (P13.3)`);
  if (typeof o.development !== 'boolean') r.fail('development', 'expected a boolean');
  const seed = fromHex(r.hex(o.seed, 'seed', SEED_BYTES))!;
  const pair = keygenFromSeed(seed);
  if (toHex(pair.publicKey) !== r.publicKey(o.public_key, 'public_key')) r.fail('public_key', `${path}: the public key does not match the seed`);
  const published = developmentLabelOfSeed(seed, label);
  return { ...pair, label, development: (o.development as boolean) || published !== null };
}

/** Labels are names, not payloads (P13.3). */
export const MAX_LABEL = 128;

export function readPublicKeyFile(path: string): { publicKey: Uint8Array; label: string; development: boolean } {
  const r = new Reader('E_KEY');
  const doc = parseKeyBytes(path, readFileChecked(path, MAX_KEY_FILE_BYTES).bytes);
  const o = r.object(doc, '', ['format', 'label', 'development', 'public_key']);
  if (o.format !== 'qfs-public-key/1') r.fail('format', `${path}: expected "qfs-public-key/1"`);
  if (typeof o.development !== 'boolean') r.fail('development', 'expected a boolean');
  const pk = fromHex(r.hex(o.public_key, at('', 'public_key'), PUBLIC_KEY_BYTES))!;
  const label = r.string(o.label, 'label');
  if (label.length > MAX_LABEL) r.fail('label', `${path}: longer than ${MAX_LABEL} characters (P13.3)`);
  return { publicKey: pk, label, development: (o.development as boolean) || developmentLabelOfPublicKey(pk, label) !== null };
}
