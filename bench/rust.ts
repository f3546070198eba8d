/**
 * The Rust conformance port on the bench's largest economy (bench/run.ts; skipped with
 * `--no-rust`, and with a note when cargo is missing). The same genesis, start state (epoch 0 of
 * that genesis) and stored inputs documents (P6.7) that `runHonestEpoch` produced in the timed run
 * are written as one scenario line of the port's batch runner (conformance/rust/src/bin/batch.rs,
 * the format of models/scenario-batch.ts), replayed by its release build, and every epoch's state
 * root and record hash must equal TypeScript's: a difference fails the bench (exit 1).
 *
 * Printed: the port's time per epoch (the runner's own clock: replay, state root and record hash;
 * the JSON parse of that epoch's inputs beside it), the ratio Rust / TypeScript of the median
 * epoch times, the same for CPU time (steadier on a shared machine), and the port's peak resident memory (`/usr/bin/time`'s maximum RSS if that program
 * is installed, else the highest VmHWM read from /proc/<pid>/status while it runs, else
 * "not measured"). `QFS_BENCH_RUST_KEEP=1` keeps the scenario file and prints its path.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalString, type Encodable } from '../src/math/canonical.ts';
import { recordHash } from '../src/epoch/epoch-record.ts';
import type { HonestEpoch } from '../src/epoch/epoch.ts';
import type { Genesis } from '../src/genesis/genesis.ts';

const RUST_DIR = join(import.meta.dirname, '..', 'conformance', 'rust');
const TIME = '/usr/bin/time';

type Expected = { readonly root: string; readonly record_hash: string; readonly ms: number; readonly cpuMs: number };
type PortEpoch = { readonly root: string; readonly record_hash: string; readonly us?: number; readonly parse_us?: number; readonly cpu_us?: number | null };
type PortLine = { readonly start_root: string | null; readonly epochs: readonly PortEpoch[]; readonly error: string | null; readonly us: number };

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const ms = (x: number): number => Math.round(x * 10) / 10;

/** Collects the epochs of the economy of `nodes` nodes as the bench runs them, then replays them in Rust. */
export class RustReplay {
  private readonly dir = mkdtempSync(join(tmpdir(), 'qfs-bench-rust-'));
  private readonly file = join(this.dir, 'scenario.jsonl');
  private fd: number | null = null;
  private startRoot = '';
  private readonly expected: Expected[] = [];

  constructor(readonly nodes: number) {}

  /** The genesis of the economy (its state at epoch 0 is where the TypeScript run starts). */
  begin(n: number, g: Genesis, startRoot: string): void {
    if (n !== this.nodes) return;
    this.fd = openSync(this.file, 'w');
    this.startRoot = startRoot;
    // Written piece by piece, so the 100k-node documents are never one string here.
    writeSync(this.fd, `{"id":"bench-${n}","genesis":`);
    writeSync(this.fd, canonicalString(g as unknown as Encodable));
    writeSync(this.fd, ',"epochs":[');
  }

  /** One timed epoch of that economy: its stored inputs, what TypeScript reached, its wall and CPU times. */
  epoch(n: number, out: HonestEpoch, epochMs: number, epochCpuMs: number): void {
    if (n !== this.nodes || this.fd === null) return;
    if (this.expected.length > 0) writeSync(this.fd, ',');
    writeSync(this.fd, '{"safe_mode":false,"inputs":');
    writeSync(this.fd, canonicalString(out.inputs as unknown as Encodable));
    writeSync(this.fd, '}');
    this.expected.push({ root: out.record.root, record_hash: recordHash(out.record), ms: epochMs, cpuMs: epochCpuMs });
  }

