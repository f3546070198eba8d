/**
 * File I/O at the edge: atomic writes (temporary file, fsync, rename, fsync of the directory) so
 * that a crash never leaves half a file, and readers that turn every failure into a coded error.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseCanonical, type Json } from '../math/canonical.ts';
import { QfsError } from '../core/errors.ts';

let counter = 0;

/** Writes `data` to `path` atomically; `mode` applies to the new file (e.g. 0o600 for a secret key). */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', mode);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
    fsyncDir(dir);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw new QfsError('E_IO', path, `cannot write: ${(e as Error).message}`);
  }
}

export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function readBytes(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new QfsError('E_IO', path, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Reads a file that must hold canonical JSON (a trailing newline is not allowed: it changes the bytes). */
export function readCanonicalFile(path: string): Json {
  const bytes = readBytes(path);
  try {
    return parseCanonical(bytes);
  } catch (e) {
    if (e instanceof QfsError) throw new QfsError(e.code, e.field, `${path}: ${e.message}`);
    throw e;
  }
}
