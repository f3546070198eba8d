/**
 * The evidence directory (`evidence/phase3/`, SPEC §10, P11): reading every entry for the pure
 * verifier, and writing a package so that a crash never leaves a manifest that lies (P11.10):
 * the old signature is removed first, then the artifacts, the final hash and the manifest are
 * written, and the signature last. Until the signature is written the directory holds no
 * signature, and `verify` says so (a crash before the removal leaves the old package intact).
 */
import { readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { QfsError, type Result } from '../core/errors.ts';
import {
  PACKAGE_FILES,
  packageFiles,
  SIGNATURE_FILE,
  verifyPackage,
  type EvidenceParameters,
  type PackageEntries,
  type SignerInfo,
  type VerifiedPackage,
} from '../evidence/evidence-package.ts';
import { fsyncDir, readBytes, writeFileAtomic } from './files.ts';

/** Every entry of `dir`: name → bytes, null for an entry that is not a regular file (a directory, a symlink). */
export function readEvidenceDir(dir: string): PackageEntries {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (e) {
    throw new QfsError('E_IO', dir, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!isDir) throw new QfsError('E_IO', dir, 'not a directory');
  let names;
  try {
    names = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    throw new QfsError('E_IO', dir, `cannot list: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const entries = new Map<string, Uint8Array | null>();
  for (const d of names) entries.set(d.name, d.isFile() ? readBytes(join(dir, d.name)) : null);
  return entries;
}

/**
 * Verifies the package in `dir` (P11.4). A fault of the package is returned as an `E_EVIDENCE`
 * error value; a directory or file that cannot be read throws `E_IO`.
 */
export function verifyEvidencePackage(dir: string, publicKey?: Uint8Array): Result<VerifiedPackage> {
  return verifyPackage(readEvidenceDir(dir), publicKey);
}

/** writeFileAtomic's temporary files of the package's own files (crash residue, removed before writing). */
const residue = (name: string): boolean => PACKAGE_FILES.some((f) => name.startsWith(`.${f}.`) && /\.[0-9]+\.[0-9]+\.tmp$/.test(name));

function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new QfsError('E_IO', path, `cannot remove: ${(e as Error).message}`);
  }
}

/**
 * Writes the package of `artifacts` (the seven artifact files, name → bytes) into `dir`, signed
 * with `signerSecretKey`. Nothing is written if the package would not verify (a cross-check
 * fault, an unknown artifact) or if `dir` holds an entry that is not a file of the package
 * (other than crash residue of one, which is removed). Same inputs, same bytes. Returns the
 * verification of what is on disk afterwards.
 */
export function writeEvidencePackage(
  dir: string,
  artifacts: ReadonlyMap<string, Uint8Array>,
  params: EvidenceParameters,
  signerSecretKey: Uint8Array,
  signerPublic: SignerInfo,
): VerifiedPackage {
  const files = packageFiles(artifacts, params, { ...signerPublic, secretKey: signerSecretKey });
  const checked = verifyPackage(new Map(files), signerPublic.publicKey);
  if (!checked.ok) throw checked.error;
  let existing: string[] = [];
  try {
    existing = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new QfsError('E_IO', dir, `cannot list: ${(e as Error).message}`);
  }
  const stray = existing.filter((n) => !PACKAGE_FILES.includes(n) && !residue(n)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (stray.length > 0) {
    throw new QfsError('E_EVIDENCE', stray[0]!, `${join(dir, stray[0]!)} is not a file of the evidence package: move it away or write the package elsewhere`);
  }
  for (const n of existing) if (residue(n)) removeFile(join(dir, n));
  if (existing.includes(SIGNATURE_FILE)) {
    removeFile(join(dir, SIGNATURE_FILE));
    fsyncDir(dir);
  }
  for (const [name, bytes] of files) writeFileAtomic(join(dir, name), bytes);
  const after = verifyEvidencePackage(dir, signerPublic.publicKey);
  if (!after.ok) throw after.error;
  return after.value;
}
