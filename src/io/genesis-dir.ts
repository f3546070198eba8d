/**
 * A genesis directory: `genesis.json` (canonical), `genesis_hash.sha256` (hex + newline) and
 * `genesis_signatures.json` ({ genesis, signatures }). Reading one checks each file against the
 * others; every fault is a coded error naming the file and field.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalString, parseCanonical, type Json } from '../math/canonical.ts';
import { QfsError } from '../core/errors.ts';
import { certify, readSignatureFile, type Certification, type FounderSignature } from '../genesis/founders.ts';
import { genesisHash, validateGenesis, type Genesis } from '../genesis/genesis.ts';
import { checkOutputDir, dropAsideIfSame, ioError, readBytes, readCanonicalFile, setAside, writeFileAtomic } from './files.ts';

export const GENESIS_FILE = 'genesis.json';
export const HASH_FILE = 'genesis_hash.sha256';
export const SIGNATURES_FILE = 'genesis_signatures.json';

export interface GenesisDir {
  readonly doc: Json;
  readonly genesis: Genesis;
  readonly hash: string;
  readonly signatures: readonly FounderSignature[];
  readonly certification: Certification;
}

/** The three files' names and texts, in the order they are written (the signatures last). */
export function genesisDirFiles(genesis: Genesis, signatures: readonly FounderSignature[]): [string, string][] {
  const hash = genesisHash(genesis);
  return [
    [GENESIS_FILE, canonicalString(genesis as never)],
    [HASH_FILE, `${hash}\n`],
    [SIGNATURES_FILE, signaturesText(hash, signatures)],
  ];
}

const signaturesText = (hash: string, signatures: readonly FounderSignature[]): string => {
  const sorted = [...signatures].sort((a, b) => (a.founder !== b.founder ? (a.founder < b.founder ? -1 : 1) : a.signature < b.signature ? -1 : 1));
  return canonicalString({ genesis: hash, signatures: sorted as never });
};

/** Writes the three files (each atomically; the signatures last, so a crash leaves no certified half). */
export function writeGenesisDir(dir: string, genesis: Genesis, signatures: readonly FounderSignature[]): string {
  for (const [name, text] of genesisDirFiles(genesis, signatures)) writeFileAtomic(join(dir, name), text);
  return genesisHash(genesis);
}

/**
 * `qfs genesis new --out DIR`: DIR must be absent or empty unless `force`; with `force` a non-empty
 * DIR is set aside as DIR.replaced-<n> (removed again if what is written is byte-identical).
 * Returns the hash and the set-aside directory kept, if any.
 */
export function writeNewGenesisDir(dir: string, genesis: Genesis, signatures: readonly FounderSignature[], force: boolean): { hash: string; aside: string | null } {
  checkOutputDir(dir, force);
  const aside = setAside(dir);
  const hash = writeGenesisDir(dir, genesis, signatures);
  return { hash, aside: dropAsideIfSame(aside, dir) };
}

/** The hash file is one line; the signature file holds at most 256 founders' signatures (P13.2). */
const MAX_HASH_FILE_BYTES = 1024;
const MAX_SIGNATURES_FILE_BYTES = 8 * 1024 * 1024;

export function writeSignatures(dir: string, hash: string, signatures: readonly FounderSignature[]): void {
  writeFileAtomic(join(dir, SIGNATURES_FILE), signaturesText(hash, signatures));
}

/**
 * Reads and cross-checks a genesis directory; throws the first fault as a QfsError. `read` reads a
 * file (the ledger store passes its storage's); by default the disk, with the limits of P13.2.
 */
export function readGenesisDir(dir: string, read?: (path: string) => Uint8Array): GenesisDir {
  if (read === undefined) {
    let isDir: boolean;
    try {
      isDir = statSync(dir).isDirectory();
    } catch (e) {
      throw ioError(dir, 'cannot read genesis directory', e);
    }
    if (!isDir) throw new QfsError('E_IO', dir, 'not a directory');
  }
  const readFile = (path: string, limit: number): Uint8Array => (read === undefined ? readBytes(path, limit) : read(path));
  const readCanonical = (path: string, limit?: number): Json => {
    if (read === undefined) return readCanonicalFile(path, limit);
    try {
      return parseCanonical(read(path));
    } catch (e) {
      if (e instanceof QfsError) throw new QfsError(e.code, e.field, `${path}: ${e.message}`);
      throw e;
    }
  };
  const path = join(dir, GENESIS_FILE);
  const doc = readCanonical(path);
  const v = validateGenesis(doc);
  if (!v.ok) throw new QfsError(v.error.code, v.error.field, `${path}: ${v.error.message}`);
  const hash = genesisHash(v.value);
  const hashText = new TextDecoder().decode(readFile(join(dir, HASH_FILE), MAX_HASH_FILE_BYTES));
  if (hashText !== `${hash}\n`) {
    throw new QfsError(
      'E_SIGNATURES',
      HASH_FILE,
      `${join(dir, HASH_FILE)} says ${hashText.trim() || '(empty)'} but ${path} hashes to ${hash}: genesis.json was changed after it was hashed`,
    );
  }
  const sigPath = join(dir, SIGNATURES_FILE);
  const sigDoc = readSignatureFile(readCanonical(sigPath, MAX_SIGNATURES_FILE_BYTES));
  if (sigDoc.genesis !== hash) {
    throw new QfsError('E_SIGNATURES', `${SIGNATURES_FILE}:genesis`, `${sigPath} signs ${sigDoc.genesis}, not this genesis (${hash})`);
  }
  const certification = certify(v.value, hash, sigDoc.signatures);
  return { doc, genesis: v.value, hash, signatures: sigDoc.signatures, certification };
}

/** The first path at which two JSON values differ (for naming what an edit changed), or undefined. */
export function firstDifference(a: Json | undefined, b: Json | undefined, path = ''): string | undefined {
  if (a === b) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return path;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  const ao = a as Record<string, Json>;
  const bo = b as Record<string, Json>;
  const keys = [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort();
  for (const k of keys) {
    const d = firstDifference(ao[k], bo[k], path === '' ? k : `${path}.${k}`);
    if (d !== undefined) return d;
  }
  return undefined;
}