  /** Builds the port, replays the scenario, compares and prints; false on a mismatch or a failure. */
  async run(json: boolean): Promise<boolean> {
    try {
      return await this.replay(json);
    } finally {
      if (process.env.QFS_BENCH_RUST_KEEP === '1') console.error(`bench: rust scenario kept in ${this.file}`);
      else rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private async replay(json: boolean): Promise<boolean> {
    const skip = (reason: string): true => {
      if (json) console.log(JSON.stringify({ bench: 'rust-port', nodes: this.nodes, skipped: reason }));
      else console.log(`rust port: SKIPPED — ${reason} (--no-rust skips this step)`);
      return true;
    };
    if (this.fd === null) return skip(`no ${this.nodes}-node economy in this bench`);
    writeSync(this.fd, ']}\n');
    closeSync(this.fd);
    this.fd = null;
    if (spawnSync('cargo', ['--version']).status !== 0) return skip('cargo not found on PATH (install Rust to compare the port)');
    console.error('bench: building the Rust port (cargo build --release, the first build takes a few minutes)…');
    const build = spawnSync('cargo', ['build', '--release', '--locked', '--bin', 'batch', '--message-format=json'], {
      cwd: RUST_DIR,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    let batch: string | undefined;
    for (const line of build.stdout.split('\n')) {
      if (!line.startsWith('{')) continue;
      const m = JSON.parse(line) as { reason?: string; target?: { name?: string }; executable?: string | null };
      if (m.reason === 'compiler-artifact' && m.target?.name === 'batch' && typeof m.executable === 'string') batch = m.executable;
    }
    if (build.status !== 0 || batch === undefined) {
      console.error(`bench: cargo build --release --bin batch failed (exit ${build.status}):\n${build.stderr.slice(-3000)}`);
      return false;
    }
    console.error(`bench: replaying ${this.expected.length} epochs of the ${this.nodes}-node economy in the Rust port…`);
    const r = await runMeasured(batch, this.file, this.dir);
    if (r.code !== 0) {
      console.error(`bench: the Rust batch runner exited with ${r.code}:\n${r.stderr.slice(-3000)}`);
      return false;
    }
    const line = JSON.parse(r.stdout.trim()) as PortLine;
    const problems: string[] = [];
    if (line.start_root !== this.startRoot) problems.push(`state root at epoch 0: Rust ${line.start_root}, TypeScript ${this.startRoot}`);
    for (const [k, e] of this.expected.entries()) {
      const a = line.epochs[k];
      if (a === undefined) problems.push(`epoch ${k + 1}: not run by Rust (${line.error ?? 'no result'})`);
      else if (a.root !== e.root || a.record_hash !== e.record_hash)
        problems.push(`epoch ${k + 1}: Rust root ${a.root} record hash ${a.record_hash}, TypeScript root ${e.root} record hash ${e.record_hash}`);
    }
    if (line.error !== null) problems.push(`error: ${line.error}`);
    if (problems.length > 0) {
      console.error(`bench: the Rust port differs from TypeScript on the ${this.nodes}-node economy:\n  ${problems.join('\n  ')}`);
      return false;
    }
    const rustMs = line.epochs.map((e) => (e.us ?? line.us / line.epochs.length) / 1000);
    const parseMs = line.epochs.map((e) => (e.parse_us ?? 0) / 1000);
    const tsMs = median(this.expected.map((e) => e.ms));
    // CPU times (the runner's thread; the bench process's, GC helpers included): steadier than
    // wall time when the machine is shared.
    const rustCpu = line.epochs.every((e) => typeof e.cpu_us === 'number') ? median(line.epochs.map((e) => e.cpu_us! / 1000)) : null;
    const tsCpu = median(this.expected.map((e) => e.cpuMs));
    const row = {
      bench: 'rust-port',
      nodes: this.nodes,
      epochs: this.expected.length,
      same_roots: true,
      rust_epoch_ms: ms(median(rustMs)),
      rust_epoch_min_ms: ms(Math.min(...rustMs)),
      rust_epoch_max_ms: ms(Math.max(...rustMs)),
      rust_parse_ms: ms(median(parseMs)),
      rust_run_ms: ms(line.us / 1000),
      rust_wall_ms: ms(r.wallMs),
      ts_epoch_ms: ms(tsMs),
      ratio_rust_ts: Number((median(rustMs) / tsMs).toFixed(2)),
      rust_epoch_cpu_ms: rustCpu === null ? null : ms(rustCpu),
      ts_epoch_cpu_ms: ms(tsCpu),
      ratio_rust_ts_cpu: rustCpu === null ? null : Number((rustCpu / tsCpu).toFixed(2)),
      rust_peak_rss_mb: r.peakKb === null ? null : Math.round(r.peakKb / 1024),
      rss_source: r.source,
    };
    if (json) console.log(JSON.stringify(row));
    else
      console.log(
        `rust port (${this.nodes} nodes, ${row.epochs} epochs): same state roots and record hashes as TypeScript; ` +
          `epoch ${row.rust_epoch_ms} ms (${row.rust_epoch_min_ms}–${row.rust_epoch_max_ms}; + ${row.rust_parse_ms} ms parsing its inputs), ` +
          `TypeScript ${row.ts_epoch_ms} ms, ratio Rust/TypeScript ${row.ratio_rust_ts}; ` +
          `CPU: Rust ${row.rust_epoch_cpu_ms ?? 'not measured'} ms, TypeScript ${row.ts_epoch_cpu_ms} ms, ratio ${row.ratio_rust_ts_cpu ?? '–'}; ` +
          `whole run ${row.rust_run_ms} ms (genesis check and parsing included); ` +
          `peak RSS ${row.rust_peak_rss_mb === null ? 'not measured' : `${row.rust_peak_rss_mb} MB (${r.source})`}`,
      );
    return true;
  }
}

type Measured = { readonly code: number | null; readonly stdout: string; readonly stderr: string; readonly wallMs: number; readonly peakKb: number | null; readonly source: string };

/** Runs the batch runner on the scenario file, with its peak resident memory when it can be read. */
function runMeasured(batch: string, input: string, dir: string): Promise<Measured> {
  const output = join(dir, 'out.jsonl');
  const errors = join(dir, 'err.txt');
  const timeFile = join(dir, 'time.txt');
  const useTime = existsSync(TIME);
  const [cmd, args] = useTime ? [TIME, ['-f', '%M', '-o', timeFile, batch]] : [batch, []];
  const fds = [openSync(input, 'r'), openSync(output, 'w'), openSync(errors, 'w')] as const;
  const began = performance.now();
  const child = spawn(cmd, args, { cwd: RUST_DIR, stdio: [fds[0], fds[1], fds[2]] });
  for (const fd of fds) closeSync(fd);
  // Without /usr/bin/time: VmHWM (the peak so far) polled; the last reading before exit is kept.
  let hwm: number | null = null;
  const poll = useTime
    ? null
    : setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) hwm = Math.max(hwm ?? 0, Number(m[1]));
        } catch {
          // the process has just exited, or there is no /proc
        }
      }, 50);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      if (poll !== null) clearInterval(poll);
      const wallMs = performance.now() - began;
      let peakKb = hwm;
      let source = hwm === null ? 'not measured' : 'VmHWM polled';
      if (useTime) {
        const kb = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop());
        peakKb = Number.isFinite(kb) && kb > 0 ? kb : null;
        source = peakKb === null ? 'not measured' : '/usr/bin/time max RSS';
      }
      resolve({ code, stdout: readFileSync(output, 'utf8'), stderr: readFileSync(errors, 'utf8'), wallMs, peakKb, source });
    });
  });
}
