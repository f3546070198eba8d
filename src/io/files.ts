/**
 * File I/O at the edge: atomic writes (temporary file, fsync, rename, fsync of the directory) so
 * that a crash never leaves half a file, readers that turn every failure into a coded error, and
 * the checks every command makes on its output paths before it starts (docs/spec.md P13.4).
 *
 * Readers open a path once and read from that descriptor (no check-then-read race), refuse
 * anything that is not a regular file (a FIFO or a device would block or never end) and anything
 * under /proc, /sys or /dev, and stop at a size limit (P13.2).
 */
import {
  accessSync,
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { parseCanonical, type Json } from '../math/canonical.ts';
import { QfsError } from '../core/errors.ts';

let counter = 0;

/** The largest file any reader accepts unless it asks for less (P13.2): below V8's string limit. */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;

/** A Node error as E_IO naming `path` (the errno code when there is one, e.g. ENOENT, EACCES). */
export function ioError(path: string, what: string, e: unknown): QfsError {
  if (e instanceof QfsError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  return new QfsError('E_IO', path, `${what}: ${code ?? (e as Error).message}`);
}

/** Pseudo file systems and devices: reading them may never end, writing them is never an output. */
const SPECIAL_ROOTS = ['/proc', '/sys', '/dev'];
const underSpecial = (abs: string): boolean => SPECIAL_ROOTS.some((r) => abs === r || abs.startsWith(`${r}${sep}`));

/** The real path of `path`, or of its nearest existing ancestor joined with the rest. */
function realish(path: string): string {
  let p = resolve(path);
  const rest: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(p), ...rest);
    } catch {
      const up = dirname(p);
      if (up === p) return resolve(path);
      rest.unshift(basename(p));
      p = up;
    }
  }
}

export function refuseSpecial(path: string): void {
  if (underSpecial(resolve(path)) || underSpecial(realish(path))) {
    throw new QfsError('E_IO', path, 'a path under /proc, /sys or /dev is not a file the project reads or writes');
  }
}

/** Reads a regular file through one descriptor: at most `maxBytes`, and its mode as fstat saw it. */
export function readFileChecked(path: string, maxBytes: number = MAX_FILE_BYTES): { readonly bytes: Uint8Array; readonly mode: number } {
  refuseSpecial(path);
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer (fstat then refuses it).
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw ioError(path, 'cannot read', e);
  }
  try {
    let st: Stats;
    try {
      st = fstatSync(fd);
    } catch (e) {
      throw ioError(path, 'cannot read', e);
    }
    if (st.isDirectory()) throw new QfsError('E_IO', path, 'cannot read: is a directory');
    if (!st.isFile()) throw new QfsError('E_IO', path, 'cannot read: not a regular file (a FIFO, socket or device)');
    if (st.size > maxBytes) throw new QfsError('E_IO', path, `cannot read: ${st.size} bytes, more than the limit of ${maxBytes} (P13.2)`);
    // Read until EOF, but never past the limit (a file that grows while read is refused too).
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1 - total));
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        throw ioError(path, 'cannot read', e);
      }
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > maxBytes) throw new QfsError('E_IO', path, `cannot read: more than the limit of ${maxBytes} bytes (P13.2)`);
    }
    return { bytes: new Uint8Array(Buffer.concat(chunks, total)), mode: st.mode };
  } finally {
    closeSync(fd);
  }
}

export function readBytes(path: string, maxBytes: number = MAX_FILE_BYTES): Uint8Array {
  return readFileChecked(path, maxBytes).bytes;
}

/** Reads a file that must hold canonical JSON (a trailing newline is not allowed: it changes the bytes). */
export function readCanonicalFile(path: string, maxBytes: number = MAX_FILE_BYTES): Json {
  const bytes = readBytes(path, maxBytes);
  try {
    return parseCanonical(bytes);
  } catch (e) {
    if (e instanceof QfsError) throw new QfsError(e.code, e.field, `${path}: ${e.message}`);
    throw e;
  }
}

/** Writes `data` to `path` atomically; `mode` applies to the new file (e.g. 0o600 for a secret key). */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  let fd: number | undefined;
  let created = false;
  try {
    refuseSpecial(path);
    mkdirSync(dir, { recursive: true });
    fd = openSync(tmp, 'wx', mode);
    created = true;
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
    created = false;
    fsyncDir(dir);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    if (created) {
      try {
        unlinkSync(tmp);
      } catch {
        // already gone
      }
    }
    throw ioError(path, 'cannot write', e);
  }
}

export function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch (e) {
    throw ioError(dir, 'cannot sync directory', e);
  }
  try {
    fsyncSync(fd);
  } catch (e) {
    throw ioError(dir, 'cannot sync directory', e);
  } finally {
    closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------
// Output paths (P13.4): checked before a command's work starts; nothing is overwritten without
// --force, and with --force what was there is set aside, never deleted.

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw ioError(path, 'cannot use as output', e);
  }
}

/** The nearest existing ancestor of `path` must be a writable directory (so that mkdir and rename will work). */
function checkWritableParent(path: string): void {
  let p = dirname(resolve(path));
  for (;;) {
    const st = statOrNull(p);
    if (st !== null) {
      if (!st.isDirectory()) throw new QfsError('E_IO', path, `cannot write: ${p} is not a directory`);
      try {
        accessSync(p, constants.W_OK | constants.X_OK);
      } catch (e) {
        throw ioError(path, `cannot write: ${p} is not writable`, e);
      }
      return;
    }
    const up = dirname(p);
    if (up === p) throw new QfsError('E_IO', path, 'cannot write: no existing ancestor directory');
    p = up;
  }
}

