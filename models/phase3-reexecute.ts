/**
 * `qfs verify --reexecute`: the package is a deterministic function of (genesis, seed,
 * parameters, versions), so the strongest check re-runs the main job (phase3-run.ts) from the
 * manifest's genesis and parameters, in a temporary directory, and compares every artifact and
 * the manifest byte for byte. The Python and Rust roots are re-executed when the toolchains exist;
 * a root the package holds that could not be re-executed here is reported, never taken as verified.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EpochContext } from '../src/epoch/epoch.ts';
import type { FounderSignature } from '../src/genesis/founders.ts';
import type { Genesis } from '../src/genesis/genesis.ts';
import { computeAcceptance } from '../src/evidence/acceptance.ts';
import { readArtifacts } from '../src/evidence/artifacts.ts';
import { fileDifference, type Difference } from '../src/evidence/compare.ts';
import { buildManifest, manifestText } from '../src/evidence/manifest.ts';
import { ARTIFACTS, MANIFEST_FILE, type Runtimes } from '../src/evidence/names.ts';
import type { VerifiedPackage } from '../src/evidence/verifier.ts';
import { fromHex } from '../src/math/hashing.ts';
import { evidenceParameters, phase3 } from './phase3-run.ts';

export type NotReexecuted = { readonly runtime: 'python' | 'rust'; readonly reason: string };

export type Reexecution = {
  /** The first file and field where the re-execution differs from the package, or null. */
  readonly difference: Difference | null;
  /** Runtime roots the package holds that this machine could not re-execute (fail closed). */
  readonly notReexecuted: readonly NotReexecuted[];
  readonly seconds: number;
};

export type ReexecuteOptions = {
  readonly genesis: Genesis;
  readonly signatures: readonly FounderSignature[];
  readonly runtimes: (ctx: EpochContext, seed: bigint) => { readonly runtimes: Runtimes; readonly note: string };
  readonly progress: (line: string) => void;
};

export function reexecute(pkg: VerifiedPackage, o: ReexecuteOptions): Reexecution {
  const t0 = Date.now();
  const m = pkg.manifest;
  const p = m.parameters;
  const tmp = mkdtempSync(join(tmpdir(), 'qfs-reexecute-'));
  try {
    const opts = { seed: p.seed, runs: Number(p.runs), scenarioRuns: Number(p.scenario_runs) };
    o.progress(`re-executing the main job: seed ${p.seed}, ${p.epochs} epochs, ${p.runs} runs per property, ${p.scenario_runs} scenario runs per attack, in ${tmp}`);
    const r = phase3({ genesis: o.genesis, signatures: o.signatures, epochs: Number(p.epochs), ...opts, counterexamples: join(tmp, 'counterexamples'), runtimes: o.runtimes, progress: o.progress });
    // A port that did not run here cannot confirm the package's root: keep the package's value for
    // the comparison of everything else, and report it (the caller fails closed).
    const notReexecuted: NotReexecuted[] = [];
    const runtimes = { ...r.runtimes };
    for (const k of ['python', 'rust'] as const) {
      if (r.runtimes[k] === null && m.runtimes[k] !== null) {
        notReexecuted.push({ runtime: k, reason: r.runtimeNote });
        runtimes[k] = m.runtimes[k];
      } else if (r.runtimes[k] !== null && m.runtimes[k] === null) runtimes[k] = null; // the package claims less: not a lie
    }
    const acceptance = computeAcceptance(readArtifacts(r.artifacts), runtimes);
    const params = { ...evidenceParameters(m.genesis_hash, opts, { ...r, runtimes, acceptance }) };
    const mine = new Map<string, Uint8Array>(r.artifacts);
    const signer = { publicKey: fromHex(m.signer.public_key)!, label: m.signer.label, development: m.signer.development };
    mine.set(MANIFEST_FILE, new TextEncoder().encode(manifestText(buildManifest(r.artifacts, params, signer))));
    let difference: Difference | null = null;
    for (const name of [...ARTIFACTS, MANIFEST_FILE]) {
      const theirs = name === MANIFEST_FILE ? new TextEncoder().encode(manifestText(m)) : pkg.artifacts.get(name)!;
      difference = fileDifference(name, theirs, mine.get(name)!);
      if (difference !== null) break;
    }
    return { difference, notReexecuted, seconds: (Date.now() - t0) / 1000 };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
