/**
 * The conformance scenario of the main job (SPEC §10 "the state roots reached by each runtime on
 * the conformance scenario"): 8 honest epochs of the scenario load on the main job's genesis,
 * executed by the TypeScript reference, and replayed from their stored inputs (P6.7) by the
 * Python and Rust ports' batch runners (conformance/, the differential property's format,
 * models/scenario-batch.ts). A runtime that is missing or fails is reported as null with the
 * reason: the cross-runtime criterion is then "not run", never a pass.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalString, parseCanonical, type Encodable, type Json } from '../src/math/canonical.ts';
import { recordHash } from '../src/epoch/epoch-record.ts';
import { runHonestEpoch, type EpochContext } from '../src/epoch/epoch.ts';
import type { Runtimes } from '../src/evidence/evidence-package.ts';
import { scenarioInputs } from '../src/runs/scenario.ts';
import { initialState } from '../src/economics/state.ts';
import { batchLine, type Scenario, type ScenarioRoots } from './scenario-batch.ts';

export const CONFORMANCE_EPOCHS = 8;
const ROOT = join(import.meta.dirname, '..');

/** The scenario and the reference's roots (final root and every record hash). */
export function conformanceScenario(ctx: EpochContext, seed: bigint): { scenario: Scenario; roots: ScenarioRoots } {
  let S = initialState(ctx.genesis, ctx.genesisHash);
  const epochs: { safe_mode: boolean; inputs: Json }[] = [];
  const out: { root: string; record_hash: string }[] = [];
  for (let e = 0; e < CONFORMANCE_EPOCHS; e++) {
    const r = runHonestEpoch(ctx, S, scenarioInputs(ctx, S, { seed }));
    epochs.push({ safe_mode: false, inputs: parseCanonical(canonicalString(r.inputs as unknown as Encodable)) });
    out.push({ root: r.record.root, record_hash: recordHash(r.record) });
    S = r.state;
  }
  const genesis = parseCanonical(canonicalString(ctx.genesis as unknown as Encodable));
  return { scenario: { genesis, epochs }, roots: { start_root: null, epochs: out, error: null } };
}

/** Runs one batch line through a port; its parsed result, or the reason it did not run. */
function runPort(cmd: string, args: readonly string[], cwd: string, input: string): ScenarioRoots | string {
  const r = spawnSync(cmd, args, { cwd, input, encoding: 'utf8', maxBuffer: 1 << 26, timeout: 600_000 });
  if (r.error !== undefined) return `${cmd}: ${r.error.message}`;
  if (r.status !== 0) return `${cmd} exited ${r.status}: ${r.stderr.trim().split('\n').slice(-1)[0] ?? ''}`;
  try {
    const line = JSON.parse(r.stdout.trim().split('\n')[0]!) as ScenarioRoots;
    return line.error !== null ? `${cmd}: ${line.error}` : line;
  } catch (e) {
    return `${cmd}: unreadable output (${(e as Error).message})`;
  }
}

/** A runtime's "root": the final state root, when its record hashes all equal the reference's too. */
function fingerprint(roots: ScenarioRoots, reference: ScenarioRoots): string {
  const last = roots.epochs.at(-1)?.root ?? 'none';
  const same = roots.epochs.length === reference.epochs.length && roots.epochs.every((e, i) => e.record_hash === reference.epochs[i]!.record_hash);
  return same ? last : `${last} (record hashes differ from the reference)`;
}

/**
 * With `progress`, a first use says what it is waiting for (the venv's pip install, the Rust
 * release build) and lets pip's and cargo's own progress through to stderr, instead of a silent minute.
 */
export function conformanceRuntimes(ctx: EpochContext, seed: bigint, progress?: (line: string) => void): { runtimes: Runtimes; note: string } {
  const { scenario, roots } = conformanceScenario(ctx, seed);
  const line = batchLine('phase3', scenario);
  const notes: string[] = [];
  let python: string | null = null;
  const firstVenv = progress !== undefined && !existsSync(join(ROOT, 'conformance', 'python', '.venv', '.requirements.installed'));
  if (firstVenv) progress("conformance: first use: making the Python port's venv (pip install, about 20 s)");
  const venv = spawnSync('bash', [join(ROOT, 'conformance', 'python-venv.sh')], { encoding: 'utf8', timeout: 900_000, stdio: ['ignore', 'pipe', firstVenv ? 'inherit' : 'pipe'] });
  if (venv.status === 0) {
    const r = runPort(venv.stdout.trim(), ['-m', 'qfs_conformance.batch'], join(ROOT, 'conformance', 'python'), line);
    if (typeof r === 'string') notes.push(`python not run (${r})`);
    else python = fingerprint(r, roots);
  } else notes.push(`python not run (${(venv.stderr ?? '').trim().split('\n').slice(-1)[0] || (venv.status === 3 ? 'no python3' : 'the venv could not be made')})`);
  let rust: string | null = null;
  const rustDir = join(ROOT, 'conformance', 'rust');
  if (progress !== undefined && !existsSync(join(rustDir, 'target', 'release', 'batch'))) {
    progress('conformance: first build of the Rust port (cargo build --release, about a minute; cargo reports below)');
    // A failed or missing cargo shows up in the run below, with its reason.
    spawnSync('cargo', ['build', '--release', '--locked', '--bin', 'batch'], { cwd: rustDir, stdio: ['ignore', 'ignore', 'inherit'], timeout: 900_000 });
  }
  const r = runPort('cargo', ['run', '--release', '--locked', '--quiet', '--bin', 'batch'], join(ROOT, 'conformance', 'rust'), line);
  if (typeof r === 'string') notes.push(`rust not run (${r})`);
  else rust = fingerprint(r, roots);
  const typescript = roots.epochs.at(-1)!.root;
  const note = notes.length > 0 ? notes.join('; ') : `${CONFORMANCE_EPOCHS} honest epochs replayed by TypeScript, Python and Rust, every record hash equal`;
  return { runtimes: { typescript, python, rust }, note };
}