const refuseOverwrite = (path: string, what: string): never => {
  throw new QfsError('E_USAGE', path, `${what} already exists: give --force to replace it (what is there is set aside as ${path}.replaced-<n>, never deleted)`);
};

/**
 * Checks an output file before any work: not under /proc, /sys or /dev; if it exists, a regular
 * file, and only with `force`; its directory (or nearest existing ancestor) writable.
 */
export function checkOutputFile(path: string, force: boolean): void {
  refuseSpecial(path);
  const st = statOrNull(path);
  if (st !== null) {
    if (!st.isFile()) throw new QfsError('E_IO', path, `cannot write: exists and is not a regular file${st.isDirectory() ? ' (a directory)' : ''}`);
    if (!force) refuseOverwrite(path, 'the file');
  }
  checkWritableParent(path);
}

/** Checks an output directory before any work: a directory or absent; if not empty, only with `force`; writable. */
export function checkOutputDir(dir: string, force: boolean): void {
  refuseSpecial(dir);
  const st = statOrNull(dir);
  if (st !== null) {
    if (!st.isDirectory()) throw new QfsError('E_IO', dir, 'cannot write: exists and is not a directory');
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (e) {
      throw ioError(dir, 'cannot list', e);
    }
    if (names.length > 0) {
      if (!force) refuseOverwrite(dir, 'the non-empty directory');
      const abs = resolve(dir);
      const cwd = process.cwd();
      if (cwd === abs || cwd.startsWith(`${abs}${sep}`)) throw new QfsError('E_USAGE', dir, 'the working directory (or one above it) cannot be set aside: write elsewhere');
    }
    try {
      accessSync(dir, constants.W_OK | constants.X_OK);
    } catch (e) {
      throw ioError(dir, 'cannot write: not writable', e);
    }
  }
  checkWritableParent(dir);
}

/** A directory that a command adds files to (counterexamples, a store): a writable directory, or absent with a writable ancestor. */
export function checkWritableDir(dir: string): void {
  refuseSpecial(dir);
  const st = statOrNull(dir);
  if (st === null) return checkWritableParent(dir);
  if (!st.isDirectory()) throw new QfsError('E_IO', dir, 'cannot write: exists and is not a directory');
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw ioError(dir, 'cannot write: not writable', e);
  }
}

/** Moves `path` (a file, or a non-empty directory) aside to `<path>.replaced-<n>`, the first free n; null when there is nothing to keep. */
export function setAside(path: string): string | null {
  const st = statOrNull(path);
  if (st === null) return null;
  if (st.isDirectory()) {
    let names: string[];
    try {
      names = readdirSync(path);
    } catch (e) {
      throw ioError(path, 'cannot list', e);
    }
    if (names.length === 0) return null;
  }
  let n = 1;
  while (statOrNull(`${path}.replaced-${n}`) !== null) n++;
  const aside = `${path}.replaced-${n}`;
  try {
    renameSync(path, aside);
    fsyncDir(dirname(resolve(path)));
  } catch (e) {
    throw ioError(path, `cannot set aside as ${aside}`, e);
  }
  return aside;
}

function sameTree(a: string, b: string): boolean {
  const sa = statOrNull(a);
  const sb = statOrNull(b);
  if (sa === null || sb === null) return false;
  if (sa.isFile() && sb.isFile()) return sa.size === sb.size && Buffer.from(readBytes(a)).equals(Buffer.from(readBytes(b)));
  if (!sa.isDirectory() || !sb.isDirectory()) return false;
  const na = readdirSync(a).sort();
  const nb = readdirSync(b).sort();
  if (na.length !== nb.length || na.some((x, i) => x !== nb[i])) return false;
  return na.every((x) => sameTree(join(a, x), join(b, x)));
}

/**
 * After a forced write: a set-aside copy byte-identical to what was written is removed (nothing is
 * lost, and a re-run with the same seed leaves no clutter); a different one stays. Returns the
 * path kept, or null.
 */
export function dropAsideIfSame(aside: string | null, path: string): string | null {
  if (aside === null) return null;
  if (!sameTree(aside, path)) return aside;
  try {
    rmSync(aside, { recursive: true });
  } catch (e) {
    throw ioError(aside, 'cannot remove the identical set-aside copy', e);
  }
  return null;
}

/** Writes one output file: checked, set aside with `force` if it exists (dropped again when identical), then written atomically. */
export function writeOutputFile(path: string, data: string | Uint8Array, force: boolean, mode = 0o644): string | null {
  checkOutputFile(path, force);
  const aside = setAside(path);
  writeFileAtomic(path, data, mode);
  return dropAsideIfSame(aside, path);
}

/** Writes the files of one output directory: checked, the old contents set aside with `force` (dropped again when identical). */
export function writeOutputDir(dir: string, files: readonly (readonly [string, string | Uint8Array])[], force: boolean): string | null {
  checkOutputDir(dir, force);
  const aside = setAside(dir);
  for (const [name, data] of files) writeFileAtomic(join(dir, name), data);
  return dropAsideIfSame(aside, dir);
}
