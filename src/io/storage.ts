/**
 * The storage interface the ledger store writes through (docs/spec.md P10.11): the few operations
 * it uses — read, list, create a file, fsync a file, rename, make a directory, fsync a directory —
 * so that the same code runs on node:fs (`nodeStorage`), on a copy-on-write overlay that never
 * touches the disk (`overlayStorage`, for `qfs ledger recover --dry-run`) and, in the harness, on
 * a fault-injecting simulation of power loss (models/power-loss-storage.ts).
 *
 * Durability is the caller's: `create` and `rename` are not durable until the file, resp. the
 * directories they change, are fsynced. `writeAtomic` and `makeDirs` are the two ways the store
 * makes anything durable; `omitFsync` plants one missing fsync (tests only: the power-loss
 * property must then find a counterexample).
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { QfsError } from '../core/errors.ts';

export interface Storage {
  /** The bytes of a regular file, or undefined if there is none at `path`. */
  read(path: string): Uint8Array | undefined;
  /** True iff there is a file or directory at `path`. */
  exists(path: string): boolean;
  isDir(path: string): boolean;
  /** The names in a directory, sorted by code unit; [] if there is no such directory. */
  list(dir: string): string[];
  /** Creates one directory (its parent exists); not durable until the parent is fsynced. */
  mkdir(dir: string): void;
  /** Creates a new file (refused if it exists) holding `data`; not durable until fsynced. */
  create(path: string, data: Uint8Array): void;
  fsyncFile(path: string): void;
  /** Renames (replacing `to`); not durable until both directories are fsynced. */
  rename(from: string, to: string): void;
  fsyncDir(dir: string): void;
  /** A fresh temporary name beside `path` (`.<name>.<pid>.<n>.tmp`). */
  tempPath(path: string): string;
}

/** A planted bug (tests only): the fsync that the store skips. */
export type OmittedFsync = 'file' | 'dir' | 'mkdir' | 'moves';
export const OMITTED_FSYNCS: readonly OmittedFsync[] = ['file', 'dir', 'mkdir', 'moves'];

/** Where and how the store does its I/O. */
export type StoreIo = { readonly storage: Storage; readonly omitFsync?: OmittedFsync };

