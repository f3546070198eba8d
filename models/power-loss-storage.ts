/**
 * A deterministic, fault-injecting, in-memory Storage (src/io/storage.ts) that simulates power
 * loss, in the manner of TigerBeetle's storage simulator: what was not made durable may be lost
 * when the power is cut, and the choices come from a seed, so that a failure replays exactly.
 *
 * Model (what a journaling file system on a disk with a volatile cache may do):
 *   - A file is an inode with its volatile bytes and its durable bytes; `fsyncFile` makes the
 *     volatile bytes durable.
 *   - A directory is an inode with volatile and durable entries. `mkdir`, `create` and `rename`
 *     change the volatile entries at once and are queued as pending operations; a rename between
 *     two directories has two halves (the entry leaves its source, arrives at its destination).
 *     `fsyncDir(d)` makes durable every pending half that changes d — only those: the other
 *     directory of a rename is durable only once it is fsynced too.
 *   - At a power cut (`cutAfter` operations that change something, counted from `arm`), every
 *     pending operation with no half durable is kept whole or dropped whole (a rename is atomic),
 *     a lone pending half is kept or dropped; each file's unsynced bytes are lost or kept, and the
 *     last file written may instead be torn (a prefix of its bytes survives). Then the volatile
 *     state is the durable state, and the store is reopened.
 * After the cut every operation throws `PowerCut` until `crash()` applies the loss.
 */
import { QfsError } from '../src/core/errors.ts';
import type { Storage } from '../src/io/storage.ts';

export class PowerCut extends Error {
  constructor() {
    super('power cut');
  }
}

type FileNode = { readonly kind: 'file'; data: Uint8Array; durable: Uint8Array };
type DirNode = { readonly kind: 'dir'; entries: Map<string, number>; durable: Map<string, number> };
type Half = { readonly dir: number; readonly name: string; done: boolean };
type Op = { readonly ino: number; readonly from: Half | null; readonly to: Half };

/** A small deterministic generator (xorshift on 32 bits). */
function generator(seed: number): (bound: number) => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return (bound) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % bound;
  };
}

export type PowerLossStats = { cuts: number; lostWrites: number; keptWrites: number; tornWrites: number; droppedOps: number; keptOps: number };

export class PowerLossStorage implements Storage {
  private readonly nodes = new Map<number, FileNode | DirNode>();
  private next = 1;
  private pending: Op[] = [];
  private lastWrite = -1;
  private countdown = -1;
  private off = false;
  private temp = 0;
  private readonly rnd: (bound: number) => number;
  readonly stats: PowerLossStats = { cuts: 0, lostWrites: 0, keptWrites: 0, tornWrites: 0, droppedOps: 0, keptOps: 0 };

  constructor(seed: number) {
    this.rnd = generator(seed);
    this.nodes.set(0, { kind: 'dir', entries: new Map(), durable: new Map() });
  }

  /** Cuts the power after `n` more operations that change something (null: no cut). */
  arm(n: number | null): void {
    this.countdown = n === null ? -1 : n;
  }

  get poweredOff(): boolean {
    return this.off;
  }

  private step(): void {
    if (this.off) throw new PowerCut();
    if (this.countdown === 0) {
      this.off = true;
      this.stats.cuts++;
      throw new PowerCut();
    }
    if (this.countdown > 0) this.countdown--;
  }

  private parts(path: string): string[] {
    return path.split('/').filter((p) => p !== '');
  }

  private lookup(path: string): number | undefined {
    let ino = 0;
    for (const p of this.parts(path)) {
      const n = this.nodes.get(ino)!;
      if (n.kind !== 'dir') return undefined;
      const x = n.entries.get(p);
      if (x === undefined) return undefined;
      ino = x;
    }
    return ino;
  }

  private parent(path: string): { dir: number; node: DirNode; name: string } {
    const ps = this.parts(path);
    const name = ps.pop()!;
    const dir = this.lookup(`/${ps.join('/')}`);
    const node = dir === undefined ? undefined : this.nodes.get(dir);
    if (dir === undefined || node?.kind !== 'dir') throw new QfsError('E_IO', path, 'ENOENT (simulated)');
    return { dir, node, name };
  }

  read(path: string): Uint8Array | undefined {
    if (this.off) throw new PowerCut();
    const ino = this.lookup(path);
    const n = ino === undefined ? undefined : this.nodes.get(ino);
    return n?.kind === 'file' ? n.data.slice() : undefined;
  }

  exists(path: string): boolean {
    if (this.off) throw new PowerCut();
    return this.lookup(path) !== undefined;
  }

  isDir(path: string): boolean {
    if (this.off) throw new PowerCut();
    const ino = this.lookup(path);
    return ino !== undefined && this.nodes.get(ino)!.kind === 'dir';
  }

  list(dir: string): string[] {
    if (this.off) throw new PowerCut();
    const ino = this.lookup(dir);
    const n = ino === undefined ? undefined : this.nodes.get(ino);
    return n?.kind === 'dir' ? [...n.entries.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) : [];
  }

