/**
 * The differential property (SPEC §13, issue 7): fast-check generates random economies and a few
 * epochs of random commands (models/scenario-batch.ts: the model suite's actions, snapshots,
 * validator answers and safe mode, on economies of ≤ 5 shards and ≤ 10 nodes); the TypeScript
 * reference runs them and stores each epoch's inputs (P6.7); the Python and Rust ports replay the
 * stored scenarios in batches (one process per batch of 125, not one per case) and every runtime's
 * start root, epoch roots and record hashes are compared. 1,000 scenarios by default.
 *
 * A divergence is stored as a counterexample (SPEC §12) under
 * counterexamples/conformance.roots/<hash12>.json — the scenario itself as the commands, so it
 * replays without the generators — and the suite fails saying how to replay it. Every stored case
 * is replayed by the `stored` test below as a regression case.
 *
 * Replay: the whole run with `QFS_SEED=<seed> npx vitest run properties/differential.test.ts`, one
 * scenario with `QFS_SEED=<seed> QFS_PATH=<index>` (the counterexample's seed and path), a stored
 * file with `QFS_COUNTEREXAMPLE=<file> npx vitest run properties/differential.test.ts -t stored`.
 * QFS_RUNS sets the number of scenarios. A port whose toolchain is missing is skipped with a note.
 * QFS_CONFORMANCE_MUTANT (e.g. mul_div_rounds_up) is passed to the ports: a way to see the suite
 * fail by hand (it then stores a counterexample); the `detects` test does this on its own.
 */
import fc from 'fast-check';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Json } from '../src/math/canonical.ts';
import { genesisHash } from '../src/genesis/genesis.ts';
import { COUNTEREXAMPLE_FORMAT, listCounterexamples, loadCounterexample, saveCounterexample, type Counterexample } from '../src/io/counterexamples.ts';
import { EconomyStats } from '../models/commands/stats.ts';
import { genesisFromData } from '../models/economy.ts';
import { batchLine, buildScenario, referenceRoots, scenarioCommands, scenarioFromCommands, scenarioPlan, type Scenario, type ScenarioRoots } from '../models/scenario-batch.ts';
import { pythonPort, ROOT, rustPort, startBatch, type BatchRun, type Port, type Unavailable } from '../test/conformance/ports.ts';

const PROPERTY = 'conformance.differential';
const INVARIANT = 'conformance.roots';
const COUNTEREXAMPLES = join(ROOT, 'counterexamples');
const BATCH = 125;
const SLOW = 900_000; // a fresh clone: venv install and a release build of the Rust port first

const seed = fc.readConfigureGlobal().seed ?? 0;
/** Scenarios: 1,000 unless QFS_RUNS (the global config) says otherwise. */
const numRuns = fc.readConfigureGlobal().numRuns ?? 1000;
const onePath = process.env.QFS_PATH;
/** A deliberate bug for the ports, passed through (see conformance/*: the suite should then fail). */
const callerMutant = process.env.QFS_CONFORMANCE_MUTANT || null;

// ---------------------------------------------------------------------------------------------
// Comparing one runtime with the reference

type Divergence = { readonly epoch: bigint; readonly message: string; readonly expected: Json; readonly actual: Json };

/** The first place where a port's result differs from the reference's, or null. */
function divergence(port: string, expected: ScenarioRoots, actual: ScenarioRoots): Divergence | null {
  if (actual.start_root !== expected.start_root) {
    return { epoch: 0n, message: `${port}: the state root at epoch 0 differs${actual.error === null ? '' : ` (${actual.error})`}`, expected: { root: expected.start_root }, actual: { root: actual.start_root, error: actual.error } };
  }
  for (const [k, e] of expected.epochs.entries()) {
    const a = actual.epochs[k];
    const epoch = BigInt(k + 1);
    if (a === undefined) return { epoch, message: `${port}: could not run epoch ${epoch}: ${actual.error ?? 'no result'}`, expected: { ...e }, actual: { error: actual.error } };
    if (a.root !== e.root || a.record_hash !== e.record_hash) {
      const what = [a.root !== e.root ? 'state root' : '', a.record_hash !== e.record_hash ? 'record hash' : ''].filter((x) => x !== '').join(' and ');
      return { epoch, message: `${port}: the ${what} of epoch ${epoch} ${what.includes(' and ') ? 'differ' : 'differs'} from the reference's`, expected: { ...e }, actual: { root: a.root, record_hash: a.record_hash } };
    }
  }
  if (actual.epochs.length !== expected.epochs.length || actual.error !== null) {
    const epoch = BigInt(expected.epochs.length + 1);
    return { epoch, message: `${port}: ${actual.epochs.length} epochs and error ${JSON.stringify(actual.error)} where the reference ran ${expected.epochs.length} epochs`, expected: { epochs: String(expected.epochs.length) }, actual: { epochs: String(actual.epochs.length), error: actual.error } };
  }
  return null;
}

