/**
 * The bad-input suite's harness (issue 16): each case runs `qfs` in-process (cli/program.ts
 * `main(argv, io)`, no process.exit) in a fresh directory and checks the exit code, one coded line
 * `qfs: E_CODE <field or path>: …` naming what it expects, no stack trace, and that no file under
 * the case's directory changed (SHA-256 of every file, and every directory's listing, before and
 * after). A few cases that could hang or need a real pipe are spawned with a timeout instead.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { main } from '../../cli/program.ts';
import { defaultGenesis, devLabel } from '../../src/genesis/default-genesis.ts';
import { signGenesis } from '../../src/genesis/founders.ts';
import { genesisHash } from '../../src/genesis/genesis.ts';
import { writeGenesisDir } from '../../src/io/genesis-dir.ts';
import { writePublicKeyFile, writeSecretKeyFile } from '../../src/io/key-files.ts';
import { devKey, devSeed } from '../../src/math/signatures.ts';

export type Ran = { readonly code: number; readonly out: string; readonly err: string };

export async function qfs(args: readonly string[]): Promise<Ran> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

/** Every entry under `root`: files by SHA-256, directories and links by what they are. */
export function snapshot(root: string): Map<string, string> {
  const m = new Map<string, string>();
  const walk = (p: string, rel: string) => {
    const st = lstatSync(p);
    if (st.isSymbolicLink()) m.set(rel, `link ${readlinkSync(p)}`);
    else if (st.isDirectory()) {
      const names = readdirSync(p).sort();
      m.set(rel, `dir ${names.join('/')}`);
      for (const n of names) walk(join(p, n), rel === '' ? n : `${rel}/${n}`);
    } else if (st.isFile()) m.set(rel, `file ${(st.mode & 0o777).toString(8)} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`);
    else m.set(rel, `special ${st.mode.toString(8)}`);
  };
  walk(root, '');
  return m;
}

export type Case = {
  readonly name: string;
  /** Prepares the case directory (a copy of the fixture is already there when `fixture` is set). */
  readonly setup?: (dir: string) => void;
  readonly args: (dir: string) => readonly string[];
  readonly code: number;
  /** The error code expected on the coded line. */
  readonly error: string;
  /** What the line must name right after the code (the field or path); a function of the case directory. */
  readonly names?: string | ((dir: string) => string);
};

const CODED = /^qfs: (E_[A-Z_]+) (\S+)/m;
const STACK = /^\s+at .+(:\d+:\d+\)?|\(native\))$/m;

/** Runs one case in a fresh copy of `fixture` (or an empty directory) and checks everything the suite promises. */
export async function runCase(c: Case, fixture?: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'qfs-bad-'));
  if (fixture !== undefined) cpSync(fixture, dir, { recursive: true });
  c.setup?.(dir);
  const before = snapshot(dir);
  const r = await qfs(c.args(dir));
  const where = `${c.name}\nstdout: ${r.out.slice(0, 500)}\nstderr: ${r.err.slice(0, 1000)}`;
  expect(r.code, where).toBe(c.code);
  expect(r.err, where).not.toMatch(STACK);
  const m = CODED.exec(r.err);
  expect(m, where).not.toBeNull();
  expect(m![1], where).toBe(c.error);
  const lines = r.err.split('\n').filter((l) => l.startsWith('qfs: '));
  expect(lines.length, where).toBe(1);
  if (c.names !== undefined) {
    const want = typeof c.names === 'string' ? c.names : c.names(dir);
    expect(m![2]!.replace(/:$/, ''), where).toBe(want);
  }
  expect([...snapshot(dir)], `${c.name}: files changed`).toEqual([...before]);
}

/** Spawns the real binary (for a closed pipe, or a path that could block) with a hard timeout. */
export function spawnQfs(args: readonly string[], opts: { readonly timeoutMs: number; readonly closeStdoutAfterFirstChunk?: boolean }): Promise<Ran & { readonly timedOut: boolean }> {
  const BIN = join(import.meta.dirname, '..', '..', 'bin', 'qfs.mjs');
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      if (opts.closeStdoutAfterFirstChunk) child.stdout.destroy();
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? -1, out, err, timedOut });
    });
  });
}

export const noStack = (err: string): boolean => !STACK.test(err);

/**
 * The shared fixture: `G/` a development genesis directory (certified 3/3), `k.key` founder 0's
 * development key (mode 600), `o.key` the oracle's (not a founder), `k.pub`, `cx.json` the stored
 * counterexample, `file.txt` a plain file, `full/` a non-empty directory.
 */
export function makeFixture(): string {
  const dir = mkdtempSync(join(tmpdir(), 'qfs-bad-fixture-'));
  const g = defaultGenesis();
  const G = genesisHash(g);
  writeGenesisDir(join(dir, 'G'), g, g.founders.map((f) => signGenesis(G, f.id, devKey(devLabel.founder(f.id)).secretKey)));
  writeSecretKeyFile(join(dir, 'k.key'), 'founder-0', devSeed('founder-0'), true);
  writeSecretKeyFile(join(dir, 'o.key'), 'oracle', devSeed('oracle'), true);
  writePublicKeyFile(join(dir, 'k.pub'), 'founder-0', devKey('founder-0').publicKey, true);
  cpSync(join(import.meta.dirname, '..', '..', 'counterexamples', 'adversary.incidents', 'ccc4c6acc71d.json'), join(dir, 'cx.json'));
  writeFileSync(join(dir, 'file.txt'), 'a plain file\n');
  mkdirSync(join(dir, 'full'));
  writeFileSync(join(dir, 'full', 'keep.txt'), 'keep me\n');
  return dir;
}