  private link(path: string, node: FileNode | DirNode): number {
    const p = this.parent(path);
    if (p.node.entries.has(p.name)) throw new QfsError('E_IO', path, 'EEXIST (simulated)');
    const ino = this.next++;
    this.nodes.set(ino, node);
    p.node.entries.set(p.name, ino);
    this.pending.push({ ino, from: null, to: { dir: p.dir, name: p.name, done: false } });
    return ino;
  }

  mkdir(dir: string): void {
    this.step();
    this.link(dir, { kind: 'dir', entries: new Map(), durable: new Map() });
  }

  create(path: string, data: Uint8Array): void {
    this.step();
    this.lastWrite = this.link(path, { kind: 'file', data: data.slice(), durable: new Uint8Array(0) });
  }

  fsyncFile(path: string): void {
    this.step();
    const ino = this.lookup(path);
    const n = ino === undefined ? undefined : this.nodes.get(ino);
    if (n?.kind !== 'file') throw new QfsError('E_IO', path, 'ENOENT (simulated)');
    n.durable = n.data;
  }

  rename(from: string, to: string): void {
    this.step();
    const a = this.parent(from);
    const ino = a.node.entries.get(a.name);
    if (ino === undefined) throw new QfsError('E_IO', from, 'ENOENT (simulated)');
    const b = this.parent(to);
    a.node.entries.delete(a.name);
    b.node.entries.set(b.name, ino);
    this.pending.push({ ino, from: { dir: a.dir, name: a.name, done: false }, to: { dir: b.dir, name: b.name, done: false } });
  }

  private apply(op: Op, half: Half, arriving: boolean): void {
    const d = this.nodes.get(half.dir) as DirNode;
    if (arriving) d.durable.set(half.name, op.ino);
    else if (d.durable.get(half.name) === op.ino) d.durable.delete(half.name);
    half.done = true;
  }

  fsyncDir(dir: string): void {
    this.step();
    const ino = this.lookup(dir);
    if (ino === undefined || this.nodes.get(ino)!.kind !== 'dir') throw new QfsError('E_IO', dir, 'ENOENT (simulated)');
    for (const op of this.pending) {
      if (op.from !== null && op.from.dir === ino && !op.from.done) this.apply(op, op.from, false);
      if (op.to.dir === ino && !op.to.done) this.apply(op, op.to, true);
    }
    this.pending = this.pending.filter((op) => !(op.to.done && (op.from === null || op.from.done)));
  }

  tempPath(path: string): string {
    const ps = this.parts(path);
    const name = ps.pop()!;
    return `/${[...ps, `.${name}.sim.${this.temp++}.tmp`].join('/')}`;
  }

  /** The attacker's (or the test's) write, durable at once: between epochs, outside any crash. */
  plant(path: string, data: Uint8Array | null): void {
    const p = this.parent(path);
    if (data === null) {
      p.node.entries.delete(p.name);
      p.node.durable.delete(p.name);
      return;
    }
    const ino = p.node.entries.get(p.name);
    const n = ino === undefined ? undefined : this.nodes.get(ino);
    if (n?.kind !== 'file') throw new QfsError('E_IO', path, 'not a file (simulated)');
    n.data = data.slice();
    n.durable = n.data;
  }

  /** Applies the power loss after a cut (or at any moment): see the header. */
  crash(): void {
    for (const op of this.pending) {
      const halves = [op.from, op.to].filter((h): h is Half => h !== null && !h.done);
      const none = op.to.done === false && (op.from === null || op.from.done === false);
      if (none) {
        if (this.rnd(2) === 0) {
          this.stats.droppedOps++;
          continue;
        }
        this.stats.keptOps++;
        for (const h of halves) this.apply(op, h, h === op.to);
      } else {
        for (const h of halves) {
          if (this.rnd(2) === 0) this.stats.droppedOps++;
          else {
            this.stats.keptOps++;
            this.apply(op, h, h === op.to);
          }
        }
      }
    }
    this.pending = [];
    for (const [ino, n] of this.nodes) {
      if (n.kind === 'dir') continue;
      if (n.data === n.durable) continue;
      const r = this.rnd(ino === this.lastWrite ? 3 : 2);
      if (r === 0) {
        this.stats.lostWrites++;
      } else if (r === 1) {
        this.stats.keptWrites++;
        n.durable = n.data;
      } else {
        this.stats.tornWrites++;
        n.durable = n.data.slice(0, this.rnd(n.data.length + 1));
      }
    }
    for (const n of this.nodes.values()) {
      if (n.kind === 'dir') n.entries = new Map(n.durable);
      else n.data = n.durable;
    }
    this.off = false;
    this.countdown = -1;
  }

  /** Every file under `dir` (recursive), as paths relative to it. */
  files(dir: string): string[] {
    const out: string[] = [];
    const walk = (d: string, rel: string): void => {
      for (const n of this.list(d)) {
        const p = `${d}/${n}`;
        if (this.isDir(p)) walk(p, `${rel}${n}/`);
        else out.push(`${rel}${n}`);
      }
    };
    walk(dir, '');
    return out;
  }
}