/** The counterexample document of a divergence (SPEC §12). */
function differentialCounterexample(s: Scenario, reference: ScenarioRoots, d: Divergence, path: string): Counterexample {
  return {
    format: COUNTEREXAMPLE_FORMAT,
    property: PROPERTY,
    invariant: INVARIANT,
    seed: BigInt(seed),
    path,
    genesis_hash: genesisHash(genesisFromData(s.genesis)),
    commands: scenarioCommands(s),
    failure: { epoch: d.epoch, message: d.message, expected: d.expected, actual: d.actual },
    roots: reference.epochs.slice(0, Number(d.epoch)).map((e) => e.root),
  };
}

/** The reference's own roots for the stored form; a reference that cannot replay its own scenario is a bug of the reference. */
function reference(s: Scenario, what: string): ScenarioRoots {
  const r = referenceRoots(s);
  if (r.error !== null) throw new Error(`${what}: the reference cannot replay its own stored scenario: ${r.error}`);
  return r;
}

// ---------------------------------------------------------------------------------------------

type Ports = { readonly ready: Port[]; readonly missing: Unavailable[] };
let ports: Ports = { ready: [], missing: [] };

beforeAll(async () => {
  const all = await Promise.all([pythonPort(), rustPort()]);
  ports = { ready: all.filter((p): p is Port => p.available), missing: all.filter((p): p is Unavailable => !p.available) };
  for (const m of ports.missing) console.log(`SKIPPED the ${m.name} port in ${PROPERTY}: ${m.reason}`);
}, SLOW);

const skipWithoutPorts = (ctx: { skip: (note?: string) => never }): void => {
  if (ports.ready.length === 0) {
    const note = `no port available (${ports.missing.map((m) => `${m.name}: ${m.reason}`).join('; ')})`;
    console.log(`SKIPPED ${PROPERTY}: ${note}`);
    ctx.skip(note);
  }
};

const perEpoch = (ms: number, epochs: number): string => `${(ms / Math.max(1, epochs)).toFixed(2)} ms/epoch`;

