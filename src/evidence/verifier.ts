/**
 * Verification of a package from its files alone (P11.4). The FIRST fault is reported as an
 * `E_EVIDENCE` error whose field names the file (or `file:json.path`), in the fixed order:
 * manifest → signature → file list → each artifact's size and hash (name order) → Merkle root →
 * final hash file → cross-checks → every acceptance row recomputed.
 *
 * This proves the package is consistent and signed by the manifest's key; who that key belongs to
 * is the caller's trust decision (`trust` in the result, `qfs verify --key`).
 */
import { parseCanonical } from '../math/canonical.ts';
import { attempt, QfsError, type Result } from '../core/errors.ts';
import { compareString } from '../core/vocabulary.ts';
import { fromHex, sha256, taggedHash, toHex } from '../math/hashing.ts';
import { SIGNATURE_BYTES, verifyDigest } from '../math/signatures.ts';
import { computeAcceptance } from './acceptance.ts';
import { readArtifacts, type Parsed } from './artifacts.ts';
import { crossCheck } from './cross-checks.ts';
import { developmentLabelOf } from './dev-keys.ts';
import { artifactsRoot, finalHashText, keyFingerprint, readManifest, type Manifest } from './manifest.ts';
import { FINAL_HASH_FILE, MANIFEST_FILE, MANIFEST_TAG, PACKAGE_FILES, SIGNATURE_FILE, type PackageEntries } from './names.ts';

export interface VerifiedPackage {
  readonly manifest: Manifest;
  /** Number of files in the package (ten). */
  readonly files: number;
  readonly fingerprint: string;
  /** The published development label of the signer key (any label, whatever the manifest says), or null. */
  readonly developmentKey: string | null;
  readonly artifacts: ReadonlyMap<string, Uint8Array>;
  readonly parsed: Parsed;
}

const fault = (field: string, message: string): never => {
  throw new QfsError('E_EVIDENCE', field, message);
};

const SIG_TEXT = new RegExp(`^[0-9a-f]{${SIGNATURE_BYTES * 2}}\\n$`);

/**
 * Verifies a package from its entries; `expectedKey` (a pinned signer) must then be the manifest's
 * signer key. Returns the first fault as an `E_EVIDENCE` error value.
 */
export function verifyPackage(entries: PackageEntries, expectedKey?: Uint8Array): Result<VerifiedPackage> {
  return attempt(() => {
    try {
      return verifyOrThrow(entries, expectedKey);
    } catch (e) {
      // A MathViolation or a canonical fault inside a cross-check is still a fault of the package.
      if (e instanceof QfsError && e.code !== 'E_EVIDENCE') throw new QfsError('E_EVIDENCE', e.field, e.message);
      throw e;
    }
  });
}

function present(entries: PackageEntries, name: string): Uint8Array {
  if (!entries.has(name)) fault(name, 'missing');
  const b = entries.get(name);
  if (b === null || b === undefined) return fault(name, 'not a regular file');
  return b;
}

function verifyOrThrow(entries: PackageEntries, expectedKey?: Uint8Array): VerifiedPackage {
  // 1. manifest readable
  const manifestBytes = present(entries, MANIFEST_FILE);
  const m = readManifest(manifestBytes);
  const pk = fromHex(m.signer.public_key)!;
  // 2. signature
  if (expectedKey !== undefined && toHex(expectedKey) !== m.signer.public_key) {
    fault(`${MANIFEST_FILE}:signer.public_key`, `the package is signed by key ${keyFingerprint(pk)}, not by the given key ${keyFingerprint(expectedKey)}`);
  }
  const sigText = new TextDecoder().decode(present(entries, SIGNATURE_FILE));
  if (!SIG_TEXT.test(sigText)) fault(SIGNATURE_FILE, `not a signature file: expected ${SIGNATURE_BYTES} bytes as lowercase hex and a newline`);
  const sig = fromHex(sigText.slice(0, -1))!;
  if (!verifyDigest(MANIFEST_TAG, taggedHash(MANIFEST_TAG, parseCanonical(manifestBytes)), sig, pk)) {
    fault(SIGNATURE_FILE, `the ML-DSA-87 signature does not verify against ${MANIFEST_FILE} and its signer key ${keyFingerprint(pk)}: the manifest or the signature was changed`);
  }
  // 3. file list: missing (name order), then extra (name order)
  for (const name of PACKAGE_FILES) present(entries, name);
  const extra = [...entries.keys()].filter((n) => !PACKAGE_FILES.includes(n)).sort(compareString);
  if (extra.length > 0) fault(extra[0]!, `unexpected file: a package holds exactly the ${PACKAGE_FILES.length} files of SPEC §10`);
  // 4. each artifact's size and hash, name order
  const art = new Map<string, Uint8Array>();
  for (const f of m.files) {
    const b = present(entries, f.name);
    if (BigInt(b.length) !== f.size) fault(f.name, `size ${b.length} bytes, but the manifest says ${f.size}`);
    const h = toHex(sha256(b));
    if (h !== f.sha256) fault(f.name, `SHA-256 ${h}, but the manifest says ${f.sha256}: the file was changed`);
    art.set(f.name, b);
  }
  // 5. Merkle root
  const root = artifactsRoot(art);
  if (root !== m.merkle_root) fault(`${MANIFEST_FILE}:merkle_root`, `the Merkle root of the artifacts is ${root}, but the manifest says ${m.merkle_root}`);
  // 6. final hash file
  const finalText = new TextDecoder().decode(present(entries, FINAL_HASH_FILE));
  if (finalText !== finalHashText(root)) {
    fault(FINAL_HASH_FILE, `holds ${JSON.stringify(finalText.length > 80 ? `${finalText.slice(0, 80)}…` : finalText)}, expected the Merkle root ${root} and a newline`);
  }
  // 7. cross-checks
  const parsed = readArtifacts(art);
  crossCheck(parsed, m);
  // 8. acceptance: every row recomputed from the artifacts (and the runtimes); none taken on trust
  const computed = computeAcceptance(parsed, m.runtimes);
  m.acceptance.forEach((a, i) => {
    const c = computed[i]!;
    if (a.status !== c.status) fault(`${MANIFEST_FILE}:acceptance[${i}].status`, `${a.id} says ${a.status}, but the artifacts give ${c.status}: ${c.figure}`);
    if (a.figure !== c.figure) fault(`${MANIFEST_FILE}:acceptance[${i}].figure`, `${a.id}'s figure is not the one the artifacts give: ${JSON.stringify(c.figure)}`);
  });
  return { manifest: m, files: PACKAGE_FILES.length, fingerprint: keyFingerprint(pk), developmentKey: developmentLabelOf(pk, m.signer.label), artifacts: art, parsed };
}
