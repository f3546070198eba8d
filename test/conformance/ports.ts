/**
 * Running the conformance ports from vitest (test/conformance/broken-port.test.ts,
 * properties/differential.test.ts). A port whose toolchain is missing (no python3, no cargo on
 * PATH) is `unavailable` with the reason, so a suite can skip it with a clear note; a toolchain
 * that is there but fails (a venv that cannot be installed, a build error) is an error.
 *
 * The Python venv is the one conformance/run.sh uses (conformance/python-venv.sh makes it, under a
 * lock: suites may start at the same time). The Rust batch runner is built with `cargo build
 * --release --locked`; concurrent cargo commands wait for each other on cargo's own lock.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScenarioRoots } from '../../models/scenario-batch.ts';

export const ROOT = join(import.meta.dirname, '..', '..');
export const PYTHON_DIR = join(ROOT, 'conformance', 'python');
export const RUST_DIR = join(ROOT, 'conformance', 'rust');

export type Exec = { readonly code: number | null; readonly stdout: string; readonly stderr: string; readonly ms: number };

/** Runs a command to its end (never throws on a non-zero exit; `code` null if it could not start). */
export function exec(cmd: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Exec> {
  const began = performance.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => resolve({ code: null, stdout: '', stderr: String(e), ms: performance.now() - began }));
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ms: performance.now() - began }));
  });
}

/** The environment of a port run: the caller's, with QFS_CONFORMANCE_MUTANT set or removed. */
export function portEnv(mutant: string | null): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.QFS_CONFORMANCE_MUTANT;
  if (mutant !== null) env.QFS_CONFORMANCE_MUTANT = mutant;
  return env;
}

const tail = (s: string, n = 3000): string => (s.length <= n ? s : `…${s.slice(-n)}`);

export type Unavailable = { readonly available: false; readonly name: string; readonly reason: string };

// ---------------------------------------------------------------------------------------------
// Toolchains

export type PythonPort = { readonly available: true; readonly name: 'python'; readonly python: string };

let pythonOnce: Promise<PythonPort | Unavailable> | undefined;
/** The venv's python (created or updated by conformance/python-venv.sh when needed). */
export function pythonPort(): Promise<PythonPort | Unavailable> {
  return (pythonOnce ??= (async () => {
    const r = await exec('bash', [join(ROOT, 'conformance', 'python-venv.sh')]);
    if (r.code === 3) return { available: false, name: 'python', reason: 'python3 not found on PATH' };
    if (r.code !== 0) throw new Error(`conformance/python-venv.sh could not set up the Python port's venv (exit ${r.code}):\n${tail(r.stderr)}`);
    const python = r.stdout.trim().split('\n').pop()!;
    return { available: true, name: 'python', python };
  })());
}

export async function cargoAvailable(): Promise<boolean> {
  const r = await exec('cargo', ['--version']);
  return r.code === 0;
}

export type RustPort = { readonly available: true; readonly name: 'rust'; readonly batch: string };

let rustOnce: Promise<RustPort | Unavailable> | undefined;
/** The Rust port's batch runner, built in release mode (its path from cargo's own build messages). */
export function rustPort(): Promise<RustPort | Unavailable> {
  return (rustOnce ??= (async () => {
    if (!(await cargoAvailable())) return { available: false, name: 'rust', reason: 'cargo not found on PATH' };
    const r = await exec('cargo', ['build', '--release', '--locked', '--bin', 'batch', '--message-format=json'], { cwd: RUST_DIR });
    if (r.code !== 0) throw new Error(`cargo build --release --bin batch failed (exit ${r.code}):\n${tail(r.stderr)}`);
    let batch: string | undefined;
    for (const line of r.stdout.split('\n')) {
      if (!line.startsWith('{')) continue;
      const m = JSON.parse(line) as { reason?: string; target?: { name?: string }; executable?: string | null };
      if (m.reason === 'compiler-artifact' && m.target?.name === 'batch' && typeof m.executable === 'string') batch = m.executable;
    }
    if (batch === undefined) throw new Error(`cargo build reported no executable for the batch binary:\n${tail(r.stdout)}`);
    return { available: true, name: 'rust', batch };
  })());
}

export type Port = PythonPort | RustPort;

// ---------------------------------------------------------------------------------------------
// Batches

export type PortResult = ScenarioRoots & { readonly id: string; readonly us: number };
export type BatchRun = { readonly port: string; readonly results: ReadonlyMap<string, PortResult>; readonly wallMs: number; readonly stderr: string };

/**
 * Starts a port's batch runner on scenario lines (see models/scenario-batch.ts). Input and output go
 * through files, so the child runs on its own while this process keeps working (generating the next
 * batch); the promise settles when it has exited. A non-zero exit or a missing result is an error.
 */
export function startBatch(port: Port, lines: string, mutant: string | null = null): Promise<BatchRun> {
  const dir = mkdtempSync(join(tmpdir(), `qfs-diff-${port.name}-`));
  const input = join(dir, 'in.jsonl');
  const output = join(dir, 'out.jsonl');
  const errors = join(dir, 'err.txt');
  writeFileSync(input, lines);
  const fds = [openSync(input, 'r'), openSync(output, 'w'), openSync(errors, 'w')] as const;
  const [cmd, args, cwd] = port.name === 'python' ? [port.python, ['-m', 'qfs_conformance.batch'], PYTHON_DIR] : [port.batch, [], RUST_DIR];
  const began = performance.now();
  const child = spawn(cmd, args, { cwd, env: portEnv(mutant), stdio: [fds[0], fds[1], fds[2]] });
  for (const fd of fds) closeSync(fd);
  const expected = lines.split('\n').filter((l) => l.trim() !== '').length;
  return new Promise((resolve, reject) => {
    child.on('error', (e) => reject(new Error(`${port.name} batch runner could not start: ${e.message}`)));
    child.on('exit', (code, signal) => {
      const wallMs = performance.now() - began;
      const stderr = readFileSync(errors, 'utf8');
      const out = readFileSync(output, 'utf8');
      rmSync(dir, { recursive: true, force: true });
      if (code !== 0) return reject(new Error(`${port.name} batch runner exited with ${code ?? signal}:\n${tail(stderr)}`));
      const results = new Map<string, PortResult>();
      for (const line of out.split('\n')) {
        if (line.trim() === '') continue;
        const r = JSON.parse(line) as PortResult;
        results.set(r.id, r);
      }
      if (results.size !== expected) return reject(new Error(`${port.name} batch runner answered ${results.size} of ${expected} scenarios:\n${tail(stderr)}`));
      resolve({ port: port.name, results, wallMs, stderr });
    });
  });
}