describe(PROPERTY, () => {
  test(
    `${PROPERTY}: ${numRuns} random scenarios reach the same start root, epoch roots and record hashes in TypeScript, Python and Rust (batches of ${BATCH})`,
    async (ctx) => {
      skipWithoutPorts(ctx);
      const began = performance.now();
      const plans = onePath === undefined ? fc.sample(scenarioPlan(), { seed, numRuns }) : fc.sample(scenarioPlan(), { seed, path: onePath, numRuns: 1 });
      const pathOf = (i: number): string => onePath ?? String(i);
      const stats = new EconomyStats();
      const scenarios: Scenario[] = [];
      const expected: ScenarioRoots[] = [];
      const runs: Promise<BatchRun>[] = [];
      // One batch at a time per port (a port works on batch k while batch k + 1 is built).
      const queue = new Map<string, Promise<unknown>>();
      let buildMs = 0;
      let referenceMs = 0;
      for (let from = 0; from < plans.length; from += BATCH) {
        let lines = '';
        for (let i = from; i < Math.min(plans.length, from + BATCH); i++) {
          let t = performance.now();
          const built = buildScenario(plans[i]!);
          buildMs += performance.now() - t;
          t = performance.now();
          const ref = reference(built.scenario, `scenario ${pathOf(i)}`);
          referenceMs += performance.now() - t;
          // The stored form replays to what the run reached (record.replay, through JSON).
          expect(ref, `scenario ${pathOf(i)}: the reference's replay of the stored scenario differs from its run`).toEqual(built.roots);
          stats.merge(built.stats);
          scenarios.push(built.scenario);
          expected.push(ref);
          lines += batchLine(String(i), built.scenario);
          await new Promise((resolve) => setImmediate(resolve)); // let finished port runs report (and the next start)
        }
        for (const port of ports.ready) {
          const run = (queue.get(port.name) ?? Promise.resolve()).then(() => startBatch(port, lines, callerMutant));
          queue.set(port.name, run.catch(() => undefined));
          runs.push(run);
        }
      }
      const done = await Promise.all(runs);

      // Compare every scenario in every port; store the first divergence.
      const epochs = expected.reduce((k, r) => k + r.epochs.length, 0);
      const time = new Map<string, { us: number; wallMs: number }>();
      let failure: string | null = null;
      for (const run of done) {
        const t = time.get(run.port) ?? { us: 0, wallMs: 0 };
        t.wallMs += run.wallMs;
        for (const [id, actual] of run.results) {
          t.us += actual.us;
          const i = Number(id);
          const d: Divergence | null = failure === null ? divergence(run.port, expected[i]!, actual) : null;
          if (d !== null) {
            const c = differentialCounterexample(scenarios[i]!, expected[i]!, d, pathOf(i));
            const { file } = saveCounterexample(COUNTEREXAMPLES, c);
            failure =
              `${d.message} (scenario ${pathOf(i)} of seed ${seed})\n  expected (TypeScript): ${JSON.stringify(d.expected)}\n  actual (${run.port}): ${JSON.stringify(d.actual)}\n` +
              `  stored: ${file}\n  replay it: QFS_COUNTEREXAMPLE=${file} npx vitest run properties/differential.test.ts -t stored\n` +
              `  or regenerate it: QFS_SEED=${seed} QFS_PATH=${pathOf(i)} npx vitest run properties/differential.test.ts`;
          }
        }
        time.set(run.port, t);
      }
      const o = (k: string): number => stats.outcomes.get(k);
      console.log(
        [
          `[qfs] ${PROPERTY}: ${scenarios.length} scenarios, ${epochs} epochs (${o('commit')} commit, ${o('frozen')} frozen, ${o('abort')} abort), seed ${seed}, batches of ${BATCH}`,
          `  taken actions ${stats.totals.get('taken')} (${stats.takenKinds}), refused ${stats.totals.get('refused')}, snapshot copies ${stats.totals.get('snapshot copies')} (${stats.snapshots}), validator ${stats.validator}`,
          `  TypeScript: building the scenarios (model suite checks, signing) ${perEpoch(buildMs, epochs)}; replaying the stored form ${perEpoch(referenceMs, epochs)}`,
          ...[...time].map(([port, t]) => `  ${port}: ${perEpoch(t.us / 1000, epochs)} in the runner, ${perEpoch(t.wallMs, epochs)} wall (process start and JSON included)`),
          ...ports.missing.map((m) => `  ${m.name}: SKIPPED (${m.reason})`),
          `  wall time ${((performance.now() - began) / 1000).toFixed(1)} s`,
        ].join('\n'),
      );
      if (failure !== null) throw new Error(failure);
      expect(scenarios.length).toBe(onePath === undefined ? numRuns : 1);
      for (const run of done) expect(run.results.size).toBeGreaterThan(0);
      if (onePath === undefined && numRuns >= 500) {
        // The scenarios exercise the epoch, not just empty commits.
        expect(o('commit')).toBeGreaterThan(numRuns / 2);
        expect(o('frozen')).toBeGreaterThan(0);
        for (const kind of ['transfer', 'stake', 'unstake', 'psy_transfer']) expect(stats.takenKinds.get(kind), `taken ${kind} actions`).toBeGreaterThan(0);
        expect(stats.snapshots.get('admitted'), 'admitted snapshots').toBeGreaterThan(0);
        expect(stats.validator.get('EA-12'), 'EA-12 validator answers').toBeGreaterThan(0);
      }
    },
    SLOW,
  );

  test(
    `${PROPERTY}.stored: every stored ${INVARIANT} counterexample replays with the same roots in every runtime`,
    async (ctx) => {
      skipWithoutPorts(ctx);
      const only = process.env.QFS_COUNTEREXAMPLE;
      const files = only !== undefined ? [only] : listCounterexamples(COUNTEREXAMPLES).filter((f) => f.includes(`${INVARIANT}/`));
      if (files.length === 0) {
        console.log(`[qfs] ${PROPERTY}.stored: no stored ${INVARIANT} counterexample`);
        return;
      }
      const cases = files.map((file) => {
        const c = loadCounterexample(file);
        expect(c.invariant, file).toBe(INVARIANT);
        const s = scenarioFromCommands(c.commands);
        return { file, s, ref: reference(s, file) };
      });
      const lines = cases.map((c, i) => batchLine(String(i), c.s)).join('');
      const runs = await Promise.all(ports.ready.map((p) => startBatch(p, lines, callerMutant)));
      const problems = runs.flatMap((run) =>
        cases.flatMap((c, i) => {
          const d = divergence(run.port, c.ref, run.results.get(String(i))!);
          return d === null ? [] : [`${c.file}: ${d.message}: expected ${JSON.stringify(d.expected)}, actual ${JSON.stringify(d.actual)}`];
        }),
      );
      console.log(`[qfs] ${PROPERTY}.stored: ${files.length} stored counterexample(s) replayed in ${runs.map((r) => r.port).join(', ')}`);
      expect(problems, problems.join('\n')).toEqual([]);
    },
    SLOW,
  );

  test(
    `${PROPERTY}.detects: a port with a deliberate bug (QFS_CONFORMANCE_MUTANT=mul_div_rounds_up) diverges, and its stored counterexample names the epoch and replays`,
    async (ctx) => {
      skipWithoutPorts(ctx);
      const port = ports.ready[0]!;
      const mutant = 'mul_div_rounds_up';
      const plans = fc.sample(scenarioPlan(), { seed, numRuns: 12 });
      const scenarios = plans.map((p) => buildScenario(p).scenario);
      const refs = scenarios.map((s, i) => reference(s, `scenario ${i}`));
      const run = await startBatch(port, scenarios.map((s, i) => batchLine(String(i), s)).join(''), mutant);
      const found = scenarios.flatMap((s, i) => {
        const d = divergence(port.name, refs[i]!, run.results.get(String(i))!);
        return d === null ? [] : [{ s, ref: refs[i]!, d, i }];
      });
      // mulDiv is in every commit (ψ, flows, rewards): a scenario with a commit must diverge.
      const withCommit = scenarios.filter((s) => s.epochs.some((e) => !e.safe_mode && (e.inputs as { proposals: Json[] }).proposals.length > 0)).length;
      expect(withCommit).toBeGreaterThan(0);
      expect(found.length, `${port.name} with ${mutant} diverged in ${found.length} of ${scenarios.length} scenarios`).toBeGreaterThan(0);

      const first = found[0]!;
      expect(first.d.expected).not.toEqual(first.d.actual);
      const dir = mkdtempSync(join(tmpdir(), 'qfs-diff-cx-'));
      try {
        const { file } = saveCounterexample(dir, differentialCounterexample(first.s, first.ref, first.d, String(first.i)));
        expect(existsSync(file)).toBe(true);
        expect(readdirSync(join(dir, INVARIANT))).toHaveLength(1);
        const c = loadCounterexample(file);
        expect([c.property, c.invariant, c.failure.epoch, c.roots.length]).toEqual([PROPERTY, INVARIANT, first.d.epoch, Number(first.d.epoch)]);
        // Replayed from the file: the broken port diverges at the same epoch, the sound one agrees.
        const s = scenarioFromCommands(c.commands);
        const ref = reference(s, file);
        const [again, sound] = await Promise.all([startBatch(port, batchLine('0', s), mutant), startBatch(port, batchLine('0', s))]);
        expect(divergence(port.name, ref, again.results.get('0')!)?.epoch).toBe(first.d.epoch);
        expect(divergence(port.name, ref, sound.results.get('0')!)).toBeNull();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      console.log(`[qfs] ${PROPERTY}.detects: ${port.name} with ${mutant} diverged in ${found.length} of ${scenarios.length} scenarios (first at epoch ${first.d.epoch}: ${first.d.message})`);
    },
    SLOW,
  );
});