const ioError = (path: string, what: string, e: unknown): QfsError =>
  new QfsError('E_IO', path, `cannot ${what}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);

let counter = 0;
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** node:fs, every failure an E_IO naming the path. */
export const nodeStorage: Storage = {
  read(path) {
    try {
      return new Uint8Array(readFileSync(path));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      throw ioError(path, 'read', e);
    }
  },
  exists: (path) => existsSync(path),
  isDir(path) {
    try {
      return statSync(path).isDirectory();
    } catch {
      return false;
    }
  },
  list(dir) {
    try {
      return readdirSync(dir).sort(byName);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
      throw ioError(dir, 'list', e);
    }
  },
  mkdir(dir) {
    try {
      mkdirSync(dir);
    } catch (e) {
      throw ioError(dir, 'create the directory', e);
    }
  },
  create(path, data) {
    let fd: number | undefined;
    try {
      fd = openSync(path, 'wx', 0o644);
      let off = 0;
      while (off < data.length) off += writeSync(fd, data, off, data.length - off);
    } catch (e) {
      throw ioError(path, 'write', e);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  },
  fsyncFile(path) {
    // fsync through a new descriptor flushes the file's data: it is the inode's, not the descriptor's.
    let fd: number | undefined;
    try {
      fd = openSync(path, 'r+');
      fsyncSync(fd);
    } catch (e) {
      throw ioError(path, 'fsync', e);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  },
  rename(from, to) {
    try {
      renameSync(from, to);
    } catch (e) {
      throw ioError(from, `rename to ${to}`, e);
    }
  },
  fsyncDir(dir) {
    let fd: number | undefined;
    try {
      fd = openSync(dir, 'r');
      fsyncSync(fd);
    } catch (e) {
      throw ioError(dir, 'fsync the directory', e);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  },
  tempPath: (path) => join(dirname(path), `.${basename(path)}.${process.pid}.${counter++}.tmp`),
};

export const NODE_IO: StoreIo = { storage: nodeStorage };

/**
 * A copy-on-write overlay: reads see the base and then the overlay's own changes, changes never
 * reach the base (`qfs ledger recover --dry-run` runs the real recovery on it and prints what it did).
 */
export function overlayStorage(base: Storage): Storage {
  const files = new Map<string, Uint8Array>();
  const dirs = new Set<string>();
  const gone = new Set<string>();
  const hidden = (p: string): boolean => gone.has(p) && !files.has(p);
  return {
    read: (p) => (files.has(p) ? files.get(p) : gone.has(p) ? undefined : base.read(p)),
    exists: (p) => files.has(p) || dirs.has(p) || (!hidden(p) && base.exists(p)),
    isDir: (p) => dirs.has(p) || (!hidden(p) && base.isDir(p)),
    list(dir) {
      const names = new Set(base.list(dir).filter((n) => !hidden(join(dir, n))));
      for (const p of [...files.keys(), ...dirs]) if (dirname(p) === dir) names.add(basename(p));
      return [...names].sort(byName);
    },
    mkdir: (d) => void dirs.add(d),
    create(p, data) {
      if (this.exists(p)) throw new QfsError('E_IO', p, 'cannot write: EEXIST');
      files.set(p, data);
    },
    fsyncFile: () => undefined,
    rename(from, to) {
      const b = this.read(from);
      if (b === undefined) throw new QfsError('E_IO', from, `cannot rename to ${to}: ENOENT`);
      files.set(to, b);
      files.delete(from);
      gone.add(from);
    },
    fsyncDir: () => undefined,
    tempPath: (p) => join(dirname(p), `.${basename(p)}.dry-run.${counter++}.tmp`),
  };
}

// ---------------------------------------------------------------------------------------------
// Crash hook (tests): QFS_CRASH_AFTER_WRITES=i makes the process SIGKILL itself after its i-th
// change of the store or the anchor (an atomic write, a directory made, a rename aside). With
// QFS_CRASH_TORN=1, an i-th change that is a write is cut in the middle instead: half of its bytes
// in a temporary file, no rename, then SIGKILL.

let changes = 0;
function dieAt(): boolean {
  const limit = process.env.QFS_CRASH_AFTER_WRITES;
  return limit !== undefined && limit !== '' && ++changes >= Number(limit);
}
const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: SIGKILL');
};
/** Counts a change (crash hook). */
export function changed(): void {
  if (dieAt()) die();
}

/**
 * Makes `dir` and its missing ancestors, each made durable by an fsync of its parent (a new
 * directory whose entry is lost at a power cut takes everything renamed into it along).
 */
export function makeDirs(io: StoreIo, dir: string): void {
  const s = io.storage;
  if (s.isDir(dir)) return;
  const parent = dirname(dir);
  if (parent !== dir) makeDirs(io, parent);
  s.mkdir(dir);
  if (io.omitFsync !== 'mkdir') s.fsyncDir(parent);
  changed();
}

/** Writes `data` to `path` atomically and durably: temporary file, fsync, rename, fsync of the directory. */
export function writeAtomic(io: StoreIo, path: string, data: string | Uint8Array): void {
  const s = io.storage;
  const dir = dirname(path);
  makeDirs(io, dir);
  const bytes = typeof data === 'string' ? new Uint8Array(Buffer.from(data, 'utf8')) : data;
  const tmp = s.tempPath(path);
  const dying = dieAt();
  if (dying && process.env.QFS_CRASH_TORN === '1') {
    s.create(tmp, bytes.subarray(0, bytes.length >> 1));
    die();
  }
  s.create(tmp, bytes);
  if (io.omitFsync !== 'file') s.fsyncFile(tmp);
  s.rename(tmp, path);
  if (io.omitFsync !== 'dir') s.fsyncDir(dir);
  if (dying) die();
}

/**
 * Sets a file aside by rename to `to` (made unique: `<stem>.<n><ext>` for the first free n, so
 * nothing is ever overwritten); returns the name used. Not durable until the caller fsyncs both
 * directories (`syncMoves`).
 */
export function moveAside(io: StoreIo, from: string, to: string): string {
  const s = io.storage;
  makeDirs(io, dirname(to));
  let target = to;
  const dot = to.lastIndexOf('.');
  const slash = to.lastIndexOf('/');
  const [stem, ext] = dot > slash ? [to.slice(0, dot), to.slice(dot)] : [to, ''];
  for (let n = 1; s.exists(target); n++) target = `${stem}.${n}${ext}`;
  s.rename(from, target);
  changed();
  return target;
}

/**
 * Makes renames durable: the destination directories first, then the sources, so that no power
 * cut keeps a file's removal from its source without its arrival at the destination.
 */
export function syncMoves(io: StoreIo, moves: readonly (readonly [string, string])[]): void {
  if (io.omitFsync === 'moves') return;
  const dirs = [...new Set([...moves.map(([, to]) => dirname(to)), ...moves.map(([from]) => dirname(from))])];
  for (const d of dirs) io.storage.fsyncDir(d);
}
